"""Checks of writing systems shared by the translation tests."""

import re

__all__ = ["MIXED_SCRIPT", "serbian_latin"]

_CYRILLIC = dict(
    zip(
        "абвгдђежзијклмнопрстћуфхцчшАБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ",
        "abvgdđežzijklmnoprstćufhcčšABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ",
        strict=True,
    )
)
_CYRILLIC.update({"љ": "lj", "њ": "nj", "џ": "dž", "Љ": "Lj", "Њ": "Nj", "Џ": "Dž"})

#: A word that mixes Cyrillic with a Latin letter (e.g. Macedonian "сè" with a Latin è).
MIXED_SCRIPT = re.compile(r"\b(?=\w*[\u0400-\u04FF])(?=\w*[A-Za-z\u00C0-\u024F])\w+\b")


def serbian_latin(text: str) -> str:
    """Serbian Cyrillic letter for letter in Latin script."""
    return "".join(_CYRILLIC.get(c, c) for c in text)

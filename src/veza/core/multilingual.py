"""Content files written in many languages — the victim information sheets, the self-check, the
survivor feedback form, the practice cases — pass the same checks: English is there (the
fallback), each language is named in itself, right-to-left languages are among those offered,
and every text holds a non-empty text in exactly the file's languages. Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Languages", "check_texts", "closest_language", "read_languages", "serbian_latin"]


_CYRILLIC = dict(
    zip(
        "абвгдђежзијклмнопрстћуфхцчшАБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ",
        "abvgdđežzijklmnoprstćufhcčšABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ",
        strict=True,
    )
)
_CYRILLIC.update({"љ": "lj", "њ": "nj", "џ": "dž", "Љ": "Lj", "Њ": "Nj", "Џ": "Dž"})


def serbian_latin(text: str) -> str:
    """Serbian Cyrillic letter for letter in Latin script: Serbian Latin (`sr-latn`) is always
    made from the Cyrillic, never written by hand (content files, interface catalogues)."""
    return "".join(_CYRILLIC.get(c, c) for c in text)


@dataclass(frozen=True)
class Languages:
    codes: tuple[str, ...]
    rtl: frozenset[str]
    names: dict[str, str]

    def direction(self, code: str) -> str:
        return "rtl" if code in self.rtl else "ltr"


def closest_language(code: str | None, codes) -> str:
    """Of a file's language `codes`, the one closest to `code` (an interface language, or what a
    person chose): itself ("sr-latn"), its language without the script ("sr-Cyrl" → "sr"), else
    English."""
    code = (code or "en").strip().lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in codes:
            return candidate
    return "en"


def read_languages(
    data: Mapping, error: type[Exception], *, what: str, names: bool = True
) -> Languages:
    """The file's languages (`languages`, `rtl`, `language_names`), or `error` saying what is
    wrong. `what` names the content in the message ("the form"); `names=False` for files whose
    languages are named elsewhere (the practice cases use the interface's languages)."""
    codes = tuple(data.get("languages") or ())
    if "en" not in codes:
        raise error(f"{what} must be in English (the fallback)")
    rtl = frozenset(data.get("rtl") or ())
    if rtl - set(codes):
        raise error(
            f"a right-to-left language that {what} does not offer: {sorted(rtl - set(codes))}"
        )
    named = dict(data.get("language_names") or {})
    if names and set(named) != set(codes):
        raise error("every language needs its own name")
    return Languages(codes=codes, rtl=rtl, names=named)


def check_texts(texts: Iterable, languages: Iterable[str], error: type[Exception]) -> None:
    """Refuse (with `error`) any text that is not a mapping of exactly `languages` to non-empty
    strings: a language missing, one too many, or a blank translation."""
    expected = tuple(languages)
    for text in texts:
        if not isinstance(text, Mapping) or set(text) != set(expected):
            raise error(f"a text is not in exactly the languages {expected}: {text!r:.80}")
        if not all(isinstance(v, str) and v.strip() for v in text.values()):
            raise error(f"an empty text: {text!r:.80}")

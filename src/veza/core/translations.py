"""How complete each shipped language is: the gettext catalogues of the interface, counted the way
translators count them (translated, fuzzy, missing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings

__all__ = ["CatalogueStatus", "catalogue_status"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@dataclass(frozen=True)
class CatalogueStatus:
    language: str  # Django's code, e.g. "sr-latn"
    name: str
    total: int
    translated: int
    fuzzy: int
    missing: int

    @property
    def percent(self) -> int:
        """Translated share, rounded down (so that 100 means every string)."""
        return 100 * self.translated // self.total if self.total else 100

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.translated == self.total


def _folder(code: str) -> str:
    language, _sep, script = code.partition("-")
    return f"{language}_{script.capitalize()}" if script else language


def catalogue_status(locale_dir: Path = LOCALE_DIR) -> list[CatalogueStatus]:
    """One line per shipped language other than English (the source language)."""
    found = []
    for code, name in settings.LANGUAGES:
        if code == "en":
            continue
        path = locale_dir / _folder(code) / "LC_MESSAGES" / "django.po"
        entries = [e for e in polib.pofile(str(path)) if not e.obsolete] if path.exists() else []
        fuzzy = sum(1 for e in entries if "fuzzy" in e.flags)
        translated = sum(1 for e in entries if e.translated())
        found.append(
            CatalogueStatus(
                language=code,
                name=str(name),
                total=len(entries),
                translated=translated,
                fuzzy=fuzzy,
                missing=len(entries) - translated - fuzzy,
            )
        )
    return found

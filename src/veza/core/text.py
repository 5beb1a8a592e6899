"""Texts of data files: a plain string, or one string per language."""

from __future__ import annotations

from django.utils.translation import get_language

__all__ = ["localized"]


def localized(value, language: str | None = None) -> str:
    """The text in the page language (or `language`), falling back to English."""
    if isinstance(value, dict):
        language = language or get_language() or "en"
        for code in (language, language.split("-")[0], "en"):
            if value.get(code):
                return str(value[code])
        return str(next(iter(value.values()), ""))
    return str(value or "")

"""The languages a document's text may be written in: the shipped page languages and the
languages of the victim information sheets (the languages of the people professionals meet),
each named in itself."""

from __future__ import annotations

import functools

from django.conf import settings

from veza.information.sheets import load_sheets

__all__ = ["direction", "document_languages", "language_name", "preferred_language"]


@functools.cache
def document_languages() -> tuple[tuple[str, str], ...]:
    """(code, name in itself) of every language a text may have, page languages first."""
    sheets = load_sheets()
    names = {**sheets.names, **settings.LANGUAGE_NATIVE_NAMES}
    codes = [code for code, _name in settings.LANGUAGES]
    codes += [code for code in sheets.languages if code not in codes]
    return tuple((code, names.get(code, code)) for code in codes)


def language_name(code: str) -> str:
    return dict(document_languages()).get(code, code)


def direction(code: str) -> str:
    """ "rtl" for a language written right to left, else "ltr"."""
    return load_sheets().direction(code)


def preferred_language(available: list[str], wanted: str) -> str | None:
    """The language to show of those `available`: the one wanted, else the same language in
    the other script (Serbian), else English, else the first."""
    if not available:
        return None
    for code in (wanted, {"sr": "sr-latn", "sr-latn": "sr"}.get(wanted), "en"):
        if code in available:
            return code
    return available[0]

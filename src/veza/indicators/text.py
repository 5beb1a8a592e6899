"""Texts of content files: a plain string, or one string per language."""

from __future__ import annotations

from veza.core.text import localized

__all__ = ["CONTENT_LANGUAGES", "english_only", "is_text", "localized", "translation_counts"]

#: The languages a content text may carry (the interface languages).
CONTENT_LANGUAGES = ("en", "sq", "sr", "sr-latn", "bs", "hr", "mk")


def is_text(value) -> bool:
    """A translated text: a mapping of language codes (English among them) to strings."""
    return (
        isinstance(value, dict)
        and "en" in value
        and all(key in CONTENT_LANGUAGES and isinstance(v, str) for key, v in value.items())
    )


def english_only(data):
    """The content with every translated text reduced to its English: what the content *means*
    (a version's meaning may not change; its translations may be added and corrected)."""
    if is_text(data):
        return data["en"]
    if isinstance(data, dict):
        return {key: english_only(value) for key, value in data.items()}
    if isinstance(data, list):
        return [english_only(value) for value in data]
    return data


def translation_counts(data, counts: dict | None = None) -> dict[str, int]:
    """How many texts of the content each language has (English: all of them)."""
    counts = counts if counts is not None else dict.fromkeys(CONTENT_LANGUAGES, 0)
    if is_text(data):
        for code in CONTENT_LANGUAGES:
            counts[code] += bool(data.get(code, "").strip())
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in TRANSLATABLE and isinstance(value, str):
                counts["en"] += 1
            else:
                translation_counts(value, counts)
    elif isinstance(data, list):
        for value in data:
            translation_counts(value, counts)
    return counts


#: The fields of content files that people read (and so are translated).
TRANSLATABLE = frozenset({"title", "intro", "guidance", "text", "help", "note", "label"})

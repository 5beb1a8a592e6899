"""Checks of writing systems shared by the translation tests."""

import re

from veza.core.multilingual import serbian_latin

__all__ = ["MIXED_SCRIPT", "serbian_latin"]

#: A word that mixes Cyrillic with a Latin letter (e.g. Macedonian "сè" with a Latin è).
MIXED_SCRIPT = re.compile(r"\b(?=\w*[\u0400-\u04FF])(?=\w*[A-Za-z\u00C0-\u024F])\w+\b")

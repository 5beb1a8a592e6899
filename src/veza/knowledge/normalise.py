# ruff: noqa: RUF001  (the Cyrillic letters of the table are meant, not look-alikes)
"""Text normalisation for the library's search. Pure: no Django.

A practitioner in Skopje types "жртва", one in Belgrade "žrtva", one in Tirana "viktimë" without
the diacritic: all must find the same documents on SQLite and PostgreSQL alike, without a search
engine. So the stored text and the query go through the same steps — casefold, Cyrillic to
Latin (Serbian and Macedonian letters, and the common Russian/Bulgarian ones), diacritics
stripped, everything that is not a letter or digit made a space — and a query word matches the
start of a stored word. The stored form is the words between single spaces with a space at each
end, so "does a word start with q" is the substring " q", which `LIKE` answers on every database.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "query_words", "search_form"]

#: Cyrillic letters to Latin, lower case (the text is casefolded first). Serbian and Macedonian
#: letters follow their official Latin alphabets; the diacritics are stripped afterwards, so
#: "ћ", "ć" and "c" end up the same, as a searcher who types without diacritics expects.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
    # Macedonian (its official Latin "ǵ", "ḱ", "dz", without the diacritics)
    "ѓ": "g", "ќ": "k", "ѕ": "dz",
    # Russian, Bulgarian, Ukrainian (names and quotations in the documents)
    "й": "j", "щ": "št", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja", "ё": "e",
    "є": "je", "і": "i", "ї": "ji", "ґ": "g",
}  # fmt: skip
#: Latin letters that Unicode does not decompose into a base letter and a diacritic ("đ" as
#: "ђ" above, so that Đorđe and Ђорђе are one word).
_LATIN = {"đ": "dj", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ħ": "h", "ı": "i", "þ": "th"}
_TABLE = str.maketrans({**_CYRILLIC, **_LATIN})
_NOT_WORD = re.compile(r"[^\w]+|_+")
#: A query is cut to this many words: enough for any real search, bounded for the database.
MAX_QUERY_WORDS = 8


def normalise(text: str) -> str:
    """The words of `text`, casefolded, in Latin script without diacritics, one space apart."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_TABLE)
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return " ".join(_NOT_WORD.sub(" ", stripped).split())


def search_form(*texts: str) -> str:
    """The stored search text: the normalised words of `texts` with a space at each end."""
    words = " ".join(n for n in (normalise(t) for t in texts) if n)
    return f" {words} " if words else ""


def query_words(query: str) -> list[str]:
    """The distinct normalised words of a query, in order, at most MAX_QUERY_WORDS."""
    seen: list[str] = []
    for word in normalise(query).split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]

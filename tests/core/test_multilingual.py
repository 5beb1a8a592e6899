# ruff: noqa: RUF001  (Cyrillic letters are meant, not look-alikes)
"""The checks every content file in many languages passes (veza.core.multilingual)."""

import pytest

from veza.core.multilingual import check_texts, closest_language, read_languages, serbian_latin


class Problem(ValueError):
    pass


GOOD = {
    "languages": ["en", "sr", "ar"],
    "rtl": ["ar"],
    "language_names": {"en": "English", "sr": "Српски", "ar": "العربية"},
}


def test_a_good_file_reads_its_languages_and_directions():
    found = read_languages(GOOD, Problem, what="the form")
    assert found.codes == ("en", "sr", "ar")
    assert (found.direction("ar"), found.direction("sr")) == ("rtl", "ltr")
    check_texts([{"en": "Yes", "sr": "Да", "ar": "نعم"}], found.codes, Problem)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"languages": ["sr", "ar"]}, "the form must be in English"),
        ({"rtl": ["ar", "fa"]}, "right-to-left language that the form does not offer"),
        ({"language_names": {"en": "English", "sr": "Српски"}}, "its own name"),
    ],
)
def test_a_bad_header_is_refused_with_the_reason(change, message):
    with pytest.raises(Problem, match=message):
        read_languages({**GOOD, **change}, Problem, what="the form")


def test_names_may_live_elsewhere():
    assert read_languages({"languages": ["en"]}, Problem, what="x", names=False).codes == ("en",)


@pytest.mark.parametrize(
    "text",
    [
        {"en": "Yes", "sr": "Да"},  # a language missing
        {"en": "Yes", "sr": "Да", "ar": "نعم", "fr": "Oui"},  # one too many
        {"en": "Yes", "sr": " ", "ar": "نعم"},  # blank
        {"en": "Yes", "sr": None, "ar": "نعم"},  # not a text
        "Yes",  # not translated at all
    ],
)
def test_a_text_not_in_exactly_the_languages_is_refused(text):
    with pytest.raises(Problem):
        check_texts([{"en": "No", "sr": "Не", "ar": "لا"}, text], ("en", "sr", "ar"), Problem)


def test_serbian_latin_is_letter_for_letter_with_the_digraphs():
    assert serbian_latin("Љубљана, Њиш, Џеп, ђак, ћуприја") == "Ljubljana, Njiš, Džep, đak, ćuprija"


def test_the_closest_language_of_a_file():
    codes = ("en", "sr", "sr-latn", "sq")
    assert closest_language("sr-latn", codes) == "sr-latn"
    assert closest_language("SR-Cyrl", codes) == "sr"
    assert closest_language("de", codes) == "en"
    assert closest_language(None, codes) == "en"

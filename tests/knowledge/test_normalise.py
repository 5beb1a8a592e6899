"""The search normalisation (pure): casefolded, Latin script, no diacritics, words one space
apart; Cyrillic and Latin Serbian or Macedonian are the same words; a text finds itself."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tests.scripts import serbian_latin
from veza.knowledge.normalise import MAX_QUERY_WORDS, normalise, query_words, search_form

SERBIAN_CYRILLIC = "абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ"
serbian_words = st.text(alphabet=SERBIAN_CYRILLIC + " ,.-", max_size=60)


def test_examples_in_the_regions_languages():
    assert normalise("Жртва трговине људима") == "zrtva trgovine ljudima"
    assert normalise("Žrtva TRGOVINE ljudima") == "zrtva trgovine ljudima"
    assert normalise("Ђорђе") == normalise("Đorđe") == "djordje"
    assert normalise("Viktimë e trafikimit, ç'farë?") == "viktime e trafikimit c fare"
    assert normalise("Ќерка, ѓубре, ѕвезда") == normalise("Ḱerka, ǵubre, dzvezda")
    assert normalise("  Straße — «Guide» ") == "strasse guide"
    assert normalise("") == ""


@given(st.text(max_size=80))
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(max_size=80))
def test_the_result_has_no_cyrillic_capitals_diacritics_or_double_spaces(text):
    out = normalise(text)
    assert out == out.strip() and "  " not in out
    assert not any("\u0400" <= c <= "\u04ff" for c in out)
    assert out == out.casefold()
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFKD", out))


@given(serbian_words)
def test_serbian_cyrillic_and_its_latin_transliteration_are_the_same_words(text):
    assert normalise(text) == normalise(serbian_latin(text))


@given(st.text(max_size=80), st.text(max_size=80))
def test_every_query_word_of_a_text_is_found_in_its_search_form(title, body):
    stored = search_form(title, body)
    for word in query_words(title + " " + body):
        assert f" {word}" in stored


@given(st.text(max_size=200))
def test_queries_are_bounded_and_distinct(query):
    words = query_words(query)
    assert len(words) <= MAX_QUERY_WORDS
    assert len(words) == len(set(words))
    assert all(words)

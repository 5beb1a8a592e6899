"""Search in every shipped language, on SQLite and PostgreSQL alike: every query word must start a
word of the text, capitals, diacritics and script (Cyrillic or Latin) do not matter, and a match
in the title ranks above one in the summary, which ranks above one in the body."""

import pytest

from tests.knowledge.conftest import new_document
from veza.knowledge.selectors import Filters, document_filter, documents_visible, public_documents
from veza.knowledge.services import text_save, version_publish

pytestmark = pytest.mark.django_db

#: One text per shipped page language, and a query in that language that must find it.
TEXTS = {
    "en": ("Recognising forced labour on farms", "seasonal workers", "forced lab"),
    "sq": ("Njohja e punës së detyruar", "punëtorët sezonalë", "punes DETYRUAR"),
    "sr": ("Препознавање принудног рада", "сезонски радници", "принудног"),
    "sr-latn": ("Prepoznavanje prinudnog rada na farmama", "sezonski radnici", "farmama"),
    "bs": ("Prepoznavanje prisilnog rada", "sezonski radnici u poljoprivredi", "poljoprivredi"),
    "hr": ("Prepoznavanje prisilnoga rada u turizmu", "sezonski djelatnici", "turizmu djelat"),
    "mk": ("Препознавање на принудна работа", "сезонски работници", "работници"),
}


def _publish(actor, document):
    version_publish(actor=actor, document=document, expected_version=document.version)


def _slugs(query, *, language="", public=True, user=None):
    documents = public_documents() if public else documents_visible(user)
    found = document_filter(documents, Filters(q=query, language=language), public=public)
    return [d.slug for d in found]


@pytest.fixture
def library(coordinator, rs):
    made = {}
    for language, (title, summary, _query) in TEXTS.items():
        document = new_document(
            coordinator, rs, language=language, title=title, summary=summary, body="",
            slug=f"doc-{language}",
        )  # fmt: skip
        _publish(coordinator, document)
        made[language] = document
    return made


@pytest.mark.parametrize("language", list(TEXTS))
def test_a_query_in_each_shipped_language_finds_its_document(library, language):
    assert f"doc-{language}" in _slugs(TEXTS[language][2])
    assert f"doc-{language}" in _slugs(TEXTS[language][2], language=language)


def test_cyrillic_and_latin_find_each_other(library):
    # Serbian Cyrillic text found by a Latin query without diacritics, and the other way round.
    assert "doc-sr" in _slugs("prepoznavanje prinudnog")
    assert "doc-sr-latn" in _slugs("препознавање фармама")
    # Macedonian Cyrillic "работници" found by Latin "rabotnici".
    assert _slugs("rabotnici") == ["doc-mk"]
    assert set(_slugs("сезонски")) >= {"doc-sr", "doc-sr-latn", "doc-bs", "doc-hr", "doc-mk"}


def test_every_word_must_match_the_start_of_a_word(library):
    assert _slugs("forced labour") == ["doc-en"]
    assert _slugs("forced turizmu") == []  # one word in one document, the other in another
    assert _slugs("orced") == []  # inside a word: no match
    assert _slugs("") == _slugs("   ") != []  # no words: everything, not nothing


def test_a_title_match_ranks_above_a_summary_match_above_a_body_match(coordinator, rs):
    for slug, title, summary, body in (
        ("in-body", "Guide one", "Nothing here", "The word shelter appears here."),
        ("in-title", "Shelter standards", "Nothing here", "Other text."),
        ("in-summary", "Guide two", "About shelter rules", "Other text."),
    ):
        document = new_document(coordinator, rs, slug=slug, title=title, summary=summary, body=body)
        _publish(coordinator, document)
    assert _slugs("shelter") == ["in-title", "in-summary", "in-body"]


def test_staff_search_finds_drafts_they_manage_and_the_public_search_does_not(
    coordinator, frontline, rs
):
    draft = new_document(coordinator, rs, slug="draft-doc", title="Unpublished checklist")
    assert _slugs("checklist") == []
    assert _slugs("checklist", public=False, user=frontline) == []
    assert _slugs("checklist", public=False, user=coordinator) == ["draft-doc"]
    # A second language added to the draft is searchable by its manager too.
    text_save(
        actor=coordinator, document=draft, expected_version=draft.version,
        language="sq", title="Lista e kontrollit",
    )  # fmt: skip
    assert _slugs("kontroll", public=False, user=coordinator) == ["draft-doc"]

# ruff: noqa: RUF001  (Cyrillic test texts are meant)
"""Services of the guidance library: versions, publishing, withdrawal, who may do what, lost
updates refused, bad input refused with nothing written, and an audit entry for each change."""

import pytest

from tests.knowledge.conftest import new_document
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry
from veza.knowledge.models import Document, DocumentText, DocumentVersion
from veza.knowledge.services import (
    document_update,
    document_withdraw,
    text_save,
    version_new,
    version_publish,
)

pytestmark = pytest.mark.django_db


def _fresh(document):
    return Document.objects.get(pk=document.pk)


def _actions(document):
    return list(
        AuditEntry.objects.filter(object_type="knowledge.document", object_id=str(document.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_document_goes_from_draft_to_published_to_superseded(coordinator, rs):
    document = new_document(coordinator, rs)
    assert document.status == "draft" and document.organisation.participant == rs
    assert document.slug == "recognising-labour-exploitation"
    text_save(
        actor=coordinator, document=document, expected_version=document.version,
        language="sr", title="Препознавање радне експлоатације",
    )  # fmt: skip
    first = version_publish(actor=coordinator, document=document, expected_version=document.version)
    document = _fresh(document)
    assert document.published_version == first and first.status == "published"
    assert first.published_by == coordinator and first.published_at

    second = version_new(actor=coordinator, document=document, expected_version=document.version)
    assert second.number == 2 and second.status == "draft"
    assert sorted(second.texts.values_list("language", flat=True)) == ["en", "sr"]
    # The published text is untouched while the draft changes.
    text_save(
        actor=coordinator, document=document, expected_version=document.version,
        language="en", title="Recognising labour exploitation (2nd edition)",
    )  # fmt: skip
    assert first.texts.get(language="en").title == "Recognising labour exploitation"
    version_publish(actor=coordinator, document=document, expected_version=document.version)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert _fresh(document).published_version.number == 2
    assert _actions(document) == [
        "knowledge.document_create",  # with its first text
        "knowledge.text_save",
        "knowledge.version_publish",
        "knowledge.version_new",
        "knowledge.text_save",
        "knowledge.version_publish",
    ]


def test_withdrawing_keeps_the_version_and_a_new_one_can_be_published(coordinator, rs):
    document = new_document(coordinator, rs)
    version = version_publish(
        actor=coordinator, document=document, expected_version=document.version
    )
    document_withdraw(actor=coordinator, document=document, expected_version=document.version)
    document = _fresh(document)
    version.refresh_from_db()
    assert document.status == "withdrawn" and version.status == "withdrawn"
    assert document.published_version is None and document.withdrawn_at
    with pytest.raises(ValidationError):
        document_withdraw(actor=coordinator, document=document, expected_version=document.version)
    version_new(actor=coordinator, document=document, expected_version=document.version)
    version_publish(actor=coordinator, document=document, expected_version=document.version)
    assert _fresh(document).status == "published"
    assert "knowledge.document_withdraw" in _actions(document)


def test_publishing_needs_a_draft_with_a_text(coordinator, rs):
    document = new_document(coordinator, rs)
    DocumentText.objects.filter(version__document=document).delete()
    with pytest.raises(ValidationError):
        version_publish(actor=coordinator, document=document, expected_version=document.version)
    assert _fresh(document).status == "draft"
    text_save(
        actor=coordinator, document=document, expected_version=document.version,
        language="en", title="Back again",
    )  # fmt: skip
    version_publish(actor=coordinator, document=document, expected_version=document.version)
    with pytest.raises(ValidationError):  # no draft left to publish or write into
        text_save(
            actor=coordinator, document=document, expected_version=document.version,
            language="en", title="Edited after publishing",
        )  # fmt: skip
    with pytest.raises(ValidationError):
        version_publish(actor=coordinator, document=document, expected_version=document.version)


def test_a_stale_version_is_refused_and_nothing_is_written(coordinator, rs):
    document = new_document(coordinator, rs)
    stale = document.version
    document_update(
        actor=coordinator, document=document, expected_version=stale,
        kind="sop", topic="identification", audience="public", sector="",
    )  # fmt: skip
    before = AuditEntry.objects.count()
    other = Document.objects.get(pk=document.pk)
    other.version = stale  # what a second person read before the first saved
    with pytest.raises(ConflictError):
        text_save(
            actor=coordinator, document=other, expected_version=stale,
            language="sq", title="Njohja e shfrytëzimit",
        )  # fmt: skip
    with pytest.raises(ConflictError):
        version_publish(actor=coordinator, document=other, expected_version=stale)
    assert not DocumentText.objects.filter(language="sq").exists()
    assert _fresh(document).status == "draft"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "novel"}, "kind"),
        ({"topic": ""}, "topic"),
        ({"audience": "everyone"}, "audience"),
        ({"sector": "astronauts"}, "sector"),
        ({"language": "xx"}, "language"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(coordinator, rs, values, field):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        new_document(coordinator, rs, **values)
    assert field in caught.value.fields
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert AuditEntry.objects.count() == before


def test_who_may_write_and_publish_what(coordinator, al_coordinator, analyst, frontline, rs):
    with pytest.raises(PermissionDeniedError):
        new_document(frontline, rs)
    with pytest.raises(PermissionDeniedError):
        new_document(al_coordinator, rs)  # another participant's document
    with pytest.raises(PermissionDeniedError):
        new_document(analyst, rs)  # the regional centre writes regional documents only
    with pytest.raises(PermissionDeniedError):
        new_document(coordinator, None)  # and a national coordinator national ones
    regional = new_document(analyst, None, title="Regional guide")
    assert regional.participant is None and regional.organisation.participant.code == "HUB"
    national = new_document(coordinator, rs)
    for actor, document in (
        (al_coordinator, national),
        (coordinator, regional),
        (frontline, national),
    ):
        with pytest.raises(PermissionDeniedError):
            version_publish(actor=actor, document=document, expected_version=document.version)
        with pytest.raises(PermissionDeniedError):
            text_save(
                actor=actor, document=document, expected_version=document.version,
                language="en", title="Taken over",
            )  # fmt: skip
    assert not Document.objects.filter(published_version__isnull=False).exists()
    version_publish(actor=analyst, document=regional, expected_version=regional.version)


def test_the_slug_is_made_from_the_title_in_latin_letters_and_kept_unique(coordinator, rs):
    first = new_document(coordinator, rs, language="sr", title="Први контакт са жртвом")
    second = new_document(coordinator, rs, language="sr", title="Први контакт са жртвом")
    assert first.slug == "prvi-kontakt-sa-zrtvom"
    assert second.slug == "prvi-kontakt-sa-zrtvom-2"
    with pytest.raises(ValidationError) as caught:
        new_document(coordinator, rs, slug=first.slug)
    assert "slug" in caught.value.fields

"""Writes of the guidance library. Each service checks that the actor may act for the document's
participant (national documents: the coordinator of that participant; regional documents: the
regional centre), validates, writes and audits in one transaction. Every change to a document —
its details, a text, publishing, a new version, withdrawal — bumps the document's version, so that
two people working on the same document cannot overwrite each other (the second gets 409).

The operator on the command line (an actor named by a string) acts for any participant.
"""

from __future__ import annotations

import hashlib
import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from veza.core.uploads import upload_problem
from veza.core.versioning import save_versioned
from veza.knowledge.choices import Audience, Kind, Topic, VersionStatus
from veza.knowledge.languages import document_languages
from veza.knowledge.models import PDF_MAX_MB, Document, DocumentText, DocumentVersion
from veza.knowledge.normalise import normalise, search_form
from veza.knowledge.selectors import ADD, CHANGE, PUBLISH, manage_scope, organisation_for
from veza.organisations.choices import Sector
from veza.organisations.models import Organisation, Participant

__all__ = [
    "document_create",
    "document_update",
    "document_withdraw",
    "text_save",
    "version_new",
    "version_publish",
]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _require(actor, perm: str, participant_id: int | None) -> None:
    """Refuse unless the actor holds `perm` where the document belongs."""
    if not isinstance(actor, str) and (actor is None or not actor.has_perm(perm)):
        raise PermissionDeniedError()
    if not manage_scope(actor, perm).covers(participant_id):
        raise PermissionDeniedError()


def _user(actor):
    return None if isinstance(actor, str) else actor


def _text(value, name: str, limit: int, problems: dict, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        problems.setdefault(name, []).append(_("This field is required."))
    elif len(value) > limit:
        problems.setdefault(name, []).append(_("At most %(limit)s characters.") % {"limit": limit})
    return value


def _details(values: dict, problems: dict) -> dict:
    """The document's describing fields, checked against their code lists."""
    fields = {}
    for name, choices, required in (
        ("kind", Kind, True),
        ("topic", Topic, True),
        ("audience", Audience, True),
        ("sector", Sector, False),
    ):
        value = str(values.get(name) or "")
        if (required or value) and value not in choices.values:
            problems.setdefault(name, []).append(_("Choose one of the options."))
        fields[name] = value
    return fields


def _unique_slug(wanted: str, title: str, problems: dict) -> str:
    if wanted:
        if not SLUG.match(wanted) or len(wanted) > 80:
            problems["slug"] = [
                _("Use small letters a to z, digits and hyphens only (at most 80 characters).")
            ]
        elif Document.objects.filter(slug=wanted).exists():
            problems["slug"] = [_("Another document has this short name already.")]
        return wanted
    # From the title in Latin letters, so that a Cyrillic title gives a readable link.
    base = slugify(normalise(title))[:70].strip("-") or "document"
    slug, n = base, 1
    while Document.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _bump(document: Document, expected_version) -> None:
    save_versioned(document, [], expected_version=expected_version)


def _draft(document: Document) -> DocumentVersion:
    version = document.versions.order_by("-number").first()
    if version is None or version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("This document has no draft. Start a new version to change its texts.")
        )
    return version


@transaction.atomic
def document_create(
    *,
    actor,
    participant: Participant | None,
    language: str,
    title: str,
    summary: str = "",
    body: str = "",
    slug: str = "",
    organisation: Organisation | None = None,
    is_demo: bool = False,
    **values,
) -> Document:
    """A new document with its first draft version and that version's first language text."""
    participant_id = participant.pk if participant else None
    _require(actor, ADD, participant_id)
    if organisation is None and not isinstance(actor, str):
        organisation = organisation_for(actor, ADD, participant_id)
    if organisation is None:
        raise PermissionDeniedError()
    problems: dict[str, list] = {}
    fields = _details(values, problems)
    _text(title, "title", 300, problems, required=True)
    slug = _unique_slug(str(slug or "").strip(), str(title or ""), problems)
    if problems:
        raise ValidationError(fields=problems)
    document = Document.objects.create(
        slug=slug,
        participant=participant,
        organisation=organisation,
        created_by=_user(actor),
        is_demo=is_demo,
        **fields,
    )
    version = DocumentVersion.objects.create(
        document=document, number=1, change_note=_("First version")
    )
    audit_log(
        "knowledge.document_create",
        actor=actor,
        obj=document,
        organisation_id=organisation.pk,
        detail={"slug": slug, "kind": fields["kind"], "audience": fields["audience"]},
    )
    _write_text(version, language=language, title=title, summary=summary, body=body)
    return document


@transaction.atomic
def document_update(*, actor, document: Document, expected_version, **values) -> Document:
    """Change what the document is (kind, topic, sector, audience); its texts change by
    versions, its participant and short name never (links and the owner stay put)."""
    _require(actor, CHANGE, document.participant_id)
    problems: dict[str, list] = {}
    fields = _details(values, problems)
    if problems:
        raise ValidationError(fields=problems)
    for name, value in fields.items():
        setattr(document, name, value)
    save_versioned(document, list(fields), expected_version=expected_version)
    audit_log(
        "knowledge.document_update",
        actor=actor,
        obj=document,
        organisation_id=document.organisation_id,
        detail=fields,
    )
    return document


def _pdf(pdf, problems: dict) -> tuple[bytes, str] | None:
    """The bytes and safe file name of an uploaded PDF, checked again here (type by content,
    no program, size cap) whatever form it came through."""
    if pdf is None:
        return None
    problem = upload_problem(pdf, kinds=("pdf",), max_mb=PDF_MAX_MB)
    if problem:
        problems["pdf"] = [problem]
        return None
    pdf.seek(0)
    data = pdf.read()
    name = slugify(normalise(str(pdf.name or "").rsplit(".", 1)[0]))[:150] or "document"
    return data, f"{name}.pdf"


def _write_text(
    version: DocumentVersion,
    *,
    language: str,
    title: str,
    summary: str,
    body: str,
    pdf=None,
    remove_pdf: bool = False,
) -> DocumentText:
    problems: dict[str, list] = {}
    if language not in dict(document_languages()):
        problems["language"] = [_("Choose one of the languages.")]
    title = _text(title, "title", 300, problems, required=True)
    summary = _text(summary, "summary", 2000, problems)
    body = _text(body, "body", 100_000, problems)
    file = _pdf(pdf, problems)
    if problems:
        raise ValidationError(fields=problems)
    text = DocumentText.objects.with_pdf().filter(version=version, language=language).first()
    if text is None:
        text = DocumentText(version=version, language=language)
    text.title, text.summary, text.body = title, summary, body
    text.search_title = search_form(title)
    text.search_summary = search_form(summary)
    text.search_text = search_form(title, summary, body)
    if file is not None:
        data, name = file
        text.pdf_data, text.pdf_name, text.pdf_size = data, name, len(data)
        text.pdf_sha256 = hashlib.sha256(data).hexdigest()
    elif remove_pdf:
        text.pdf_data, text.pdf_name, text.pdf_size, text.pdf_sha256 = None, "", None, ""
    text.save()
    return text


@transaction.atomic
def text_save(
    *,
    actor,
    document: Document,
    expected_version,
    language: str,
    title: str,
    summary: str = "",
    body: str = "",
    pdf=None,
    remove_pdf: bool = False,
) -> DocumentText:
    """Add or replace one language's text (and PDF) of the document's draft version."""
    _require(actor, CHANGE, document.participant_id)
    version = _draft(document)
    _bump(document, expected_version)
    text = _write_text(
        version,
        language=language,
        title=title,
        summary=summary,
        body=body,
        pdf=pdf,
        remove_pdf=remove_pdf,
    )
    audit_log(
        "knowledge.text_save",
        actor=actor,
        obj=document,
        organisation_id=document.organisation_id,
        detail={
            "version": version.number,
            "language": language,
            "pdf_sha256": text.pdf_sha256 or None,
        },
    )
    return text


@transaction.atomic
def version_publish(
    *, actor, document: Document, expected_version, change_note: str = ""
) -> DocumentVersion:
    """Publish the draft: readers see it from now on; the version they saw before is kept,
    superseded."""
    _require(actor, PUBLISH, document.participant_id)
    version = _draft(document)
    if not version.texts.exists():
        raise ValidationError(_("Add a text in at least one language before publishing."))
    problems: dict[str, list] = {}
    note = _text(change_note, "change_note", 500, problems)
    if problems:
        raise ValidationError(fields=problems)
    previous = document.published_version_id
    document.published_version = version
    document.withdrawn_at = None
    save_versioned(
        document, ["published_version", "withdrawn_at"], expected_version=expected_version
    )
    if previous:
        DocumentVersion.objects.filter(pk=previous).update(status=VersionStatus.SUPERSEDED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _user(actor)
    if note:
        version.change_note = note
    version.save(update_fields=["status", "published_at", "published_by", "change_note"])
    audit_log(
        "knowledge.version_publish",
        actor=actor,
        obj=document,
        organisation_id=document.organisation_id,
        detail={
            "version": version.number,
            "languages": sorted(version.texts.values_list("language", flat=True)),
            "audience": document.audience,
        },
    )
    return version


@transaction.atomic
def version_new(
    *, actor, document: Document, expected_version, change_note: str = ""
) -> DocumentVersion:
    """A new draft holding a copy of the newest version's texts (and PDFs), to change."""
    _require(actor, CHANGE, document.participant_id)
    newest = document.versions.order_by("-number").first()
    if newest is None:
        raise NotFoundError()
    if newest.status == VersionStatus.DRAFT:
        raise ValidationError(_("This document has a draft already: change that one."))
    problems: dict[str, list] = {}
    note = _text(change_note, "change_note", 500, problems)
    if problems:
        raise ValidationError(fields=problems)
    _bump(document, expected_version)
    version = DocumentVersion.objects.create(
        document=document, number=newest.number + 1, change_note=note
    )
    copies = []
    for text in DocumentText.objects.with_pdf().filter(version=newest):
        text.pk, text.version = None, version
        copies.append(text)
    DocumentText.objects.bulk_create(copies)
    audit_log(
        "knowledge.version_new",
        actor=actor,
        obj=document,
        organisation_id=document.organisation_id,
        detail={"version": version.number, "from": newest.number},
    )
    return version


@transaction.atomic
def document_withdraw(*, actor, document: Document, expected_version) -> Document:
    """Take the published version off the library (and the public page); it is kept, marked
    withdrawn, and a new version can be published later."""
    _require(actor, PUBLISH, document.participant_id)
    if not document.published_version_id:
        raise ValidationError(_("This document is not published."))
    version_id = document.published_version_id
    document.published_version = None
    document.withdrawn_at = timezone.now()
    save_versioned(
        document, ["published_version", "withdrawn_at"], expected_version=expected_version
    )
    DocumentVersion.objects.filter(pk=version_id).update(status=VersionStatus.WITHDRAWN)
    audit_log(
        "knowledge.document_withdraw",
        actor=actor,
        obj=document,
        organisation_id=document.organisation_id,
        detail={"version_id": version_id},
    )
    return document

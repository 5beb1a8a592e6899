"""Reads of the guidance library, always starting from what the reader may see.

Professionals (any role with `knowledge.view_document`) read every published document, of every
participant: guidance is shared across the region. Drafts and withdrawn documents are seen only
by those who manage documents of that participant (a national coordinator) or regional documents
(the regional analyst). Anonymous visitors see only published documents for everyone
(`public_documents`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.knowledge.choices import Audience, VersionStatus
from veza.knowledge.languages import preferred_language
from veza.knowledge.models import Document, DocumentText, DocumentVersion
from veza.knowledge.normalise import query_words
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Organisation, Participant
from veza.organisations.scope import user_scope

__all__ = [
    "ADD",
    "CHANGE",
    "PUBLISH",
    "VIEW",
    "Filters",
    "ManageScope",
    "current_version",
    "document_filter",
    "document_get_visible",
    "documents_visible",
    "manage_scope",
    "organisation_for",
    "public_document_get",
    "public_documents",
    "rank_texts",
    "text_get_for_download",
    "titles_for",
]

VIEW = "knowledge.view_document"
ADD = "knowledge.add_document"
CHANGE = "knowledge.change_document"
PUBLISH = "knowledge.publish_document"


@dataclass(frozen=True)
class ManageScope:
    """Whose documents someone manages: national participants by id, and regional documents
    (no participant) when they hold the permission in the regional centre."""

    participant_ids: frozenset[int] = frozenset()
    regional: bool = False
    everything: bool = False

    def covers(self, participant_id: int | None) -> bool:
        if self.everything:
            return True
        if participant_id is None:
            return self.regional
        return participant_id in self.participant_ids

    def q(self, prefix: str = "") -> Q | None:
        """The documents covered, as a condition (None: none)."""
        if self.everything:
            return Q()
        parts = []
        if self.participant_ids:
            parts.append(Q(**{f"{prefix}participant_id__in": self.participant_ids}))
        if self.regional:
            parts.append(Q(**{f"{prefix}participant__isnull": True}))
        if not parts:
            return None
        condition = parts[0]
        for part in parts[1:]:
            condition |= part
        return condition

    def __bool__(self) -> bool:
        return self.everything or self.regional or bool(self.participant_ids)


def manage_scope(actor, perm: str) -> ManageScope:
    """Where the actor holds `perm`; the operator on the command line covers everything."""
    if isinstance(actor, str):
        return ManageScope(everything=True)
    ids = user_scope(actor).participants_with(perm)
    if not ids:
        return ManageScope()
    known = actor.__dict__.setdefault("_veza_knowledge_scope", {})
    if perm not in known:
        kinds = dict(Participant.objects.filter(pk__in=ids).values_list("pk", "kind"))
        known[perm] = ManageScope(
            participant_ids=frozenset(p for p, k in kinds.items() if k == ParticipantKind.NATIONAL),
            regional=ParticipantKind.REGIONAL in kinds.values(),
        )
    return known[perm]


def organisation_for(actor, perm: str, participant_id: int | None) -> Organisation | None:
    """The actor's organisation that owns a new document of that participant (None: regional):
    the first where they hold `perm` inside that participant (or inside the regional centre)."""
    scope = user_scope(actor)
    organisations = Organisation.objects.filter(pk__in=scope.organisations_with(perm))
    if participant_id is None:
        organisations = organisations.filter(participant__kind=ParticipantKind.REGIONAL)
    else:
        organisations = organisations.filter(participant_id=participant_id)
    return organisations.order_by("pk").first()


def documents_visible(user) -> QuerySet:
    """Published documents for every professional, and every document of the reader's own
    management scope (drafts, withdrawn)."""
    if user is None or not user.is_authenticated or not user.has_perm(VIEW):
        return Document.objects.none()
    condition = Q(published_version__isnull=False)
    managed = manage_scope(user, CHANGE).q()
    if managed is not None:
        condition |= managed
    return Document.objects.filter(condition).select_related("participant", "published_version")


def document_get_visible(*, user, pk) -> Document:
    return visible_or_404(documents_visible(user), pk)


def public_documents() -> QuerySet:
    """What anyone may read without logging in: published documents meant for everyone."""
    return Document.objects.filter(
        audience=Audience.PUBLIC, published_version__isnull=False
    ).select_related("participant", "published_version")


def public_document_get(slug: str) -> Document:
    document = public_documents().filter(slug=str(slug)[:80]).first()
    if document is None:
        raise NotFoundError()
    return document


def text_get_for_download(*, document: Document, language: str, public: bool) -> DocumentText:
    """The PDF of one language of the published version (public), or of the newest version
    that the staff page shows."""
    texts = DocumentText.objects.with_pdf().filter(language=language, pdf_size__isnull=False)
    if public:
        texts = texts.filter(version_id=document.published_version_id)
    else:
        texts = texts.filter(version=current_version(document))
    text = texts.first()
    if text is None:
        raise NotFoundError()
    return text


def current_version(document: Document) -> DocumentVersion | None:
    """The version the staff pages work on: the newest one."""
    return document.versions.order_by("-number").first()


# --- Search and filters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str = ""
    participant: str = ""  # a participant's code, or "regional"
    sector: str = ""
    topic: str = ""
    language: str = ""

    @classmethod
    def from_query(cls, params) -> Filters:
        return cls(**{name: str(params.get(name) or "").strip()[:200] for name in FIELDS})

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FIELDS)


FIELDS = ("q", "kind", "participant", "sector", "topic", "language")


def rank_texts(texts: QuerySet, words: list[str]) -> QuerySet:
    """The texts in which every word starts a word, ranked: a word in the title counts 4, in the
    summary 2, in the body 1 (summed over the words)."""
    for word in words:
        texts = texts.filter(search_text__contains=f" {word}")
    rank = Value(0)
    for word in words:
        rank = rank + Case(
            When(search_title__contains=f" {word}", then=Value(4)),
            When(search_summary__contains=f" {word}", then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return texts.annotate(rank=rank)


def document_filter(documents: QuerySet, filters: Filters, *, public: bool) -> QuerySet:
    """The list's filters and search. The texts searched are those of the published version
    (public) or of every version that is not superseded (staff: drafts too). A search orders by
    rank, best first; otherwise by newest change."""
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.participant == "regional":
        documents = documents.filter(participant__isnull=True)
    elif filters.participant:
        documents = documents.filter(participant__code=filters.participant.upper()[:4])
    if filters.sector:
        documents = documents.filter(sector=filters.sector)
    if filters.topic:
        documents = documents.filter(topic=filters.topic)
    texts = DocumentText.objects.filter(version__document=OuterRef("pk"))
    if public:
        texts = DocumentText.objects.filter(version_id=OuterRef("published_version_id"))
    else:
        texts = texts.exclude(version__status=VersionStatus.SUPERSEDED)
    if filters.language:
        texts = texts.filter(language=filters.language)
    words = query_words(filters.q)
    if words:
        ranked = rank_texts(texts, words).order_by("-rank").values("rank")[:1]
        documents = documents.annotate(rank=Subquery(ranked)).filter(rank__isnull=False)
        return documents.order_by("-rank", "-updated_at", "pk")
    if filters.language:
        documents = documents.filter(Exists(texts))
    return documents.order_by("-updated_at", "pk")


def titles_for(documents: list[Document], wanted: str, *, public: bool) -> dict[int, DocumentText]:
    """For each document, the text to show in a list: of its published version (public) or its
    newest version (staff), in the language wanted or the nearest (one query for the page)."""
    if not documents:
        return {}
    texts = DocumentText.objects.only(
        "version_id", "language", "title", "summary", "pdf_size", "version__document_id",
        "version__number",
    )  # fmt: skip
    if public:
        texts = texts.filter(version_id__in=[d.published_version_id for d in documents])
    else:
        texts = texts.filter(version__document_id__in=[d.pk for d in documents])
    newest: dict[int, int] = {}
    by_document: dict[int, dict[int, dict[str, DocumentText]]] = {}
    for text in texts.select_related("version"):
        document_id = text.version.document_id
        by_document.setdefault(document_id, {}).setdefault(text.version.number, {})[
            text.language
        ] = text
        newest[document_id] = max(newest.get(document_id, 0), text.version.number)
    shown = {}
    for document_id, versions in by_document.items():
        languages = versions[newest[document_id]]
        code = preferred_language(list(languages), wanted)
        shown[document_id] = languages[code]
    return shown

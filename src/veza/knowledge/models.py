"""The guidance library: documents, their versions and each version's text per language.

A `Document` is what people cite and link to (a stable slug); its content changes only by new
`DocumentVersion`s, so a published text is never edited under a reader's feet: a draft is
written, published (the previous published version becomes superseded), and a new draft copies
the texts to change. A `DocumentText` is one language of one version, with its normalised search
text and, optionally, the PDF as published (bytes in the database: outside the web root, and
covered by the backup and restore of the database).

Nothing here is personal data: guidance documents are policy and training material.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel
from veza.knowledge.choices import Audience, Kind, Topic, VersionStatus
from veza.organisations.choices import Sector

__all__ = ["PDF_MAX_MB", "Document", "DocumentText", "DocumentVersion"]

#: The largest PDF a language text may carry.
PDF_MAX_MB = 10


class Document(VersionedModel):
    slug = models.SlugField(_("short name in links"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    participant = models.ForeignKey(
        "organisations.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
        help_text=_("Empty: a regional document, for every participant."),
    )
    sector = models.CharField(
        _("sector"),
        max_length=30,
        choices=Sector.choices,
        blank=True,
        help_text=_("Empty: for every sector."),
    )
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PROFESSIONALS
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    #: The version readers see; empty while the document is a draft or after it is withdrawn.
    published_version = models.OneToOneField(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("guidance document")
        verbose_name_plural = _("guidance documents")
        permissions = [("publish_document", _("Can publish and withdraw guidance documents"))]
        indexes = [models.Index(fields=["audience", "published_version"])]

    def __str__(self) -> str:
        return self.slug

    @property
    def status(self) -> str:
        """Published, withdrawn or draft: what a reader would find."""
        if self.published_version_id:
            return VersionStatus.PUBLISHED
        return VersionStatus.WITHDRAWN if self.withdrawn_at else VersionStatus.DRAFT

    def get_status_display(self) -> str:
        return VersionStatus(self.status).label


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="knowledge_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document.slug} v{self.number}"


class TextManager(models.Manager):
    """Texts without their PDF bytes: lists and searches never load files; the download asks
    for them (`with_pdf`)."""

    def get_queryset(self):
        return super().get_queryset().defer("pdf_data")

    def with_pdf(self):
        return super().get_queryset()


class DocumentText(models.Model):
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    body = models.TextField(_("text"), max_length=100_000, blank=True)
    # The normalised words (veza.knowledge.normalise), for search on every database.
    search_title = models.TextField(editable=False, default="")
    search_summary = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    pdf_data = models.BinaryField(null=True, blank=True, editable=False)
    pdf_name = models.CharField(_("PDF file name"), max_length=200, blank=True)
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"), null=True, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TextManager()

    class Meta:
        ordering = ["version", "language"]
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="knowledge_text_language")
        ]

    def __str__(self) -> str:
        return f"{self.version} [{self.language}]"

    @property
    def has_pdf(self) -> bool:
        return bool(self.pdf_size)

"""The regional hub's store of aggregate observations (no person, ever)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Dataflow",
    "ImportBatch",
    "Observation",
    "PrivacyBudget",
    "PrivacySpend",
    "ProtectionMethod",
    "Release",
    "ReleaseStatus",
]


class ImportBatch(models.Model):
    """One import of a source file: what was read, what was stored, every conflict."""

    source = models.CharField(_("source"), max_length=40)
    participant = models.CharField(max_length=4, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    manifest = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    conflicts = models.JSONField(default=list)
    skipped = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("receive_release", "Can receive releases from participants at the hub")]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d}"

    @classmethod
    def latest(cls, source: str) -> dict[tuple[str, int], ImportBatch]:
        """The latest revision of each participant's year of a source (`release` or
        `dataflow:CODE`): what pages, series and the report use."""
        found = {}
        for batch in cls.objects.filter(source=source).order_by("revision", "pk"):
            found[(batch.participant, batch.year)] = batch
        return found


class Observation(models.Model):
    """One aggregate value of a source; withheld values have no value and a flag."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="observations")
    source = models.CharField(max_length=40, db_index=True)
    measure = models.CharField(max_length=60)
    area = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=8, default="_T")
    age = models.CharField(max_length=16, default="_T")
    exploitation = models.CharField(max_length=40, default="_T")
    breakdown = models.CharField(max_length=24, default="_T")
    category = models.CharField(max_length=8, default="_T")
    label = models.CharField(max_length=200, blank=True)
    dims = models.JSONField(default=dict, blank=True)
    value = models.PositiveBigIntegerField(null=True, blank=True)
    flag = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [models.Index(fields=["source", "measure", "area", "year"])]

    def __str__(self) -> str:
        return f"{self.source} {self.area} {self.year} {self.measure}"


class ReleaseStatus(models.TextChoices):
    BUILT = "built", _("built, awaiting approval")
    APPROVED = "approved", _("approved")
    SENT = "sent", _("sent to the regional hub")


class ProtectionMethod(models.TextChoices):
    """How a release protects people (`release-spec.yaml`, veza.statistics.protection)."""

    SUPPRESSION = "suppression", _("Withhold small counts (suppression)")
    ROUNDING = "rounding", _("Round every count (controlled rounding)")
    DP = "dp", _("Add random noise (differential privacy)")


class Release(models.Model):
    """A national release built on this instance: reviewed, approved with a fresh second factor,
    then sent to the regional hub. The files themselves are in `directory` (signed manifest)."""

    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    dataflow = models.ForeignKey(
        "Dataflow",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("dataflow"),
        help_text=_("Empty for the trafficking release built from cases."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.BUILT
    )
    directory = models.CharField(max_length=500)
    manifest = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The hub's receipt of a release pushed to it (revision, checksum, time).
    hub_receipt = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged by the hub"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        permissions = [("approve_release", "Can build, approve and send national releases")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.year} ({self.status})"

    @property
    def protection_method(self) -> str:
        """The protection method in words (suppression for releases made before the choice)."""
        code = self.manifest.get("method") or ProtectionMethod.SUPPRESSION
        return ProtectionMethod(code).label if code in ProtectionMethod.values else code


class Dataflow(models.Model):
    """Any aggregate dataflow of the regional exchange (arrivals, asylum, returns, …), defined
    by an SDMX data structure: its dimensions, their code lists and the measure."""

    code = models.CharField(_("identifier"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=20, default="1.0")
    measure = models.CharField(_("measure"), max_length=200, default="OBS_VALUE")
    #: Dimension ids in order, without REF_AREA and TIME_PERIOD.
    dimensions = models.JSONField(default=list)
    #: Every code each dimension allows (`_T` is always allowed as the total).
    codes = models.JSONField(default=dict)
    #: Names of the codes, per dimension, as the structure gives them.
    code_names = models.JSONField(default=dict, blank=True)
    #: Names of the dimensions (their concepts), as the structure gives them.
    dimension_names = models.JSONField(default=dict, blank=True)
    #: "A" yearly (TIME_PERIOD 2025) or "M" monthly (TIME_PERIOD 2025-03).
    frequency = models.CharField(
        _("frequency"), max_length=1, choices=[("A", _("yearly")), ("M", _("monthly"))], default="A"
    )
    threshold = models.PositiveSmallIntegerField(
        _("protection threshold"),
        default=5,
        help_text=_("Counts from 1 to this number minus one are withheld."),
    )
    structure_xml = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("dataflow")
        verbose_name_plural = _("dataflows")

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class PrivacyBudget(models.Model):
    """The differential-privacy budget (epsilon) of a participant for a year of data; every
    differentially private release spends from it and none may overspend it."""

    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    epsilon = models.DecimalField(_("total epsilon"), max_digits=8, decimal_places=4)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("privacy budget")
        verbose_name_plural = _("privacy budgets")
        constraints = [
            models.UniqueConstraint(fields=["participant", "year"], name="one_budget_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.year}: ε={self.epsilon}"


class PrivacySpend(models.Model):
    """One spending of a privacy budget (append-only ledger)."""

    budget = models.ForeignKey(PrivacyBudget, on_delete=models.PROTECT, related_name="spends")
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="privacy_spends"
    )
    epsilon = models.DecimalField(max_digits=8, decimal_places=4)
    purpose = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("privacy spend")
        verbose_name_plural = _("privacy spends")

    def __str__(self) -> str:
        return f"ε={self.epsilon} {self.purpose}"

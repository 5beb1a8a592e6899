"""Legal holds that stop the retention purge, and the record of what it anonymised."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AnonymisedRecord", "LegalHold"]


class LegalHoldQuerySet(models.QuerySet):
    def active(self, today=None):
        """Holds in force today: not lifted, and without an end date or ending today or later."""
        today = today or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(
            Q(until__isnull=True) | Q(until__gte=today)
        )


class LegalHold(models.Model):
    """A case that must not be erased or anonymised (criminal or civil proceedings, a request of
    the authority, a complaint), with the reason and, if known, until when."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        help_text=_("e.g. criminal proceedings, court file number. Never a name."),
    )
    until = models.DateField(_("held until"), null=True, blank=True)
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    placed_by = models.CharField(_("placed by"), max_length=150, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.CharField(_("lifted by"), max_length=150, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]
        default_permissions = ("view",)
        permissions = [
            ("subject_access", _("Can export everything held about a person")),
        ]

    def __str__(self) -> str:
        return f"hold on {self.case_id}"


class AnonymisedRecord(models.Model):
    """A record the purge anonymised (so that later runs leave it alone). Ids only."""

    model = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    retention_class = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="anonymised_once")
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}"

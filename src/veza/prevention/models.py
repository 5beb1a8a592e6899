"""What prevention keeps: only how many self-checks were completed, per month, language and
participant. No answer, no time of day, no address, no cookie: a row cannot point at a person,
and small counts are withheld when shown (see selectors.use_table)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SelfCheckUse"]


class SelfCheckUse(models.Model):
    #: The first day of the month the checks were completed in.
    month = models.DateField(_("month"))
    #: The participant whose numbers the person chose; empty when they preferred not to say.
    participant = models.ForeignKey(
        "organisations.Participant",
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=12)
    count = models.PositiveIntegerField(_("completed self-checks"), default=0)

    class Meta:
        verbose_name = _("self-check use count")
        verbose_name_plural = _("self-check use counts")
        ordering = ["-month", "language"]
        # One row per month, participant and language. NULL never equals NULL in a unique index,
        # so the rows without a participant get their own partial constraint (both databases).
        constraints = [
            models.UniqueConstraint(
                fields=["month", "participant", "language"],
                condition=models.Q(participant__isnull=False),
                name="prevention_use_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "language"],
                condition=models.Q(participant__isnull=True),
                name="prevention_use_unique_no_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.language} {self.participant_id or '-'}: {self.count}"

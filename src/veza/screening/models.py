"""A screening: one professional's structured look for signs of trafficking, without identity."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel
from veza.indicators.choices import Outcome, QuickAction
from veza.screening.choices import Mode, Origin, ScreeningStatus

__all__ = ["Screening", "new_reference"]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference(participant_code: str) -> str:
    """A pseudonymous handle such as SCR-RS-7K2Q9D: says nothing about the person."""
    return f"SCR-{participant_code}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


class ScreeningQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Screenings of organisations where the user may view them, and, for national
        coordinators, every screening of their participant."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        from veza.organisations.scope import user_scope

        where = user_scope(user).records_filter(
            "screening.view_screening",
            "screening.view_participant_screenings",
            org_field="organisation_id",
            participant_field="participant_id",
        )
        return self.none() if where is None else self.filter(where)

    def editable_by(self, user):
        from veza.organisations.scope import user_scope

        orgs = user_scope(user).organisations_with("screening.change_screening")
        return self.visible_to(user).filter(organisation_id__in=orgs)


class Screening(VersionedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person_ref = models.CharField(
        _("your own reference"),
        max_length=40,
        blank=True,
        help_text=_("Optional: a file number or pseudonym you use. Never a name."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="screenings"
    )
    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(_("kind"), max_length=8, choices=Mode.choices, default=Mode.FULL)
    sector = models.CharField(_("sector"), max_length=40, blank=True)
    questionnaire = models.ForeignKey(
        "indicators.Questionnaire", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    current_section = models.PositiveSmallIntegerField(default=0)
    # Filled at completion, from the answers and the content versions then in force.
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, blank=True)
    exploitation = models.JSONField(_("suspected exploitation"), default=list, blank=True)
    urgent = models.JSONField(_("urgent flags"), default=list, blank=True)
    present = models.JSONField(_("indicators present"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    action = models.CharField(_("recommended action"), max_length=40, blank=True)
    quick_action = models.CharField(
        _("next step"), max_length=20, choices=QuickAction.choices, blank=True
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    rule = models.ForeignKey(
        "indicators.DecisionRule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sets = models.ManyToManyField("indicators.IndicatorSet", blank=True, related_name="+")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.WEB)
    #: For an imported screening: the tool it came from and its submission's instance id.
    origin_tool = models.CharField(_("recorded with"), max_length=40, blank=True, editable=False)
    external_id = models.CharField(
        _("submission id"), max_length=100, blank=True, default="", editable=False
    )
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("view_participant_screenings", _("Can see every screening of the participant")),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-updated_at"]),
            # The lists' order, for one organisation and for a participant seen whole.
            models.Index(fields=["organisation", "-updated_at", "-id"]),
            models.Index(fields=["participant", "-updated_at", "-id"]),
            models.Index(fields=["participant", "outcome"]),
            # The worklist's completed screenings still waiting for a case, newest first: read
            # in this order, the list stops at its twentieth instead of sorting them all.
            models.Index(
                fields=["organisation", "-completed_at", "-id"],
                condition=models.Q(status=ScreeningStatus.COMPLETED),
                name="screening_completed_newest",
            ),
        ]
        constraints = [
            # A submission becomes one screening, however often its file is imported.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="screening_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == ScreeningStatus.DRAFT

    @property
    def outcome_rank(self) -> int:
        from veza.indicators.engine import OUTCOMES

        return OUTCOMES.index(self.outcome) if self.outcome else -1

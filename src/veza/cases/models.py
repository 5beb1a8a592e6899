"""Cases: the pseudonymous case, its sealed identity record, consents, decisions and timeline."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.cases.choices import (
    CaseStatus,
    ConsentGiver,
    ConsentPurpose,
    Sex,
    TraffickingStatus,
)
from veza.core.fields import SealedJSONField, SealedTextField
from veza.core.models import VersionedModel

__all__ = [
    "Case",
    "CaseEvent",
    "Consent",
    "EmergencyAccess",
    "Identity",
    "TraffickingDecision",
    "new_case_code",
]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_case_code(participant_code: str, year: int) -> str:
    """A pseudonymous case code such as RS-2026-7K2Q9D, shown everywhere instead of a name."""
    return f"{participant_code}-{year}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases of organisations where the user may view cases, and every case of the
        participant for national coordinators. Referral recipients see referrals, not cases."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        from veza.organisations.scope import user_scope

        where = user_scope(user).records_filter(
            "cases.view_case",
            "cases.view_participant_cases",
            org_field="organisation_id",
            participant_field="participant_id",
        )
        return self.none() if where is None else self.filter(where)


class Case(VersionedModel):
    code = models.CharField(_("case code"), max_length=24, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("responsible organisation"),
    )
    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_status = models.CharField(
        _("case status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    trafficking_status = models.CharField(
        _("trafficking status"),
        max_length=12,
        choices=TraffickingStatus.choices,
        default=TraffickingStatus.POSSIBLE,
    )
    # Non-identifying facts, also used (aggregated and protected) for statistics.
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.PositiveSmallIntegerField(_("age when the case opened"), null=True, blank=True)
    is_child = models.BooleanField(_("child (or presumed a child)"), default=False)
    citizenship = models.CharField(_("citizenship (country code)"), max_length=2, blank=True)
    exploitation_country = models.CharField(
        _("country of exploitation (code)"), max_length=2, blank=True
    )
    exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    control_methods = models.JSONField(_("methods of control"), default=list, blank=True)
    screenings = models.ManyToManyField(
        "screening.Screening", blank=True, related_name="cases", verbose_name=_("screenings")
    )
    reflection_started_at = models.DateTimeField(
        _("recovery and reflection period started"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("view_participant_cases", _("Can see every case of the participant")),
            ("view_identity", _("Can see the identity of people in the organisation's cases")),
            ("change_identity", _("Can record the identity of people in the organisation's cases")),
            ("record_decision", _("Can record a formal identification decision")),
            ("manage_consent", _("Can record and withdraw consent")),
            ("break_glass", _("Can open a case outside their organisations in an emergency")),
        ]
        indexes = [
            models.Index(fields=["organisation", "case_status", "-updated_at"]),
            # The lists' order, for one organisation and for a participant seen whole.
            models.Index(fields=["organisation", "-updated_at", "-id"]),
            models.Index(fields=["participant", "-updated_at", "-id"]),
            models.Index(fields=["participant", "trafficking_status"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.case_status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


class Identity(models.Model):
    """Who the person is. Every field is sealed at rest; look-ups go through keyed hashes."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="identity")
    given_names = SealedTextField(_("given names"), blank=True)
    family_name = SealedTextField(_("family name"), blank=True)
    other_names = SealedTextField(_("other names or aliases"), blank=True)
    date_of_birth = SealedTextField(_("date of birth"), blank=True)
    place_of_birth = SealedTextField(_("place of birth"), blank=True)
    documents = SealedJSONField(_("identity documents"), blank=True, default=list)
    contacts = SealedJSONField(_("contacts"), blank=True, default=list)
    languages = SealedJSONField(_("languages spoken"), blank=True, default=list)
    family_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    full_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        default_permissions = ()

    def __str__(self) -> str:
        return f"identity of {self.case_id}"


class ConsentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """Consent for one purpose and, where the purpose needs one, one recipient organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    information_version = models.CharField(
        _("information given (version)"),
        max_length=40,
        help_text=_("Which version of the information sheet the person was given."),
    )
    given_by = models.CharField(
        _("given by"), max_length=24, choices=ConsentGiver.choices, default=ConsentGiver.PERSON
    )
    child_views = models.TextField(
        _("the child's views"),
        blank=True,
        help_text=_(
            "For a child: what the child said about this, in their words as far as possible."
        ),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.purpose}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class TraffickingDecision(models.Model):
    """A formal decision on the trafficking status, with the body that decided."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(_("decision"), max_length=12, choices=TraffickingStatus.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deciding body"),
    )
    decided_on = models.DateField(_("date of the decision"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("trafficking status decision")
        verbose_name_plural = _("trafficking status decisions")
        ordering = ["-decided_on", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.status}"


class CaseEvent(models.Model):
    """One line of a case's timeline. Holds codes and references, never identity."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class EmergencyAccessQuerySet(models.QuerySet):
    def live(self):
        """Grants not ended early and not yet expired, as of now."""
        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())


class EmergencyAccess(models.Model):
    """Break-the-glass: one person may read one case outside their organisations, for a few
    hours, for a written reason. Never in lists; every read under it is audited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses")
    reason = models.TextField(_("reason"))
    hours = models.PositiveSmallIntegerField(_("duration in hours"))
    granted_at = models.DateTimeField(_("opened"))
    expires_at = models.DateTimeField(_("until"), db_index=True)
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["user", "case", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.case_id}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()

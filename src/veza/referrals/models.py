"""The service directory, referrals between organisations, deadlines and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel
from veza.referrals.choices import DeadlineKind, ReferralStatus, ServiceType, Urgency

__all__ = ["LIVE_STATUSES", "CaseProgress", "Deadline", "Notification", "Referral", "Service"]

LIVE_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The directory is not personal data: anyone with the directory permission sees the
        services of their participant(s); regional roles see all."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        from veza.organisations.scope import user_scope

        scope = user_scope(user)
        if not scope.organisations_with("referrals.view_service"):
            return self.none()
        if scope.sees_all_participants:
            return self
        return self.filter(organisation__participant_id__in=scope.participant_ids)


class Service(VersionedModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation"),
    )
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    description = models.TextField(_("description"), blank=True)
    target_groups = models.JSONField(_("who it is for"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    area = models.CharField(_("area served"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    emergency = models.BooleanField(_("available in emergencies, day and night"), default=False)
    capacity_total = models.PositiveIntegerField(_("places in all"), null=True, blank=True)
    capacity_free = models.PositiveIntegerField(_("free places now"), null=True, blank=True)
    capacity_updated_at = models.DateTimeField(_("capacity updated"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["organisation__name", "service_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service_type"], name="service_one_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_service_type_display()}"


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals from or to the user's organisations; all of the participant for national
        coordinators."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        from veza.organisations.scope import user_scope

        scope = user_scope(user)
        orgs = scope.organisations_with("referrals.view_referral")
        participants = scope.participants_with("cases.view_participant_cases")
        if not orgs and not participants:
            return self.none()
        return self.filter(
            Q(from_organisation_id__in=orgs)
            | Q(to_organisation_id__in=orgs)
            | Q(case__participant_id__in=participants)
        )

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)


class Referral(VersionedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField(_("reason"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    shared_fields = models.JSONField(_("shared fields"), default=list)
    consent = models.ForeignKey(
        "cases.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    override_reason = models.TextField(_("reason for referring without consent"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("respond_referral", _("Can answer referrals sent to the organisation")),
            ("override_consent", _("Can refer without recorded consent, giving a reason")),
        ]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            # The lists' order: read backwards until a page of visible referrals is found.
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} → {self.to_organisation}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class Deadline(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("responsible organisation"),
    )
    kind = models.CharField(_("what is due"), max_length=32, choices=DeadlineKind.choices)
    due_at = models.DateTimeField(_("due"), db_index=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        default_permissions = ("view",)
        indexes = [
            # The open deadlines by when they fall due (worklist, reminders, escalation): a few
            # thousand, however many the instance has kept since it started.
            models.Index(
                fields=["due_at"],
                condition=models.Q(done_at__isnull=True),
                name="deadline_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class CaseProgress(models.Model):
    """Where a case stands in the SOP: its stage and the checklist items done."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="progress")
    stage = models.CharField(_("stage"), max_length=40)
    done = models.JSONField(_("checklist done"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class Notification(models.Model):
    """An in-app notice for one person; the e-mail copy says where to look, never who."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [
            # A person's unread notices, newest first (the worklist, the interpreter pages): read in
            # this order, not sorted from all the notices the person ever had.
            models.Index(
                fields=["user", "-created_at", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

    @property
    def label(self) -> str:
        from veza.referrals.notices import notice_subject

        return notice_subject(self.kind)

    @property
    def url(self) -> str:
        from veza.referrals.notices import notice_url

        return notice_url(self.kind)

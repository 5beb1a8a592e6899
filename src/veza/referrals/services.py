"""Writes of the referrals app: the service directory, referral transitions, deadlines.

Every transition is one transaction: the state change, its timeline event, its deadlines, its
notifications and its audit entry commit together or not at all; e-mails leave after the commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.cases.models import Case, CaseEvent, Consent
from veza.cases.services import consent_withdrawn, decision_record
from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.versioning import save_versioned
from veza.referrals.choices import DeadlineKind, ReferralStatus, ServiceType, TargetGroup, Urgency
from veza.referrals.models import Deadline, Notification, Referral, Service
from veza.referrals.sop import sop_for

__all__ = [
    "CASE_FIELDS",
    "DEFAULT_SHARED",
    "IDENTITY_FIELDS",
    "case_shared_data",
    "deadlines_check",
    "members_with",
    "notify",
    "referral_accept",
    "referral_complete",
    "referral_decide",
    "referral_decline",
    "referral_send",
    "referral_shared_data",
    "referral_start",
    "referral_withdraw",
    "service_save",
]

#: Facts of the case a referral may share, and identity fields (which also need consent to share).
CASE_FIELDS = (
    "is_child",
    "sex",
    "age",
    "citizenship",
    "exploitation",
    "control_methods",
    "trafficking_status",
    "screening_outcome",
)
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "languages",
    "contacts",
    "documents",
)
#: The minimum a receiving organisation usually needs: chosen unless the sender changes it.
DEFAULT_SHARED = ["is_child", "sex", "age", "exploitation"]

ALLOWED = {
    "accept": {ReferralStatus.SENT},
    "decline": {ReferralStatus.SENT},
    "start": {ReferralStatus.ACCEPTED},
    "complete": {ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS},
    "withdraw": {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS},
}


# --- Service directory -------------------------------------------------------------------------


def _clean_service(values: dict) -> dict:
    problems: dict[str, list[str]] = {}
    if values.get("service_type") not in ServiceType.values:
        problems["service_type"] = [_("Choose one of the listed services.")]
    groups = list(dict.fromkeys(values.get("target_groups") or []))
    if any(g not in TargetGroup.values for g in groups):
        problems["target_groups"] = [_("Choose from the listed groups only.")]
    total, free = values.get("capacity_total"), values.get("capacity_free")
    if total is not None and free is not None and free > total:
        problems["capacity_free"] = [_("There cannot be more free places than places in all.")]
    if problems:
        raise ValidationError(fields=problems)
    values["target_groups"] = groups
    values["languages"] = [str(x).strip() for x in values.get("languages") or [] if str(x).strip()]
    return values


@transaction.atomic
def service_save(
    *,
    actor,
    organisation,
    service: Service | None = None,
    expected_version: int | None = None,
    **values,
) -> Service:
    """Publish or update a service of one's own organisation (capacity included)."""
    if not actor.has_perm("referrals.change_service", organisation):
        raise PermissionDeniedError()
    values = _clean_service(values)
    capacity_changed = service is None or any(
        values.get(f) != getattr(service, f) for f in ("capacity_total", "capacity_free")
    )
    if service is None:
        if Service.objects.filter(
            organisation=organisation, service_type=values["service_type"]
        ).exists():
            raise ValidationError(
                fields={"service_type": [_("Your organisation lists this service already.")]}
            )
        service = Service(organisation=organisation, **values)
        if capacity_changed:
            service.capacity_updated_at = timezone.now()
        service.save()
        action = "service.create"
    else:
        if service.organisation_id != organisation.pk:
            raise PermissionDeniedError()
        for name, value in values.items():
            setattr(service, name, value)
        if capacity_changed:
            service.capacity_updated_at = timezone.now()
        save_versioned(service, [*values, "capacity_updated_at"], expected_version=expected_version)
        action = "service.update"
    audit_log(
        action,
        actor=actor,
        obj=service,
        organisation_id=organisation.pk,
        detail={"service_type": service.service_type},
    )
    return service


# --- Notifications and deadlines ------------------------------------------------------------------


def members_with(organisation, perm: str):
    """The active members of an organisation who hold a permission there."""
    User = get_user_model()
    users = User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__is_active=True
    ).distinct()
    return [u for u in users if u.has_perm(perm, organisation)]


def notify(users, kind: str, *, referral: Referral | None = None, case: Case | None = None):
    """An in-app notice for each person (once), in the caller's transaction; the e-mail copy
    leaves after the commit. `kind` is one of `referrals.notices`."""
    from veza.referrals.tasks import email_notification

    for user in {u.pk: u for u in users if u is not None}.values():
        notification = Notification.objects.create(
            user=user,
            kind=kind,
            referral=referral,
            case=case or (referral.case if referral else None),
        )
        transaction.on_commit(lambda pk=notification.pk: email_notification.enqueue(pk))


def _deadline(case, referral, organisation, kind, hours) -> Deadline:
    return Deadline.objects.create(
        case=case,
        referral=referral,
        organisation=organisation,
        kind=kind,
        due_at=timezone.now() + timedelta(hours=hours),
    )


def _done(referral: Referral, kind: str) -> None:
    Deadline.objects.filter(referral=referral, kind=kind, done_at__isnull=True).update(
        done_at=timezone.now()
    )


def _event(case, actor, kind, organisation, **detail) -> None:
    CaseEvent.objects.create(
        case=case, actor=actor, organisation=organisation, kind=kind, detail=detail
    )


# --- Referrals -----------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *,
    actor,
    case: Case,
    service: Service,
    reason: str,
    urgency: str,
    shared_fields: list[str] | None = None,
    override_reason: str = "",
) -> Referral:
    """Refer the person to another organisation's service, sharing only the chosen fields."""
    if not actor.has_perm("referrals.add_referral", case.organisation):
        raise PermissionDeniedError()
    if case.is_closed:
        raise ValidationError(_("This case is closed and can no longer be changed."))
    problems: dict[str, list[str]] = {}
    to_organisation = service.organisation
    if not service.is_active:
        problems["service"] = [_("This service is not offered at the moment.")]
    if to_organisation.pk == case.organisation_id:
        problems["service"] = [_("Refer to another organisation, not your own.")]
    if to_organisation.participant_id != case.participant_id:
        problems["service"] = [
            _("Referral to another participant's services is a transnational referral.")
        ]
    if not (reason or "").strip():
        problems["reason"] = [_("Say why you refer the person.")]
    if urgency not in Urgency.values:
        problems["urgency"] = [_("Choose the urgency.")]
    shared = list(dict.fromkeys(DEFAULT_SHARED if shared_fields is None else shared_fields))
    unknown = [f for f in shared if f not in CASE_FIELDS + IDENTITY_FIELDS]
    if unknown:
        problems["shared_fields"] = [_("These fields cannot be shared: %s") % ", ".join(unknown)]
    if problems:
        raise ValidationError(fields=problems)
    consent = (
        Consent.objects.live()
        .filter(case=case, purpose="referral", recipient=to_organisation)
        .order_by("-recorded_at")
        .first()
    )
    needs_data_consent = any(f in IDENTITY_FIELDS for f in shared)
    data_consent = (
        Consent.objects.live()
        .filter(case=case, purpose="data_sharing", recipient=to_organisation)
        .exists()
    )
    missing = consent is None or (needs_data_consent and not data_consent)
    override_reason = (override_reason or "").strip()
    if missing:
        if not override_reason:
            raise ValidationError(
                fields={
                    "consent": [
                        _(
                            "There is no consent for this referral (and for sharing the identity "
                            "fields chosen). Record it first, or give a reason to refer without it."
                        )
                    ]
                }
            )
        if not actor.has_perm("referrals.override_consent", case.organisation):
            raise PermissionDeniedError(
                _("Referring without consent needs the override permission.")
            )
    referral = Referral.objects.create(
        case=case,
        from_organisation=case.organisation,
        to_organisation=to_organisation,
        service=service,
        reason=reason.strip(),
        urgency=urgency,
        shared_fields=shared,
        consent=consent,
        override_reason=override_reason if missing else "",
        sent_by=actor,
    )
    rules = sop_for(case.participant.code)["deadlines"]
    _deadline(
        case,
        referral,
        to_organisation,
        DeadlineKind.FIRST_CONTACT,
        rules["first_contact_hours"][urgency],
    )
    if service.service_type == ServiceType.IDENTIFICATION:
        _deadline(
            case,
            referral,
            to_organisation,
            DeadlineKind.IDENTIFICATION_DECISION,
            rules["identification_decision_hours"],
        )
    _event(
        case,
        actor,
        "referral.sent",
        case.organisation,
        to=to_organisation.name,
        service=service.service_type,
    )
    notify(
        members_with(to_organisation, "referrals.respond_referral"),
        "referral.received",
        referral=referral,
    )
    audit_log(
        "referral.send",
        actor=actor,
        obj=referral,
        organisation_id=case.organisation_id,
        detail={
            "case": case.pk,
            "to": to_organisation.pk,
            "fields": shared,
            "override": bool(referral.override_reason),
        },
    )
    if referral.override_reason:
        audit_log(
            "referral.consent_override",
            actor=actor,
            obj=referral,
            organisation_id=case.organisation_id,
            detail={"case": case.pk},
        )
    return referral


def _transition(
    actor, referral: Referral, step: str, expected_version, new_status, *, side: str, **fields
) -> Referral:
    organisation = referral.to_organisation if side == "to" else referral.from_organisation
    perm = "referrals.respond_referral" if side == "to" else "referrals.add_referral"
    if not actor.has_perm(perm, organisation):
        raise PermissionDeniedError()
    if referral.status not in ALLOWED[step]:
        raise ValidationError(
            _("This referral is “%(status)s”: it cannot be changed that way.")
            % {"status": referral.get_status_display()}
        )
    referral.status = new_status
    for name, value in fields.items():
        setattr(referral, name, value)
    save_versioned(
        referral, ["status", *fields], expected_version=expected_version, require_version=False
    )
    _event(
        referral.case,
        actor,
        f"referral.{step}",
        organisation,
        to=referral.to_organisation.name,
        status=new_status,
    )
    audit_log(
        f"referral.{step}",
        actor=actor,
        obj=referral,
        organisation_id=organisation.pk,
        detail={"case": referral.case_id, "status": new_status},
    )
    return referral


@transaction.atomic
def referral_accept(*, actor, referral: Referral, expected_version=None) -> Referral:
    referral = _transition(
        actor,
        referral,
        "accept",
        expected_version,
        ReferralStatus.ACCEPTED,
        side="to",
        responded_by=actor,
        responded_at=timezone.now(),
    )
    _done(referral, DeadlineKind.FIRST_CONTACT)
    notify([referral.sent_by], "referral.accepted", referral=referral)
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str, expected_version=None) -> Referral:
    if not (reason or "").strip():
        raise ValidationError(fields={"reason": [_("Say why you decline.")]})
    referral = _transition(
        actor,
        referral,
        "decline",
        expected_version,
        ReferralStatus.DECLINED,
        side="to",
        responded_by=actor,
        responded_at=timezone.now(),
        decline_reason=reason.strip(),
        closed_at=timezone.now(),
    )
    Deadline.objects.filter(referral=referral, done_at__isnull=True).update(done_at=timezone.now())
    notify([referral.sent_by], "referral.declined", referral=referral)
    return referral


@transaction.atomic
def referral_start(*, actor, referral: Referral, expected_version=None) -> Referral:
    return _transition(
        actor, referral, "start", expected_version, ReferralStatus.IN_PROGRESS, side="to"
    )


@transaction.atomic
def referral_complete(*, actor, referral: Referral, expected_version=None) -> Referral:
    referral = _transition(
        actor,
        referral,
        "complete",
        expected_version,
        ReferralStatus.COMPLETED,
        side="to",
        closed_at=timezone.now(),
    )
    notify([referral.sent_by], "referral.completed", referral=referral)
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral, expected_version=None) -> Referral:
    referral = _transition(
        actor,
        referral,
        "withdraw",
        expected_version,
        ReferralStatus.WITHDRAWN,
        side="from",
        closed_at=timezone.now(),
    )
    Deadline.objects.filter(referral=referral, done_at__isnull=True).update(done_at=timezone.now())
    notify(
        members_with(referral.to_organisation, "referrals.view_referral"),
        "referral.withdrawn",
        referral=referral,
    )
    return referral


@transaction.atomic
def referral_decide(*, actor, referral: Referral, status: str, decided_on, note: str = ""):
    """The identification body decides on the person it received; the case's status follows."""
    if referral.service.service_type != ServiceType.IDENTIFICATION or not referral.is_live:
        raise ValidationError(_("Decisions are recorded on a live referral for identification."))
    decision = decision_record(
        actor=actor,
        case=referral.case,
        status=status,
        organisation=referral.to_organisation,
        decided_on=decided_on,
        note=note,
    )
    _done(referral, DeadlineKind.IDENTIFICATION_DECISION)
    _done(referral, DeadlineKind.FIRST_CONTACT)
    return decision


@receiver(consent_withdrawn, dispatch_uid="veza-referrals-consent-withdrawn")
def _stop_sharing(sender, consent, actor, **kwargs):
    """Consent withdrawn: live referrals under it end, and their recipients are told."""
    for referral in (
        Referral.objects.live().filter(consent=consent).select_related("to_organisation", "case")
    ):
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.WITHDRAWN, closed_at=timezone.now(), version=F("version") + 1
        )
        Deadline.objects.filter(referral=referral, done_at__isnull=True).update(
            done_at=timezone.now()
        )
        notify(
            members_with(referral.to_organisation, "referrals.view_referral"),
            "referral.consent_withdrawn",
            referral=referral,
        )
        audit_log(
            "referral.consent_withdrawn",
            actor=actor,
            obj=referral,
            organisation_id=referral.from_organisation_id,
            detail={"consent": consent.pk},
        )


# --- What the recipient sees ---------------------------------------------------------------------


def case_shared_data(case: Case, fields) -> dict:
    """The values of the chosen case and identity fields (what a referral shares)."""
    data = {}
    for name in fields:
        if name == "screening_outcome":
            screening = case.screenings.order_by("-completed_at").first()
            data[name] = screening.outcome if screening else ""
        elif name in CASE_FIELDS:
            data[name] = getattr(case, name)
    wanted = [f for f in fields if f in IDENTITY_FIELDS]
    if wanted:
        identity = getattr(case, "identity", None) if hasattr(case, "identity") else None
        for name in wanted:
            data[name] = getattr(identity, name, "") if identity else ""
    return data


def referral_shared_data(*, actor, referral: Referral) -> dict:
    """The shared fields, for the receiving organisation, only while the referral is live."""
    if not actor.has_perm("referrals.view_referral", referral.to_organisation):
        raise PermissionDeniedError()
    if not referral.is_live:
        return {}
    case = referral.case
    data = {"code": case.code, **case_shared_data(case, referral.shared_fields)}
    wanted = [f for f in referral.shared_fields if f in IDENTITY_FIELDS]
    if wanted:
        audit_log(
            "referral.read_identity",
            actor=actor,
            obj=referral,
            organisation_id=referral.to_organisation_id,
            detail={"case": case.pk, "fields": wanted},
        )
    return data


# --- Reminders and escalation ---------------------------------------------------------------------


@transaction.atomic
def deadlines_check(now=None) -> dict:
    """Remind the responsible organisation before a deadline; escalate to the national
    coordinators once it has passed. Each deadline is reminded and escalated once."""
    now = now or timezone.now()
    reminded = escalated = 0
    open_deadlines = Deadline.objects.filter(done_at__isnull=True).select_related(
        "organisation", "case__participant"
    )
    for deadline in open_deadlines.select_for_update():
        hours = sop_for(deadline.case.participant.code)["deadlines"]["remind_before_hours"]
        if deadline.due_at <= now and deadline.escalated_at is None:
            from veza.organisations.models import Organisation

            coordinators = []
            for org in Organisation.objects.filter(participant=deadline.case.participant):
                coordinators += members_with(org, "cases.view_participant_cases")
            notify(
                coordinators + members_with(deadline.organisation, "referrals.view_referral"),
                "deadline.overdue",
                referral=deadline.referral,
                case=deadline.case,
            )
            deadline.escalated_at = now
            deadline.save(update_fields=["escalated_at"])
            audit_log(
                "deadline.escalate",
                actor="system",
                obj=deadline,
                organisation_id=deadline.organisation_id,
                detail={"kind": deadline.kind},
            )
            escalated += 1
        elif now < deadline.due_at <= now + timedelta(hours=hours) and deadline.reminded_at is None:
            notify(
                members_with(deadline.organisation, "referrals.view_referral"),
                "deadline.reminder",
                referral=deadline.referral,
                case=deadline.case,
            )
            deadline.reminded_at = now
            deadline.save(update_fields=["reminded_at"])
            reminded += 1
    return {"reminded": reminded, "escalated": escalated}

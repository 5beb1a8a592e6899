"""Break-the-glass: emergency access to one case of another organisation of the same participant.

A holder of `cases.break_glass` types a case's reference, a written reason and a duration (1, 4
or 8 hours). While the grant is live the case opens by its id for that person only — never in a
list or a search — read-only, with a banner on every page; every read is audited with
`via=break_glass`. The participant's national coordinators and the owning organisation's case
workers are told at once (the referrals app sends the notices, see `emergency_access_opened`),
and the coordinator, the owning organisation or the person themselves may end it early.
A case of another participant is never reached this way: that is a transnational referral.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.cases.models import Case, CaseEvent, EmergencyAccess
from veza.core.audit import audit_log
from veza.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from veza.core.scoping import require_perm

__all__ = [
    "BREAK_GLASS",
    "DURATIONS",
    "REASON_MIN_LENGTH",
    "emergency_access_end",
    "emergency_access_for",
    "emergency_access_get_visible",
    "emergency_access_list_visible",
    "emergency_access_open",
    "emergency_access_opened",
    "emergency_access_read",
    "emergency_may_end",
    "may_view_identity",
    "refuse_under_emergency",
]

BREAK_GLASS = "cases.break_glass"
#: The durations a person may choose, in hours; eight is the most.
DURATIONS = (1, 4, 8)
REASON_MIN_LENGTH = 20
REASON_MAX_LENGTH = 1000
#: A case reference as `new_case_code` makes it: participant, year, six letters or digits.
REFERENCE = re.compile(r"^[A-Z]{2,4}-\d{4}-[A-Z0-9]{6}$")

#: Sent inside the opening transaction with `grant`; the referrals app notifies the national
#: coordinators of the case's participant and the owning organisation's case workers.
emergency_access_opened = Signal()


def _unknown() -> ValidationError:
    # One answer for a reference that does not exist and for a case of another participant, so
    # that the form cannot be used to learn which references exist elsewhere.
    return ValidationError(
        fields={
            "reference": [
                _(
                    "No case of your participant has this reference. Check it and type it "
                    "exactly as it was given to you."
                )
            ]
        }
    )


@transaction.atomic
def emergency_access_open(*, actor, reference: str, reason: str, hours: int) -> EmergencyAccess:
    """Open emergency access to one case of the actor's participant, for `hours` hours."""
    require_perm(actor, BREAK_GLASS)
    from veza.organisations.scope import user_scope

    problems: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        problems["reason"] = [
            _("Write why you need this case now, in at least %(n)d characters.")
            % {"n": REASON_MIN_LENGTH}
        ]
    elif len(reason) > REASON_MAX_LENGTH:
        problems["reason"] = [
            _("Keep the reason to %(n)d characters at most.") % {"n": REASON_MAX_LENGTH}
        ]
    if hours not in DURATIONS:
        problems["hours"] = [_("Choose 1, 4 or 8 hours.")]
    reference = (reference or "").strip().upper()
    if not REFERENCE.match(reference):
        problems.setdefault("reference", []).append(str(_unknown().fields["reference"][0]))
    if problems:
        raise ValidationError(fields=problems)
    participants = user_scope(actor).participants_with(BREAK_GLASS)
    case = Case.objects.filter(code=reference, participant_id__in=participants).first()
    if case is None:
        raise _unknown()
    if Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError(
            fields={"reference": [_("You can already open this case: find it in your cases.")]}
        )
    live = EmergencyAccess.objects.live().filter(user=actor, case=case).first()
    if live is not None:
        raise ValidationError(
            fields={
                "reference": [
                    _("You already have emergency access to this case until %(time)s.")
                    % {"time": timezone.localtime(live.expires_at).strftime("%H:%M")}
                ]
            }
        )
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        user=actor,
        case=case,
        reason=reason,
        hours=hours,
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        organisation=None,
        kind="case.break_glass",
        detail={"grant": grant.pk, "hours": hours},
    )
    # The reason is free text and stays on the grant; the audit holds ids and codes only.
    audit_log(
        "case.break_glass",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"grant": grant.pk, "hours": hours, "expires_at": grant.expires_at.isoformat()},
    )
    emergency_access_opened.send(sender=EmergencyAccess, grant=grant, actor=actor)
    return grant


def emergency_may_end(user, grant: EmergencyAccess) -> bool:
    """The person themselves, a national coordinator of the case's participant, or someone who
    manages cases in the owning organisation."""
    from veza.organisations.scope import user_scope

    scope = user_scope(user)
    case = grant.case
    return (
        grant.user_id == user.pk
        or case.participant_id in scope.participants_with("cases.view_participant_cases")
        or user.has_perm("cases.change_case", case)
    )


@transaction.atomic
def emergency_access_end(*, actor, grant: EmergencyAccess) -> EmergencyAccess:
    """End a live grant before its time (by its holder, or revoked by a coordinator)."""
    grant = EmergencyAccess.objects.select_for_update().select_related("case").get(pk=grant.pk)
    if not emergency_may_end(actor, grant):
        raise PermissionDeniedError()
    if not grant.is_live:
        raise ValidationError(_("This emergency access has already ended."))
    grant.ended_at = timezone.now()
    grant.ended_by = actor
    grant.save(update_fields=["ended_at", "ended_by"])
    revoked = grant.user_id != actor.pk
    CaseEvent.objects.create(
        case=grant.case,
        actor=actor,
        organisation=None,
        kind="case.break_glass_ended",
        detail={"grant": grant.pk, "revoked": revoked},
    )
    audit_log(
        "case.break_glass_revoke" if revoked else "case.break_glass_end",
        actor=actor,
        obj=grant.case,
        organisation_id=grant.case.organisation_id,
        detail={"grant": grant.pk, "user": grant.user_id},
    )
    return grant


# --- Reads --------------------------------------------------------------------------------------


def emergency_access_for(user, case_or_id) -> EmergencyAccess | None:
    """The user's live grant on this case, if any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    case_id = getattr(case_or_id, "pk", case_or_id)
    return EmergencyAccess.objects.live().filter(user=user, case_id=case_id).order_by("-id").first()


def emergency_access_read(*, user, pk) -> Case | None:
    """The case by id when the user's only way in is a live grant; the read is audited with
    `via=break_glass`, and the case carries the grant as `case.emergency_access`."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    grant = emergency_access_for(user, pk)
    if grant is None:
        return None
    from veza.organisations.scope import user_scope

    # Still a holder of the permission in the case's participant (a revoked role ends it).
    case = grant.case
    if case.participant_id not in user_scope(user).participants_with(BREAK_GLASS):
        return None
    with transaction.atomic():
        audit_log(
            "case.read",
            actor=user,
            obj=case,
            organisation_id=case.organisation_id,
            detail={"via": "break_glass", "grant": grant.pk},
        )
    case.emergency_access = grant
    return case


def may_view_identity(user, case: Case) -> bool:
    """The identity permission in the owning organisation; under emergency access, the identity
    permission in one of the user's own organisations."""
    if user.has_perm("cases.view_identity", case):
        return True
    grant = getattr(case, "emergency_access", None)
    return (
        grant is not None
        and grant.user_id == user.pk
        and grant.case_id == case.pk
        and grant.is_live
        and user.has_perm("cases.view_identity")
    )


def refuse_under_emergency(case: Case) -> None:
    """Emergency access reads; it never changes or exports a case (403)."""
    if getattr(case, "emergency_access", None) is not None:
        raise PermissionDeniedError(
            _("Emergency access lets you read this case, not change or export it.")
        )


def emergency_access_list_visible(*, user) -> QuerySet[EmergencyAccess]:
    """Grants on the cases the user sees in their own scope (coordinators: all of the
    participant's), and the user's own grants."""
    require_perm(user, "cases.view_case")
    return (
        EmergencyAccess.objects.filter(
            Q(case__in=Case.objects.visible_to(user)) | Q(user_id=user.pk)
        )
        .select_related("user", "case", "case__organisation", "ended_by")
        .order_by("-granted_at", "-id")
    )


def emergency_access_get_visible(*, user, pk) -> EmergencyAccess:
    if not str(pk).isdigit():
        raise NotFoundError()
    grant = emergency_access_list_visible(user=user).filter(pk=int(pk)).first()
    if grant is None:
        raise NotFoundError()
    return grant

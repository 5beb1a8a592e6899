"""What happens to one record that ran out (a purge rule's `apply`): anonymised, its free text
cleared and its dates coarsened, and remembered as anonymised; or erased."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from veza.privacy.retention.candidates import _anonymised

__all__: list[str] = []


#: What an anonymising rule returns when it erased the record instead (a draft screening).
ERASED = object()


def _mark(label: str, pk: int, retention_class: str, now: datetime) -> None:
    from veza.privacy.models import AnonymisedRecord

    AnonymisedRecord.objects.create(
        model=label, object_id=pk, retention_class=retention_class, at=now
    )


# --- Dates ---------------------------------------------------------------------------------------


def _shift(first: datetime | None) -> timedelta:
    """How far back a record's dates move so that its first date lands on the first of its
    month (UTC): the day is gone, the intervals between the record's dates stay."""
    if first is None:
        return timedelta(0)
    start = first.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first - start


def _moved(value, delta: timedelta):
    return value - delta if value is not None else None


def _moved_dates(obj, names: tuple[str, ...], delta: timedelta) -> dict:
    return {name: _moved(getattr(obj, name), delta) for name in names}


# --- Anonymising one record ----------------------------------------------------------------------


def _consent_anonymise(consent, now) -> None:
    from veza.cases.models import Consent

    delta = _shift(consent.recorded_at)
    Consent.objects.filter(pk=consent.pk).update(
        child_views="",
        withdrawal_note="",
        **_moved_dates(consent, ("recorded_at", "withdrawn_at"), delta),
    )


def _deadlines_coarsen(queryset) -> None:
    from veza.referrals.models import Deadline

    for deadline in queryset:
        delta = _shift(deadline.due_at)
        Deadline.objects.filter(pk=deadline.pk).update(
            **_moved_dates(deadline, ("due_at", "done_at", "reminded_at", "escalated_at"), delta)
        )


def _referral_anonymise(referral, now) -> None:
    from veza.referrals.models import Deadline, Referral

    delta = _shift(referral.created_at)
    Referral.objects.filter(pk=referral.pk).update(
        reason="",
        decline_reason="",
        override_reason="",
        **_moved_dates(referral, ("created_at", "updated_at", "responded_at", "closed_at"), delta),
    )
    _deadlines_coarsen(Deadline.objects.filter(referral=referral))


def _cross_border_anonymise(referral, now) -> None:
    from veza.federation.models import CrossBorderReferral

    delta = _shift(referral.created_at)
    CrossBorderReferral.objects.filter(pk=referral.pk).update(
        reason="",
        shared_data={},
        risk_assessment="",
        decline_reason="",
        remote_case_code="",
        **_moved_dates(referral, ("created_at", "updated_at", "responded_at"), delta),
    )


def _screening_anonymise(screening, now):
    from veza.screening.models import Screening

    if screening.is_draft:
        screening.delete()
        return ERASED
    delta = _shift(screening.created_at)
    Screening.objects.filter(pk=screening.pk).update(
        answers={},
        person_ref="",
        external_id="",
        result={},
        age=None,
        current_section=0,
        **_moved_dates(screening, ("created_at", "updated_at", "completed_at"), delta),
    )


def _case_anonymise(case, now) -> None:
    """The whole case: identity gone, free text cleared, dates coarsened, statistics kept."""
    from veza.cases.models import (
        Case,
        CaseEvent,
        Consent,
        EmergencyAccess,
        Identity,
        TraffickingDecision,
    )
    from veza.federation.models import CrossBorderReferral
    from veza.interpreters.models import InterpreterRequest
    from veza.referrals.models import CaseProgress, Deadline, Notification, Referral

    Identity.objects.filter(case=case).delete()
    CaseEvent.objects.filter(case=case).delete()
    # Emergency (break-the-glass) grants: their reasons are free text; the audit log keeps who
    # opened the case when.
    EmergencyAccess.objects.filter(case=case).delete()
    Notification.objects.filter(Q(case=case) | Q(referral__case=case)).delete()
    for consent in Consent.objects.filter(case=case):
        _consent_anonymise(consent, now)
    for referral in Referral.objects.filter(case=case):
        _referral_anonymise(referral, now)
    _deadlines_coarsen(Deadline.objects.filter(case=case, referral__isnull=True))
    for referral in CrossBorderReferral.objects.filter(case=case):
        _cross_border_anonymise(referral, now)
    for screening in case.screenings.all():
        # A screening that another, living case also grew from stays until that case goes.
        others = screening.cases.exclude(pk=case.pk).exclude(pk__in=_anonymised("cases.case"))
        if not others.exists():
            _screening_anonymise(screening, now)
    for decision in TraffickingDecision.objects.filter(case=case):
        TraffickingDecision.objects.filter(pk=decision.pk).update(
            note="",
            decided_on=decision.decided_on.replace(day=1),
            recorded_at=_moved(decision.recorded_at, _shift(decision.recorded_at)),
        )
    CaseProgress.objects.filter(case=case).update(
        updated_at=now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    # The code is a pseudonym that paper files and messages may carry: it goes too.
    InterpreterRequest.objects.filter(reference=case.code).update(reference="")
    delta = _shift(case.created_at)
    Case.objects.filter(pk=case.pk).update(
        code=f"ANON-{case.pk}",
        created_by=None,
        **_moved_dates(
            case, ("created_at", "updated_at", "closed_at", "reflection_started_at"), delta
        ),
    )


def _interpreter_anonymise(interpreter, now) -> None:
    from veza.interpreters.models import Availability, Interpreter

    Availability.objects.filter(interpreter=interpreter).delete()
    Interpreter.objects.filter(pk=interpreter.pk).update(
        name=f"#{interpreter.pk}",
        user=None,
        area="",
        latitude=None,
        longitude=None,
        travel_km_max=None,
        accreditation="",
        trafficking_training=None,
        trauma_training=None,
        vetted_until=None,
        confidentiality_signed=None,
        conflicts=[],
        rate_per_hour=None,
    )


def _user_anonymise(user, now) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from veza.core.models import ApiToken
    from veza.organisations.models import Membership

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).update(is_active=False)
    get_user_model().objects.filter(pk=user.pk).update(
        username=f"former-{user.pk}",
        first_name="",
        last_name="",
        email="",
        language="",
        password=make_password(None),
        is_active=False,
    )


def _delete(obj, now) -> None:
    obj.delete()


def _anonymising(code: str, apply):
    """Apply, then remember that the record is anonymised (so later runs leave it be)."""

    def run(obj, now):
        label, pk = obj._meta.label_lower, obj.pk
        if apply(obj, now) is not ERASED:
            _mark(label, pk, code, now)

    return run

"""`veza retention purge`: erase or anonymise what the retention register says has run out.

Each class of the register has a purge rule here: which records have run out for a participant
(`candidates`) and what happens to one of them (`apply`). The purge works class by class and
participant by participant, in batches: one transaction per batch, one savepoint per record, so
that a record is purged entirely or not at all, and one `retention.purge` audit entry per batch
(counts only) in the batch's transaction. Open cases and cases under a legal hold are never
touched, nor is anything linked to them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError

__all__ = ["PURGERS", "PlanRow", "PurgeReport", "Purger", "purge_plan", "retention_purge"]

log = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass(frozen=True)
class Part:
    """One model of a class: the records that ran out for a participant, and what to do."""

    model: Callable[[], type[models.Model]]
    candidates: Callable[[str, datetime, datetime], models.QuerySet]  # participant, cutoff, now
    apply: Callable[[models.Model, datetime], None]


@dataclass(frozen=True)
class Purger:
    action: str
    parts: tuple[Part, ...]


# --- What is out of reach ------------------------------------------------------------------------


def _instance_participant() -> str:
    return settings.VEZA_INSTANCE_PARTICIPANT


def _for_instance(participant: str, queryset):
    """Records that belong to the instance as a whole follow the instance's participant."""
    return queryset if participant == _instance_participant() else queryset.none()


def _held_cases():
    from veza.privacy.models import LegalHold

    return LegalHold.objects.active().values("case_id")


def _anonymised(label: str):
    from veza.privacy.models import AnonymisedRecord

    return AnonymisedRecord.objects.filter(model=label).values("object_id")


#: What an anonymising rule returns when it erased the record instead (a draft screening).
ERASED = object()


def _mark(label: str, pk: int, retention_class: str, now: datetime) -> None:
    from veza.privacy.models import AnonymisedRecord

    AnonymisedRecord.objects.create(
        model=label, object_id=pk, retention_class=retention_class, at=now
    )


def _closed_cases(participant: str, cutoff: datetime):
    """Closed cases of the participant, closed before the cutoff, not held, not anonymised."""
    from veza.cases.choices import CaseStatus
    from veza.cases.models import Case

    return (
        Case.objects.filter(
            participant__code=participant,
            case_status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED],
            closed_at__isnull=False,
            closed_at__lte=cutoff,
        )
        .exclude(pk__in=_held_cases())
        .exclude(pk__in=_anonymised("cases.case"))
    )


def _linked(model, participant: str, cutoff: datetime, *, label: str):
    """Records of closed, run-out cases that are not yet anonymised themselves."""
    return model.objects.filter(case__in=_closed_cases(participant, cutoff)).exclude(
        pk__in=_anonymised(label)
    )


def _home_participant(user_ref: str = "pk"):
    """The participant of a user (`user_ref` names the user from the outer query): that of
    their first membership, or the instance's for an account without one."""
    from veza.organisations.models import Membership

    first = (
        Membership.objects.filter(user_id=OuterRef(user_ref))
        .order_by("created_at", "pk")
        .values("organisation__participant__code")[:1]
    )
    return Coalesce(Subquery(first), Value(_instance_participant()))


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


# --- Which records ran out -----------------------------------------------------------------------


def _identity(participant, cutoff, now):
    from veza.cases.models import Identity

    return Identity.objects.filter(case__in=_closed_cases(participant, cutoff))


def _consents(participant, cutoff, now):
    from veza.cases.models import Consent

    return _linked(Consent, participant, cutoff, label="cases.consent")


def _referrals(participant, cutoff, now):
    from veza.referrals.models import Referral

    return _linked(Referral, participant, cutoff, label="referrals.referral")


def _cross_border(participant, cutoff, now):
    from veza.federation.models import CrossBorderReferral

    return _linked(CrossBorderReferral, participant, cutoff, label="federation.crossborderreferral")


def _cases(participant, cutoff, now):
    return _closed_cases(participant, cutoff)


def _screenings(participant, cutoff, now):
    from veza.cases.models import Case
    from veza.screening.choices import ScreeningStatus
    from veza.screening.models import Screening

    linked = Case.screenings.through.objects.filter(screening_id=OuterRef("pk"))
    return (
        Screening.objects.filter(participant__code=participant)
        .exclude(Exists(linked))
        .filter(
            Q(status=ScreeningStatus.COMPLETED, completed_at__lte=cutoff)
            | Q(status=ScreeningStatus.DRAFT, updated_at__lte=cutoff)
        )
        .exclude(pk__in=_anonymised("screening.screening"))
    )


def _bookings(participant, cutoff, now):
    from veza.interpreters.models import InterpreterRequest

    return InterpreterRequest.objects.filter(participant__code=participant, end__lte=cutoff)


def _profiles(participant, cutoff, now):
    from veza.interpreters.models import Interpreter

    return Interpreter.objects.filter(
        participant__code=participant, is_active=False, updated_at__lte=cutoff
    ).exclude(pk__in=_anonymised("interpreters.interpreter"))


def _packets(participant, cutoff, now):
    from veza.federation.models import Packet

    return _for_instance(
        participant,
        Packet.objects.annotate(ended=Coalesce("done_at", "expires_at")).filter(
            status__in=[Packet.Status.DELIVERED, Packet.Status.PROCESSED, Packet.Status.EXPIRED],
            ended__lte=cutoff,
        ),
    )


def _rejected_packets(participant, cutoff, now):
    from veza.federation.models import RejectedPacket

    return _for_instance(participant, RejectedPacket.objects.filter(received_at__lte=cutoff))


def _imports(participant, cutoff, now):
    from veza.fieldforms.models import SubmissionImport

    return SubmissionImport.objects.filter(
        organisation__participant__code=participant, imported_at__lte=cutoff
    )


def _notifications(participant, cutoff, now):
    from veza.referrals.models import Notification

    owner = Coalesce(
        "case__participant__code", "referral__case__participant__code", _home_participant("user")
    )
    return Notification.objects.annotate(owner=owner).filter(
        owner=participant, created_at__lte=cutoff
    )


def _users(participant, cutoff, now):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=False)
        .annotate(home=_home_participant(), last_seen=Coalesce("last_login", "date_joined"))
        .filter(home=participant, last_seen__lte=cutoff)
        .exclude(pk__in=_anonymised("core.user"))
    )


def _sessions(participant, cutoff, now):
    from django.contrib.sessions.models import Session

    return _for_instance(participant, Session.objects.filter(expire_date__lte=cutoff))


def _throttles(participant, cutoff, now):
    from veza.core.models import LoginThrottle

    return _for_instance(
        participant,
        LoginThrottle.objects.filter(updated_at__lte=cutoff).filter(
            Q(blocked_until__isnull=True) | Q(blocked_until__lte=now)
        ),
    )


def _tokens(participant, cutoff, now):
    from veza.core.models import ApiToken

    return ApiToken.objects.annotate(
        ended=Coalesce("revoked_at", "expires_at"), home=_home_participant("user")
    ).filter(ended__lte=cutoff, home=participant)


def _tasks(participant, cutoff, now):
    from django_tasks_db.models import DBTaskResult

    return _for_instance(participant, DBTaskResult.objects.filter(finished_at__lte=cutoff))


def _admin_history(participant, cutoff, now):
    from django.contrib.admin.models import LogEntry

    return _for_instance(participant, LogEntry.objects.filter(action_time__lte=cutoff))


def _model(label: str):
    def get():
        from django.apps import apps

        return apps.get_model(label)

    return get


PURGERS: dict[str, Purger] = {
    "case_identity": Purger("erase", (Part(_model("cases.Identity"), _identity, _delete),)),
    "consents": Purger(
        "anonymise",
        (Part(_model("cases.Consent"), _consents, _anonymising("consents", _consent_anonymise)),),
    ),
    "referrals": Purger(
        "anonymise",
        (
            Part(
                _model("referrals.Referral"),
                _referrals,
                _anonymising("referrals", _referral_anonymise),
            ),
        ),
    ),
    "cross_border_referrals": Purger(
        "anonymise",
        (
            Part(
                _model("federation.CrossBorderReferral"),
                _cross_border,
                _anonymising("cross_border_referrals", _cross_border_anonymise),
            ),
        ),
    ),
    "case": Purger(
        "anonymise", (Part(_model("cases.Case"), _cases, _anonymising("case", _case_anonymise)),)
    ),
    "screenings": Purger(
        "anonymise",
        (
            Part(
                _model("screening.Screening"),
                _screenings,
                _anonymising("screenings", _screening_anonymise),
            ),
        ),
    ),
    "interpreter_bookings": Purger(
        "erase", (Part(_model("interpreters.InterpreterRequest"), _bookings, _delete),)
    ),
    "interpreter_profiles": Purger(
        "anonymise",
        (
            Part(
                _model("interpreters.Interpreter"),
                _profiles,
                _anonymising("interpreter_profiles", _interpreter_anonymise),
            ),
        ),
    ),
    "federation_packets": Purger(
        "erase",
        (
            Part(_model("federation.Packet"), _packets, _delete),
            Part(_model("federation.RejectedPacket"), _rejected_packets, _delete),
        ),
    ),
    "submission_imports": Purger(
        "erase", (Part(_model("fieldforms.SubmissionImport"), _imports, _delete),)
    ),
    "notifications": Purger(
        "erase", (Part(_model("referrals.Notification"), _notifications, _delete),)
    ),
    "user_accounts": Purger(
        "anonymise",
        (Part(_model("core.User"), _users, _anonymising("user_accounts", _user_anonymise)),),
    ),
    "sessions": Purger(
        "erase",
        (
            Part(_model("sessions.Session"), _sessions, _delete),
            Part(_model("core.LoginThrottle"), _throttles, _delete),
        ),
    ),
    "api_tokens": Purger("erase", (Part(_model("core.ApiToken"), _tokens, _delete),)),
    "background_tasks": Purger(
        "erase", (Part(_model("django_tasks_database.DBTaskResult"), _tasks, _delete),)
    ),
    "admin_history": Purger("erase", (Part(_model("admin.LogEntry"), _admin_history, _delete),)),
}


# --- Planning and running ------------------------------------------------------------------------


@dataclass
class PlanRow:
    code: str
    participant: str
    action: str
    period: str
    cutoff: datetime
    found: int
    done: int = 0
    failed: int = 0


@dataclass
class PurgeReport:
    rows: list[PlanRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rows)


def _participants(only: str | None) -> list[str]:
    from veza.organisations.choices import ParticipantKind
    from veza.organisations.models import Participant

    codes = set(
        Participant.objects.filter(kind=ParticipantKind.NATIONAL).values_list("code", flat=True)
    )
    codes.add(_instance_participant())
    if only:
        return [only] if only in codes else []
    return sorted(codes)


def _ordered(register):
    # The case class goes last: the classes linked to a case then see the same records in a
    # dry run and in the real run (anonymising a case takes its linked records along).
    classes = list(register.purged)
    return [c for c in classes if c.code != "case"] + [c for c in classes if c.code == "case"]


def purge_plan(*, register=None, participant: str | None = None, now=None) -> list[PlanRow]:
    """For each class and participant: the period, the cutoff and how many records ran out."""
    from veza.privacy.register import load_register

    register = register or load_register()
    now = now or timezone.now()
    rows = []
    for item in _ordered(register):
        purger = PURGERS[item.code]
        for code in _participants(participant):
            period = item.period_for(code)
            cutoff = period.before(now)
            found = sum(part.candidates(code, cutoff, now).count() for part in purger.parts)
            rows.append(PlanRow(item.code, code, item.action, str(period), cutoff, found))
    return rows


def retention_purge(
    *,
    actor,
    register=None,
    participant: str | None = None,
    dry_run: bool = False,
    now=None,
    progress=None,
    batch_size: int = BATCH_SIZE,
) -> PurgeReport:
    """Erase or anonymise every record whose period ran out (or, with `dry_run`, only count
    them). One transaction per batch, a savepoint per record, an audit entry per batch."""
    if not isinstance(actor, str):
        # The operator runs the purge on the command line (or the worker, named the same way).
        raise PermissionDeniedError()
    now = now or timezone.now()
    rows = purge_plan(register=register, participant=participant, now=now)
    report = PurgeReport(rows=rows, dry_run=dry_run)
    if dry_run:
        return report
    total = sum(r.found for r in rows)
    done = 0
    for row in rows:
        if not row.found:
            continue
        for part in PURGERS[row.code].parts:
            model = part.model()
            ids = list(
                part.candidates(row.participant, row.cutoff, now)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                touched, failed = _run_batch(
                    actor, row, part, model, batch, now, start // batch_size + 1
                )
                row.done += touched
                row.failed += failed
                done += len(batch)
                if progress:
                    progress(min(done, total), total, f"{row.code} {row.participant}")
    return report


@transaction.atomic
def _run_batch(actor, row: PlanRow, part: Part, model, batch, now, number) -> tuple[int, int]:
    touched = failed = 0
    for pk in batch:
        try:
            with transaction.atomic():
                # Lock the row, then check it still qualifies (nothing changed since the plan).
                locked = model.objects.select_for_update().filter(pk=pk).values_list("pk")
                if not list(locked):
                    continue
                obj = part.candidates(row.participant, row.cutoff, now).filter(pk=pk).first()
                if obj is None:
                    continue
                part.apply(obj, now)
            touched += 1
        except Exception as exc:  # one record fails, the others go on
            failed += 1
            log.error(
                "retention purge: %s %s id=%s failed (%s); left unchanged",
                row.code,
                model._meta.label_lower,
                pk,
                type(exc).__name__,
            )
    audit_log(
        "retention.purge",
        actor=actor,
        obj=("retention_class", row.code),
        detail={
            "class": row.code,
            "model": model._meta.label_lower,
            "participant": row.participant,
            "action": row.action,
            "period": row.period,
            "cutoff": row.cutoff.date().isoformat(),
            "batch": number,
            "records": touched,
            "failed": failed,
        },
    )
    return touched, failed

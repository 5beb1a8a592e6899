"""Which records of a class ran out for a participant (a purge rule's `candidates`), and what is
out of reach: open cases, cases under a legal hold, records already anonymised."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

__all__: list[str] = []


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


def _enrolments(participant, cutoff, now):
    from veza.training.models import Enrolment

    return Enrolment.objects.filter(course__participant__code=participant, created_at__lte=cutoff)


def _attempts(participant, cutoff, now):
    from veza.training.models import PracticeAttempt

    return PracticeAttempt.objects.filter(participant__code=participant, completed_at__lte=cutoff)


def _certificates(participant, cutoff, now):
    from veza.training.models import Certificate

    return Certificate.objects.filter(participant__code=participant, issued_at__lte=cutoff)


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

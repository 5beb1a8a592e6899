"""Requests and bookings of the interpreter pool: the time of an interpreter is held once, even
under concurrent requests; confirmations, declines, cancellations, no-shows and feedback."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_organisation, make_user
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.interpreters.models import Booking, Interpreter, Skill
from veza.interpreters.services import (
    booking_cancel,
    booking_confirm,
    booking_decline,
    booking_propose,
    feedback_record,
    request_cancel,
    request_create,
)
from veza.organisations.models import Participant

TOMORROW = (timezone.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def make_interpreter(name="Interpreter A", *, participant="RS", user=None, **fields):
    interpreter = Interpreter.objects.create(
        name=name,
        participant=Participant.objects.get(code=participant),
        gender=fields.pop("gender", "female"),
        target_languages=["srp", "eng"],
        vetting="valid",
        vetted_until=timezone.now().date() + timedelta(days=365),
        confidentiality_signed=timezone.now().date(),
        user=user,
        **fields,
    )
    Skill.objects.create(interpreter=interpreter, language="pus", proficiency=5)
    return interpreter


def _request(officer, organisation, start=TOMORROW, hours=2, **values):
    return request_create(
        actor=officer,
        organisation=organisation,
        languages=values.pop("languages", ["pus"]),
        target_language="srp",
        start=start,
        end=start + timedelta(hours=hours),
        setting="police_interview",
        reference=values.pop("reference", "RS-2026-ABC123"),
        **values,
    )


def booked(key: str, *, confirm: bool = True, setting: str = "medical"):
    """An officer's one-hour request tomorrow, asked of an interpreter with their own account
    (and confirmed by them): (officer, interpreter's user, request, booking)."""
    police = make_organisation("RS", name=f"Police {key}", sector="police")
    officer = make_user(f"officer-{key}", role="frontline_professional", organisation=police)
    own = make_user(f"interp-{key}")
    interpreter = make_interpreter(f"Interpreter {key}", user=own)
    item = request_create(
        actor=officer,
        organisation=police,
        languages=["pus"],
        target_language="srp",
        start=TOMORROW,
        end=TOMORROW + timedelta(hours=1),
        setting=setting,
    )
    booking = booking_propose(actor=officer, request=item, interpreter=interpreter)
    if confirm:
        booking = booking_confirm(actor=own, booking=booking)
    return officer, own, item, booking


@pytest.fixture
def police(db):
    organisation = make_organisation("RS", name="Police Belgrade", sector="police")
    return make_user(
        "officer", role="frontline_professional", organisation=organisation
    ), organisation


@pytest.mark.django_db
def test_a_request_holds_the_interpreter_once(police):
    officer, organisation = police
    interpreter = make_interpreter()
    first = _request(officer, organisation)
    booking = booking_propose(actor=officer, request=first, interpreter=interpreter)
    assert booking.status == "proposed"
    second = _request(officer, organisation, start=TOMORROW + timedelta(hours=1), hours=1)
    with pytest.raises(ConflictError):
        booking_propose(actor=officer, request=second, interpreter=interpreter)
    # Back to back is fine.
    third = _request(officer, organisation, start=TOMORROW + timedelta(hours=2))
    assert booking_propose(actor=officer, request=third, interpreter=interpreter)
    # Declined: the time is free again.
    coordinator = make_user(
        "ic", role="interpreter_coordinator", organisation=make_organisation("RS", name="Pool")
    )
    booking_decline(actor=coordinator, booking=booking)
    assert booking_propose(actor=officer, request=second, interpreter=interpreter)


@pytest.mark.django_db
def test_confirm_cancel_no_show_and_feedback(police):
    officer, organisation = police
    own = make_user("interp-a")
    interpreter = make_interpreter(user=own)
    request = _request(officer, organisation)
    booking = booking_propose(actor=officer, request=request, interpreter=interpreter)
    stranger = make_user("someone", role="frontline_professional", organisation=organisation)
    with pytest.raises(PermissionDeniedError):
        booking_confirm(actor=stranger, booking=booking)
    booking = booking_confirm(actor=own, booking=booking)
    request.refresh_from_db()
    assert booking.status == "confirmed" and request.status == "booked"
    feedback_record(actor=officer, booking=booking, quality=5, neutral=True)
    feedback_record(actor=own, booking=booking, distress=True)
    assert booking.feedback.count() == 2
    with pytest.raises(ValidationError):
        feedback_record(actor=officer, booking=booking, quality=9)
    booking_cancel(actor=officer, booking=booking, no_show=True)
    request.refresh_from_db()
    assert request.status == "open"  # looks for a replacement
    replacement = make_interpreter("Interpreter B")
    assert booking_propose(actor=officer, request=request, interpreter=replacement)
    request_cancel(actor=officer, request=request)
    assert not Booking.objects.filter(status__in=["proposed", "confirmed"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"languages": ["Pashto"]}, "languages"),
        ({"hours": 13}, "end"),
        ({"hours": -1}, "end"),
        ({"reference": "Ana Petrović"}, "reference"),
    ],
)
def test_bad_requests_are_refused_with_their_field(police, values, field):
    officer, organisation = police
    with pytest.raises(ValidationError) as caught:
        _request(officer, organisation, **values)
    assert field in caught.value.fields


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_take_the_same_person(police):
    """Eight threads, each with its own connection, ask for the same interpreter at the same
    time for overlapping slots: exactly one wins (row lock on the interpreter)."""
    officer, organisation = police
    interpreter = make_interpreter()
    requests = [
        _request(officer, organisation, start=TOMORROW + timedelta(minutes=10 * n))
        for n in range(8)
    ]
    barrier = threading.Barrier(len(requests))
    outcomes = []

    def attempt(request):
        try:
            barrier.wait()
            booking_propose(actor=officer, request=request, interpreter=interpreter)
            outcomes.append("booked")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["conflict"] * 7
    assert Booking.objects.filter(interpreter=interpreter, status="proposed").count() == 1


@pytest.mark.django_db
def test_reminders_go_out_once_for_tomorrows_assignments(police):
    from veza.interpreters.tasks import send_reminders
    from veza.referrals.models import Notification

    officer, organisation = police
    own = make_user("interp-r")
    interpreter = make_interpreter(user=own)
    booking = booking_propose(
        actor=officer, request=_request(officer, organisation), interpreter=interpreter
    )
    assert send_reminders(now=TOMORROW - timedelta(hours=20)) == 0  # not confirmed yet
    booking_confirm(actor=own, booking=booking)
    assert send_reminders(now=TOMORROW - timedelta(hours=30)) == 0  # more than a day ahead
    assert send_reminders(now=TOMORROW - timedelta(hours=20)) == 1
    assert send_reminders(now=TOMORROW - timedelta(hours=19)) == 0  # once
    kinds = set(Notification.objects.values_list("user__username", "kind"))
    assert {
        ("interp-r", "interpreter.reminder"),
        ("officer", "interpreter.request_reminder"),
    } <= kinds

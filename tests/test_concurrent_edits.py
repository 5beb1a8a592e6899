"""No lost updates (SECURITY.md row 23): two people save the same case, screening or referral at
the same moment, each from the version they read. On PostgreSQL, with a connection per thread and
real HTTP requests through the API, exactly one save succeeds and the other gets 409."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from tests.factories import login_verified, make_case, make_referral, make_screening, make_user
from veza.cases.models import Case
from veza.core.models import AuditEntry
from veza.screening.models import Screening

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 5  # each race is run a few times: the interleaving differs from one run to the next


def race(requests):
    """Send the requests at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(requests))
    statuses = []

    def send(client, method, path, body):
        try:
            barrier.wait()
            response = getattr(client, method)(
                path, json.dumps(body), content_type="application/json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def clients(*users):
    return [login_verified(Client(), user) for user in users]


def test_two_saves_of_the_same_case(organisation):
    first = make_user(role="case_manager", organisation=organisation)
    second = make_user(role="case_manager", organisation=organisation)
    case = make_case(organisation, user=first, age=20)
    a, b = clients(first, second)
    for _round in range(ROUNDS):
        case.refresh_from_db()
        path = f"/api/v1/cases/{case.pk}/"
        statuses = race(
            [
                (a, "patch", path, {"age": 21, "version": case.version}),
                (b, "patch", path, {"age": 22, "version": case.version}),
            ]
        )
        assert statuses == [200, 409]
        saved = Case.objects.get(pk=case.pk)
        assert saved.version == case.version + 1 and saved.age in (21, 22)


def test_two_saves_of_the_same_screening(organisation):
    first = make_user(role="frontline_professional", organisation=organisation)
    screening = make_screening(organisation, user=first)
    second = make_user(role="frontline_professional", organisation=organisation)
    a, b = clients(first, second)
    for _round in range(ROUNDS):
        screening.refresh_from_db()
        path = f"/api/v1/screenings/{screening.pk}/"
        statuses = race(
            [
                (a, "patch", path, {"answers": {"unpaid": "yes"}, "version": screening.version}),
                (b, "patch", path, {"answers": {"unpaid": "no"}, "version": screening.version}),
            ]
        )
        assert statuses == [200, 409]
        assert Screening.objects.get(pk=screening.pk).version == screening.version + 1


def test_accept_and_decline_of_the_same_referral(organisation):
    manager = make_user(role="case_manager", organisation=organisation)
    referral = make_referral(make_case(organisation, user=manager), manager=manager)
    shelter = referral.service
    one = make_user(role="service_provider", organisation=shelter.organisation)
    two = make_user(role="service_provider", organisation=shelter.organisation)
    a, b = clients(one, two)
    base = f"/api/v1/referrals/{referral.pk}"
    statuses = race(
        [
            (a, "post", f"{base}/accept/", {"version": referral.version}),
            (b, "post", f"{base}/decline/", {"version": referral.version, "reason": "Full"}),
        ]
    )
    assert statuses == [200, 409]
    referral.refresh_from_db()
    assert referral.status in ("accepted", "declined") and referral.version == 2


def test_two_people_change_the_same_booking(organisation):
    """The interpreter confirms while the requester cancels, or both cancel, or the interpreter
    declines while the requester cancels: each from the version they read."""
    from tests.interpreters.test_booking import booked
    from veza.interpreters.models import Booking

    steps = [("confirm", "cancel"), ("cancel", "cancel"), ("decline", "cancel")]
    for number in range(ROUNDS):
        first_step, second_step = steps[number % len(steps)]
        officer, own, _item, booking = booked(f"race{number}", confirm=False)
        if first_step == "cancel":  # both cancel a confirmed booking
            booking.refresh_from_db()
            a_client = login_verified(Client(), own)
            a_client.post(
                f"/api/v1/interpreter-bookings/{booking.pk}/confirm/",
                {"version": booking.version},
                content_type="application/json",
            )
        booking.refresh_from_db()
        read = booking.version
        a, b = clients(own, officer)
        base = f"/api/v1/interpreter-bookings/{booking.pk}"
        statuses = race(
            [
                (a, "post", f"{base}/{first_step}/", {"version": read}),
                (b, "post", f"{base}/{second_step}/", {"version": read, "note": "Not needed"}),
            ]
        )
        assert statuses == [200, 409], (first_step, second_step, statuses)
        booking.refresh_from_db()
        assert booking.version == read + 1
        changes = AuditEntry.objects.filter(
            object_id=str(booking.pk), action__startswith="interpreter.booking_"
        ).exclude(action="interpreter.booking_propose")
        assert changes.count() == (2 if first_step == "cancel" else 1)
        assert Booking.objects.get(pk=booking.pk).status in ("confirmed", "cancelled", "declined")

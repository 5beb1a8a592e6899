"""The pool through the API: a request, its ranked suggestions with reasons, asking one."""

from datetime import timedelta

import pytest

from tests.factories import login_verified, make_organisation, make_user
from tests.interpreters.test_booking import TOMORROW, make_interpreter
from veza.interpreters.models import Availability, Booking

pytestmark = pytest.mark.django_db


def test_request_suggestions_and_book(client):
    police = make_organisation("RS", name="Police API", sector="police")
    officer = make_user("officer-api", role="frontline_professional", organisation=police)
    interpreter = make_interpreter("Interpreter API")
    Availability.objects.create(
        interpreter=interpreter,
        start=TOMORROW - timedelta(hours=1),
        end=TOMORROW + timedelta(hours=5),
    )
    login_verified(client, officer)
    created = client.post(
        "/api/v1/interpreter-requests/",
        {
            "languages": ["pus"],
            "target_language": "srp",
            "start": TOMORROW.isoformat(),
            "hours": 2,
            "setting": "police_interview",
            "reference": "RS-2026-API001",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    suggestions = client.get(f"/api/v1/interpreter-requests/{pk}/suggestions/").json()
    assert suggestions[0]["interpreter"]["name"] == "Interpreter API"
    assert {r["code"] for r in suggestions[0]["reasons"]} >= {"language"}
    booked = client.post(
        f"/api/v1/interpreter-requests/{pk}/book/",
        {"interpreter": interpreter.pk},
        content_type="application/json",
    )
    assert booked.status_code == 201 and Booking.objects.get().status == "proposed"
    again = client.post(
        f"/api/v1/interpreter-requests/{pk}/book/",
        {"interpreter": interpreter.pk},
        content_type="application/json",
    )
    assert again.status_code == 400
    bad = client.post(
        "/api/v1/interpreter-requests/",
        {
            "languages": ["Pashto"],
            "target_language": "srp",
            "start": TOMORROW.isoformat(),
            "hours": 1,
            "setting": "medical",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_the_interpreter_confirms_through_the_api(client):
    from tests.interpreters.test_booking import booked

    _officer, own, _item, booking = booked("API2", confirm=False)
    other = make_interpreter("Interpreter API 3", user=make_user("interp-api3"))
    login_verified(client, other.user)
    assert client.get("/api/v1/interpreter-bookings/").json()["count"] == 0
    assert client.post(f"/api/v1/interpreter-bookings/{booking.pk}/confirm/").status_code == 404
    login_verified(client, own)
    assert client.get("/api/v1/interpreter-bookings/").json()["count"] == 1
    confirmed = client.post(f"/api/v1/interpreter-bookings/{booking.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert client.get("/api/v1/interpreter-requests/").status_code == 403  # not a requester

"""The pool's pages: a police officer asks for a Pashto interpreter for tomorrow, sees ranked
suggestions with reasons, asks one, who confirms; a second request for the same slot cannot take
the same person; the coordinator sees the use of the pool."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import login_verified, make_organisation, make_user
from tests.interpreters.test_booking import TOMORROW, make_interpreter
from veza.interpreters.models import Availability, Booking, InterpreterRequest

pytestmark = pytest.mark.django_db


def _available(interpreter):
    Availability.objects.create(
        interpreter=interpreter,
        start=TOMORROW - timedelta(hours=2),
        end=TOMORROW + timedelta(hours=8),
    )


def _ask(client):
    return client.post(
        "/interpreters/new/",
        {
            "reference": "RS-2026-ABC123",
            "languages": "pus",
            "target_language": "srp",
            "date": TOMORROW.date().isoformat(),
            "time": TOMORROW.strftime("%H:%M"),
            "hours": "2",
            "setting": "police_interview",
            "place": "Police station Belgrade",
        },
    )


def test_request_suggest_book_and_the_slot_is_taken(client):
    police = make_organisation("RS", name="Police Belgrade", sector="police")
    officer = make_user("officer-p", role="frontline_professional", organisation=police)
    own = make_user("interp-pashto")
    best = make_interpreter(
        "Zarmina (Pashto)", user=own, trafficking_training=timezone.now().date()
    )
    other = make_interpreter("Ahmad (Pashto)", gender="male")
    make_interpreter("Gul (Pashto, away)")  # not available tomorrow
    for interpreter in (best, other):
        _available(interpreter)
    login_verified(client, officer)
    response = _ask(client)
    item = InterpreterRequest.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/interpreters/requests/{item.pk}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert page.index("Zarmina") < page.index("Ahmad")  # trained on trafficking ranks higher
    assert "trained on trafficking in human beings" in page and "speaks pus at level 5 of 5" in page
    assert "Gul (Pashto, away)" in page and "not available for the whole time requested" in page
    client.post(f"/interpreters/requests/{item.pk}/", {"action": "ask", "interpreter": best.pk})
    booking = Booking.objects.get()
    assert booking.status == "proposed" and booking.rank == 1 and booking.reasons
    # The interpreter confirms on their own page.
    login_verified(client, own)
    mine = client.get("/interpreters/mine/").content.decode()
    assert "Police interview" in mine
    client.post("/interpreters/mine/", {"action": "confirm", "booking": booking.pk})
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    # A second request for the same slot: the same person is excluded, booked already.
    login_verified(client, officer)
    _ask(client)
    second = InterpreterRequest.objects.latest("pk")
    page = client.get(f"/interpreters/requests/{second.pk}/").content.decode()
    assert "already booked" in page and page.index("Ahmad") < page.index("Zarmina")
    taken = client.post(
        f"/interpreters/requests/{second.pk}/", {"action": "ask", "interpreter": best.pk}
    )
    assert taken.status_code == 409 and "already booked" in taken.content.decode()
    assert Booking.objects.filter(interpreter=best).count() == 1
    # The coordinator sees the use of the pool.
    coordinator = make_user(
        "ic-rs",
        role="interpreter_coordinator",
        organisation=make_organisation("RS", name="Pool RS"),
    )
    login_verified(client, coordinator)
    pool = client.get("/interpreters/pool/").content.decode()
    assert "Requests and bookings by language" in pool and "pus" in pool
    assert "Zarmina (Pashto)" in pool


def test_unmet_demand_and_who_may_see_what(client):
    police = make_organisation("RS", name="Police Niš", sector="police")
    officer = make_user("officer-n", role="frontline_professional", organisation=police)
    login_verified(client, officer)
    client.post(
        "/interpreters/new/",
        {
            "languages": "tir",
            "target_language": "srp",
            "date": TOMORROW.date().isoformat(),
            "time": "09:00",
            "hours": "1",
            "setting": "medical",
        },
    )
    item = InterpreterRequest.objects.get()
    assert (
        "No interpreter of the pool fits"
        in client.get(f"/interpreters/requests/{item.pk}/").content.decode()
    )
    assert client.get("/interpreters/pool/").status_code == 403
    assert client.get("/interpreters/mine/").status_code == 403  # not an interpreter
    coordinator = make_user(
        "ic-n", role="interpreter_coordinator", organisation=make_organisation("RS", name="Pool N")
    )
    login_verified(client, coordinator)
    assert "tir: 1 request" in client.get("/interpreters/pool/").content.decode()
    other = make_user(
        "al-officer", role="frontline_professional", organisation=make_organisation("AL")
    )
    login_verified(client, other)
    assert client.get(f"/interpreters/requests/{item.pk}/").status_code == 404
    bad = client.post("/interpreters/new/", {"languages": "Tigrinya", "target_language": "srp"})
    assert (
        bad.status_code == 400
        and not InterpreterRequest.objects.filter(organisation__participant__code="AL").exists()
    )


def test_feedback_after_the_assignment(client):
    from tests.interpreters.test_booking import booked
    from veza.interpreters.models import Feedback

    officer, _own, item, booking = booked("K")
    login_verified(client, officer)
    url = f"/interpreters/requests/{item.pk}/"
    client.post(url, {"action": "done", "booking": booking.pk})
    assert "How did it go with Interpreter K?" in client.get(url).content.decode()
    client.post(
        url,
        {
            "action": "feedback",
            "booking": booking.pk,
            "quality": "4",
            "neutral": "yes",
            "confidentiality_concern": "1",
        },
    )
    feedback = Feedback.objects.get()
    assert (feedback.quality, feedback.neutral, feedback.confidentiality_concern) == (4, True, True)


def test_the_coordinator_adds_and_changes_an_interpreter(client):
    from veza.interpreters.models import Interpreter

    coordinator = make_user(
        "ic-add",
        role="interpreter_coordinator",
        organisation=make_organisation("MK", name="Pool MK"),
    )
    login_verified(client, coordinator)
    form = {
        "name": "Nadia F.",
        "gender": "female",
        "area": "Skopje",
        "remote": "on",
        "on_site": "on",
        "vetting": "valid",
        "vetted_until": "2030-01-01",
        "confidentiality_signed": "2026-01-01",
        "is_active": "on",
        "skills_text": "ara:5, eng:4",
        "targets_text": "mkd, eng",
        "conflicts_text": "",
    }
    bad = client.post("/interpreters/pool/new/", {**form, "skills_text": "arabic"})
    assert bad.status_code == 400 and not Interpreter.objects.exists()
    assert client.post("/interpreters/pool/new/", form).status_code == 302
    interpreter = Interpreter.objects.get()
    assert interpreter.participant.code == "MK" and interpreter.target_languages == ["mkd", "eng"]
    assert sorted(interpreter.skills.values_list("language", "proficiency")) == [
        ("ara", 5),
        ("eng", 4),
    ]
    client.post(f"/interpreters/pool/{interpreter.pk}/", {**form, "skills_text": "ara:5, som:3"})
    assert sorted(interpreter.skills.values_list("language", flat=True)) == ["ara", "som"]
    officer = make_user(
        "officer-mk", role="frontline_professional", organisation=make_organisation("MK")
    )
    login_verified(client, officer)
    assert client.get("/interpreters/pool/new/").status_code == 403


def test_the_interpreter_reports_distress(client):
    from tests.interpreters.test_booking import booked
    from veza.interpreters.models import Feedback

    _officer, own, _item, booking = booked("Z", setting="police_interview")
    login_verified(client, own)
    client.post(
        "/interpreters/mine/", {"action": "feedback", "booking": booking.pk, "distress": "1"}
    )
    feedback = Feedback.objects.get()
    assert feedback.by_interpreter and feedback.distress and not feedback.safety_concern

"""The registry and the calendar through the API and pages; notices (with their e-mail copy) at
each step of a booking; support for the interpreters."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import login_verified, make_organisation, make_user
from tests.interpreters.test_booking import TOMORROW, booked, make_interpreter
from veza.interpreters.models import Availability, Interpreter, SupportContact
from veza.organisations.models import Participant
from veza.referrals.models import Notification

pytestmark = pytest.mark.django_db


def _coordinator(code="RS", key="c"):
    return make_user(
        f"ic-{key}",
        role="interpreter_coordinator",
        organisation=make_organisation(code, name=f"Pool {code} {key}"),
    )


def test_the_coordinator_keeps_the_registry_through_the_api(client):
    login_verified(client, _coordinator())
    body = {
        "name": "Hamid A.",
        "gender": "male",
        "skills": [
            {"language": "pus", "proficiency": 5, "dialects": ["Kandahari"]},
            {"language": "prs", "proficiency": 4},
        ],
        "target_languages": ["srp"],
        "vetting": "valid",
        "vetted_until": "2030-01-01",
        "conflicts": ["family:h"],
    }
    created = client.post("/api/v1/interpreters/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    interpreter = Interpreter.objects.get(pk=pk)
    assert interpreter.participant.code == "RS" and interpreter.conflicts == ["family:h"]
    assert interpreter.skills.get(language="pus").dialects == ["Kandahari"]
    changed = client.patch(
        f"/api/v1/interpreters/{pk}/", {"area": "Novi Sad"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["area"] == "Novi Sad"
    assert interpreter.skills.count() == 2  # a partial change keeps the languages
    bad = client.patch(
        f"/api/v1/interpreters/{pk}/",
        {"skills": [{"language": "pashto", "proficiency": 9}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and interpreter.skills.count() == 2
    other = make_interpreter("Elsewhere", participant="MK")
    assert (
        client.patch(
            f"/api/v1/interpreters/{other.pk}/", {"area": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    # The professionals who book see no vetting details, conflicts or rates.
    officer = make_user(
        "off-r", role="frontline_professional", organisation=make_organisation("RS")
    )
    login_verified(client, officer)
    seen = client.get(f"/api/v1/interpreters/{pk}/").json()
    assert "conflicts" not in seen and "rate_per_hour" not in seen
    assert (
        client.post("/api/v1/interpreters/", body, content_type="application/json").status_code
        == 403
    )


def test_the_interpreter_keeps_their_own_calendar_through_the_api(client):
    own = make_interpreter("Self", user=make_user("interp-self"))
    stranger = make_interpreter("Stranger", user=make_user("interp-stranger"))
    theirs = Availability.objects.create(
        interpreter=stranger, start=TOMORROW, end=TOMORROW + timedelta(hours=4)
    )
    login_verified(client, own.user)
    slot = {"start": TOMORROW.isoformat(), "end": (TOMORROW + timedelta(hours=6)).isoformat()}
    made = client.post("/api/v1/interpreter-availability/", slot, content_type="application/json")
    assert made.status_code == 201 and made.json()["interpreter"] == own.pk
    for_other = client.post(
        "/api/v1/interpreter-availability/",
        {**slot, "interpreter": stranger.pk},
        content_type="application/json",
    )
    assert for_other.status_code == 404
    backwards = client.post(
        "/api/v1/interpreter-availability/",
        {"start": slot["end"], "end": slot["start"]},
        content_type="application/json",
    )
    assert backwards.status_code == 400
    listed = client.get("/api/v1/interpreter-availability/").json()["results"]
    assert [row["interpreter"] for row in listed] == [own.pk]
    assert client.delete(f"/api/v1/interpreter-availability/{theirs.pk}/").status_code == 404
    assert (
        client.delete(f"/api/v1/interpreter-availability/{made.json()['id']}/").status_code == 204
    )
    assert list(Availability.objects.values_list("interpreter", flat=True)) == [stranger.pk]


def test_the_interpreter_removes_a_period_on_their_page(client):
    own = make_interpreter("Page self", user=make_user("interp-page"))
    slot = Availability.objects.create(
        interpreter=own, start=TOMORROW, end=TOMORROW + timedelta(hours=4)
    )
    other = Availability.objects.create(
        interpreter=make_interpreter("Not me"), start=TOMORROW, end=TOMORROW + timedelta(hours=4)
    )
    login_verified(client, own.user)
    client.post("/interpreters/mine/", {"action": "unavailable", "slot": other.pk})
    assert Availability.objects.filter(pk=other.pk).exists()  # not theirs: nothing happens
    assert (
        client.post("/interpreters/mine/", {"action": "unavailable", "slot": slot.pk})["Location"]
        == "/interpreters/mine/"
    )
    assert not Availability.objects.filter(pk=slot.pk).exists()


def test_every_step_tells_the_other_side_and_mails_a_copy(
    client, django_capture_on_commit_callbacks, settings
):
    settings.VEZA_BASE_URL = "https://veza.example"
    with django_capture_on_commit_callbacks(execute=True):
        officer, own, _item, booking = booked("N", confirm=False)
    assert Notification.objects.filter(user=own, kind="interpreter.proposed").exists()
    own.email = "interp@example.org"
    own.save()
    from veza.interpreters.services import booking_cancel, booking_confirm, feedback_record

    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm(actor=own, booking=booking)
    assert Notification.objects.filter(user=officer, kind="interpreter.confirmed").exists()
    assert not Notification.objects.filter(user=own, kind="interpreter.confirmed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=officer, booking=booking)
    assert Notification.objects.filter(user=own, kind="interpreter.cancelled").exists()
    sent = [m for m in mail.outbox if m.to == ["interp@example.org"]]
    assert sent and "https://veza.example/interpreters/mine/" in sent[-1].body
    assert "cancelled" in sent[-1].subject
    # The interpreter's page lists the notices, and they can be marked as read.
    login_verified(client, own)
    page = client.get("/interpreters/mine/").content.decode()
    assert "An interpreting assignment was cancelled" in page
    client.post("/worklist/read/", {"prefix": "interpreter.", "next": "/interpreters/mine/"})
    assert not Notification.objects.filter(user=own, read_at__isnull=True).exists()
    # A concern after an assignment reaches the coordinator of the participant.
    coordinator = _coordinator()
    _o, own2, _i, booking2 = booked("N2")
    feedback_record(actor=own2, booking=booking2, safety_concern=True)
    assert Notification.objects.filter(user=coordinator, kind="interpreter.concern").exists()
    login_verified(client, coordinator)
    pool = client.get("/interpreters/pool/").content.decode()
    assert "An assignment raised a concern" in pool and "Interpreter N2" in pool


def test_notices_read_goes_back_only_to_this_site(client):
    user = make_user("reader", role="case_manager", organisation=make_organisation("RS"))
    login_verified(client, user)
    response = client.post("/worklist/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/worklist/"


def test_support_for_interpreters(client):
    coordinator = _coordinator(key="s")
    login_verified(client, coordinator)
    bad = client.post("/interpreters/support/", {"name": "Line"})
    assert bad.status_code == 400 and not SupportContact.objects.exists()
    client.post(
        "/interpreters/support/",
        {"name": "Debriefing line", "phone": "+381 11 123", "hours": "daily 8-20"},
    )
    assert SupportContact.objects.get().participant.code == "RS"
    _officer, own, _item, booking = booked("S")
    login_verified(client, own)
    response = client.post(
        "/interpreters/mine/", {"action": "feedback", "booking": booking.pk, "distress": "1"}
    )
    assert response["Location"] == "/interpreters/support/"
    page = client.get("/interpreters/support/").content.decode()
    assert "Debriefing line" in page and 'href="tel:+38111123"' in page
    assert client.post("/interpreters/support/", {"name": "Mine"}).status_code == 403
    officer = make_user(
        "off-s", role="frontline_professional", organisation=make_organisation("RS")
    )
    login_verified(client, officer)
    assert client.get("/interpreters/support/").status_code == 403


def test_requests_name_the_lowest_level_and_the_kind_of_assignment(client):
    police = make_organisation("RS", name="Police L", sector="police")
    officer = make_user("officer-l", role="frontline_professional", organisation=police)
    working = make_interpreter("Working level")
    working.skills.update(proficiency=3)
    Availability.objects.create(
        interpreter=working,
        start=TOMORROW - timedelta(hours=1),
        end=TOMORROW + timedelta(hours=5),
    )
    login_verified(client, officer)
    form = {
        "languages": "pus",
        "target_language": "srp",
        "date": TOMORROW.date().isoformat(),
        "time": TOMORROW.strftime("%H:%M"),
        "hours": "1",
        "setting": "medical",
        "min_proficiency": "4",
    }
    strict = client.get(client.post("/interpreters/new/", form)["Location"]).content.decode()
    assert "level 3 (level 4 needed)" in strict
    lenient = client.post("/interpreters/new/", {**form, "min_proficiency": "3", "time": "15:00"})
    from veza.interpreters.models import InterpreterRequest

    item = InterpreterRequest.objects.order_by("-pk").first()
    assert (item.min_proficiency, item.trafficking_related) == (3, False)
    page = client.get(lenient["Location"]).content.decode()
    assert "speaks pus at level 3 of 5" in page


def test_the_coordinator_records_dialects(client):
    login_verified(client, _coordinator("MK", "d"))
    form = {
        "name": "Dialect D.",
        "gender": "female",
        "vetting": "valid",
        "is_active": "on",
        "remote": "on",
        "skills_text": "pus:5, prs:4",
        "targets_text": "mkd",
        "dialects_text": "pus: Kandahari, Yusufzai\nprs: Hazaragi",
    }
    bad = client.post("/interpreters/pool/new/", {**form, "dialects_text": "ara: Levantine"})
    assert bad.status_code == 400 and not Interpreter.objects.exists()
    assert client.post("/interpreters/pool/new/", form).status_code == 302
    interpreter = Interpreter.objects.get()
    assert dict(interpreter.skills.values_list("language", "dialects")) == {
        "pus": ["Kandahari", "Yusufzai"],
        "prs": ["Hazaragi"],
    }
    page = client.get(f"/interpreters/pool/{interpreter.pk}/").content.decode()
    assert "pus: Kandahari, Yusufzai" in page


def test_the_pool_page_draws_its_use():
    from django.test import Client

    _o, _own, _item, _booking = booked("C")
    client = Client()
    login_verified(client, _coordinator(key="chart"))
    page = client.get("/interpreters/pool/").content.decode()
    assert page.count("<svg") >= 2 and "Requests by language" in page
    assert timezone.now()  # the page renders without a support contact named
    assert "No support service is named" in page


def test_a_coordinator_of_two_participants_chooses(client):
    from veza.organisations.models import Role
    from veza.organisations.services import membership_create

    coordinator = _coordinator("MK", "two")
    membership_create(
        actor="test",
        user=coordinator,
        organisation=make_organisation("RS", name="Pool RS two"),
        role=Role.objects.get(code="interpreter_coordinator"),
    )
    login_verified(client, coordinator)
    form = {
        "name": "Two P.",
        "gender": "female",
        "vetting": "valid",
        "is_active": "on",
        "skills_text": "ara:5",
        "targets_text": "srp",
    }
    rs = Participant.objects.get(code="RS")
    assert client.post("/interpreters/pool/new/", {**form, "participant": rs.pk}).status_code == 302
    assert Interpreter.objects.get(name="Two P.").participant.code == "RS"
    body = {
        "name": "Two API",
        "gender": "male",
        "participant": "MK",
        "skills": [{"language": "ara", "proficiency": 5}],
        "target_languages": ["mkd"],
    }
    made = client.post("/api/v1/interpreters/", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["participant"] == "MK"
    elsewhere = client.post(
        "/api/v1/interpreters/", {**body, "participant": "BA"}, content_type="application/json"
    )
    assert elsewhere.status_code == 404
    client.post("/interpreters/support/?participant=RS", {"name": "RS line", "phone": "+381 1"})
    client.post("/interpreters/support/?participant=MK", {"name": "MK line", "phone": "+389 1"})
    assert dict(SupportContact.objects.values_list("participant__code", "name")) == {
        "RS": "RS line",
        "MK": "MK line",
    }

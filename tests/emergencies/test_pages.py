"""Emergency mode in the pages: the screening page starts with the quick screen, the worklist puts
urgent flags first, and the coordinator follows the live count (counts only) of the area."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    QUICK_POTENTIAL,
    login_verified,
    make_case,
    make_organisation,
    make_screening,
    make_service,
    make_user,
)
from veza.core.models import AuditEntry
from veza.emergencies.selectors import area_counts
from veza.organisations.models import EmergencyArea, Role
from veza.organisations.services import emergency_end, emergency_start, membership_create
from veza.referrals.models import Notification
from veza.referrals.services import referral_send
from veza.screening.models import Screening

pytestmark = pytest.mark.django_db

URGENT = {"danger_now": "yes", "medical_now": "yes", "age": 30}
NOTHING = {"danger_now": "no", "medical_now": "no", "age": 30}


def _area(coordinator, *organisations, name="Southern border and Preševo reception centre"):
    return emergency_start(
        actor=coordinator,
        participant=organisations[0].participant,
        name=name,
        organisation_ids=[o.pk for o in organisations],
        note="About 400 people arrived overnight.",
    )


def _checked(page: str, name: str) -> str:
    found = re.findall(rf'<input type="radio" name="{name}" value="([^"]+)"[^>]*checked', page)
    return found[0] if found else ""


def _selected(page: str) -> str:
    found = re.findall(r'<option value="(\d+)" selected', page)
    return found[0] if found else ""


# --- the screening page -------------------------------------------------------------------------


def test_the_quick_screen_is_the_default_in_an_area(client, coordinator, border):
    officer = make_user("officer", role="frontline_professional", organisation=border)
    login_verified(client, officer)
    page = client.get("/screenings/new/").content.decode()
    assert _checked(page, "questionnaire") == "police" and "Emergency mode" not in page

    _area(coordinator, border)
    page = client.get("/screenings/new/").content.decode()
    assert _checked(page, "questionnaire") == "quick"
    assert "Emergency mode: Southern border and Preševo reception centre since" in page
    assert "the quick screen is the default" in page


def test_the_organisation_in_the_area_is_chosen_first(client, coordinator, border):
    hospital = make_organisation("RS", name="Aaa Hospital (test)", sector="health")
    nurse = make_user("nurse", role="frontline_professional", organisation=hospital)
    login_verified(client, nurse)
    page = client.get("/screenings/new/").content.decode()
    assert _checked(page, "questionnaire") == "health"  # not in an area: unchanged
    membership_create(
        actor="test",
        user=nurse,
        organisation=border,
        role=Role.objects.get(code="frontline_professional"),
    )
    _area(coordinator, border)
    page = client.get("/screenings/new/").content.decode()
    assert _checked(page, "questionnaire") == "quick" and _selected(page) == str(border.pk)


def test_outside_the_area_nothing_changes(client, coordinator, border, reception):
    worker = make_user("worker", role="frontline_professional", organisation=reception)
    _area(coordinator, border)
    login_verified(client, worker)
    page = client.get("/screenings/new/").content.decode()
    assert _checked(page, "questionnaire") == "border_asylum_reception"
    assert "Emergency mode" not in page


# --- the worklist ---------------------------------------------------------------------------------


def _positions(page, *texts):
    return [page.index(text) for text in texts]


def test_the_worklist_lists_screenings_to_act_on_urgent_first(client, coordinator, border):
    officer = make_user("officer", role="frontline_professional", organisation=border)
    urgent = make_screening(border, answers=URGENT, complete=True, user=officer)
    potential = make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=officer)
    nothing = make_screening(border, answers=NOTHING, complete=True, user=officer)
    draft = make_screening(border, answers={}, user=officer)
    followed = make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=officer)
    make_case(border, screening=followed)
    elsewhere = make_screening(make_organisation("RS"), answers=URGENT, complete=True)
    assert urgent.urgent and not potential.urgent and potential.outcome == "potential_victim"

    login_verified(client, officer)
    page = client.get("/worklist/").content.decode()
    assert "Screenings to act on" in page and "Emergency mode" not in page
    for shown in (urgent, potential):
        assert f'href="/screenings/{shown.pk}/">{shown.reference}</a>' in page
    for hidden in (nothing, draft, followed, elsewhere):
        assert hidden.reference not in page
    # Urgent first although older; the list sits after the notices, inside the worklists.
    worklists, first, second = _positions(
        page, 'class="worklists"', urgent.reference, potential.reference
    )
    assert worklists < first < second
    assert "Immediate danger to the person or others" in page
    assert "Needs emergency medical care" in page and "Potential victim" in page
    assert "Veza pages" in page  # the origin

    # In emergency mode: the banner, and the list at the top of the page.
    _area(coordinator, border)
    page = client.get("/worklist/").content.decode()
    banner, first, second, worklists = _positions(
        page,
        "Emergency mode: Southern border and Preševo reception centre since",
        urgent.reference,
        potential.reference,
        'class="worklists"',
    )
    assert banner < first < second < worklists
    assert "screenings with urgent flags come first" in page


def test_the_worklist_reads_a_bounded_number_of_queries(
    client, coordinator, border, django_assert_max_num_queries
):
    officer = make_user("officer", role="frontline_professional", organisation=border)
    _area(coordinator, border)
    login_verified(client, officer)
    for _ in range(3):
        make_screening(border, answers=URGENT, complete=True, user=officer)
    with django_assert_max_num_queries(20) as few:
        client.get("/worklist/")
    for _ in range(12):
        make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/worklist/").content.decode()
    assert len(re.findall(r'href="/screenings/\d+/"', page)) == 15


def test_the_list_stops_at_twenty(client, border):
    officer = make_user("officer", role="frontline_professional", organisation=border)
    for _ in range(21):
        make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=officer)
    login_verified(client, officer)
    page = client.get("/worklist/").content.decode()
    assert len(re.findall(r'href="/screenings/\d+/"', page)) == 20


# --- the coordinator's pages ----------------------------------------------------------------------


@pytest.fixture
def dataset(coordinator, border, reception):
    """Screenings, cases and referrals inside the area, before it started and outside it."""
    manager = make_user("manager", role="case_manager", organisation=border)
    make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=manager)  # before
    make_case(border, user=manager)  # before
    area = _area(coordinator, border, reception)
    potential = make_screening(border, answers=QUICK_POTENTIAL, complete=True, user=manager)
    urgent = make_screening(border, answers=URGENT, complete=True, user=manager)
    make_screening(border, answers={}, user=manager)  # a quick screen in progress
    make_screening(reception, questionnaire="border_asylum_reception", answers={})
    outside = make_organisation("RS", name="Outside the area (test)")
    make_screening(outside, answers=URGENT, complete=True)
    make_case(outside)
    case = make_case(border, user=manager, screening=potential)
    shelter = make_organisation("RS", name="Shelter (test)", sector="shelter_protection")
    referral_send(
        actor=manager,
        case=case,
        service=make_service(shelter),
        reason="Needs a safe place tonight.",
        urgency="immediate",
        override_reason="Consent could not be recorded in the crowd; the person agreed orally.",
    )
    return {"area": area, "urgent": urgent, "manager": manager}


def test_the_live_count_counts_the_area_since_it_started(client, coordinator, dataset):
    area, urgent = dataset["area"], dataset["urgent"]
    login_verified(client, coordinator)
    response = client.get(f"/emergencies/{area.pk}/counts.json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    counts = body["counts"]
    expected = {
        "total.started": 4,
        "total.completed": 2,
        "total.in_progress": 2,
        "mode.quick.started": 3,
        "mode.quick.completed": 2,
        "mode.full.started": 1,
        "mode.full.completed": 0,
        "outcome.potential_victim": 1 + (urgent.outcome == "potential_victim"),
        "outcome.none": 2,
        "urgent.immediate_danger": 1,
        "urgent.emergency_medical": 1,
        "urgent.unaccompanied_child": 0,
        "urgent.any": 1,
        "referrals.sent": 1,
        "referrals.accepted": 0,
        "referrals.total": 1,
        "cases": 1,
    }
    assert {key: counts[key] for key in expected} == expected
    assert counts[f"outcome.{urgent.outcome}"] >= 1
    assert sum(counts[k] for k in counts if k.startswith("outcome.")) == 4
    assert body["active"] is True and "<svg" in body["chart"]
    assert "SCR-" not in response.content.decode()  # counts only, no reference

    page = client.get(f"/emergencies/{area.pk}/").content.decode()
    assert "SCR-" not in page and "RS-20" not in page
    assert 'data-count="total.started">4<' in page and 'data-count="cases">1<' in page
    assert 'data-live-counts="/emergencies/' in page and "veza/emergency.js" in page
    assert f'href="/emergencies/{area.pk}/">Refresh</a>' in page
    assert "<script>" not in page  # no inline script (CSP)


def test_an_ended_area_keeps_the_counts_of_its_time(client, coordinator, dataset, border):
    area = emergency_end(actor=coordinator, area=dataset["area"])
    make_screening(border, answers=URGENT, complete=True, user=dataset["manager"])
    login_verified(client, coordinator)
    counts = client.get(f"/emergencies/{area.pk}/counts.json").json()["counts"]
    assert counts["total.started"] == 4 and counts["urgent.any"] == 1
    page = client.get(f"/emergencies/{area.pk}/").content.decode()
    assert "data-live-counts" not in page and "End emergency mode" not in page


def test_the_live_count_reads_a_fixed_number_of_queries(
    client, coordinator, dataset, border, django_assert_num_queries, django_assert_max_num_queries
):
    area = dataset["area"]
    login_verified(client, coordinator)
    client.get(f"/emergencies/{area.pk}/")  # the session settles on the first request
    with django_assert_num_queries(6):
        area_counts(area)
    for answers in (URGENT, QUICK_POTENTIAL, NOTHING, {}):
        make_screening(border, answers=answers, complete=bool(answers))
    with django_assert_num_queries(6):
        assert area_counts(area).flat["total.started"] == 8
    # The whole page: the session (read and kept alive), the scope, the area, the six counts
    # and the menu.
    with django_assert_max_num_queries(20):
        client.get(f"/emergencies/{area.pk}/")
    with django_assert_max_num_queries(14):
        client.get(f"/emergencies/{area.pk}/counts.json")


def test_the_chart_counts_per_hour_and_per_day(coordinator, border):
    area = _area(coordinator, border)
    screening = make_screening(border, answers=NOTHING, complete=True)
    started = timezone.now() - timedelta(hours=5, minutes=30)
    EmergencyArea.objects.filter(pk=area.pk).update(started_at=started)
    Screening.objects.filter(pk=screening.pk).update(created_at=started + timedelta(hours=2))
    area.refresh_from_db()
    counts = area_counts(area)
    assert counts.hourly and len(counts.timeline) in (6, 7)
    assert [quick for _label, quick, _full in counts.timeline].count(1) == 1
    assert sum(quick for _label, quick, _full in counts.timeline) == 1
    EmergencyArea.objects.filter(pk=area.pk).update(started_at=started - timedelta(days=3))
    area.refresh_from_db()
    counts = area_counts(area)
    assert not counts.hourly and len(counts.timeline) in (4, 5)
    assert sum(quick for _label, quick, _full in counts.timeline) == 1


def test_the_coordinator_starts_and_ends_an_area_and_the_people_there_are_told(
    client, coordinator, border, reception
):
    officer = make_user("officer", role="frontline_professional", organisation=border)
    login_verified(client, coordinator)
    page = client.get("/emergencies/").content.decode()
    assert "No area is in emergency mode." in page and "Border Police Preševo (test)" in page
    response = client.post(
        "/emergencies/",
        {
            "name": "Southern border",
            "organisations": [str(border.pk), str(reception.pk)],
            "note": "About 400 people arrived overnight.",
        },
    )
    area = EmergencyArea.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/emergencies/{area.pk}/"
    assert Notification.objects.filter(user=officer, kind="emergency.started").exists()
    assert not Notification.objects.filter(user=coordinator).exists()
    page = client.get("/emergencies/").content.decode()
    assert "Southern border" in page and "in emergency mode already (Southern border)" in page
    assert f'action="/emergencies/{area.pk}/end/"' in page and "data-confirm" in page

    assert client.get(f"/emergencies/{area.pk}/end/").status_code == 405  # POST only
    response = client.post(f"/emergencies/{area.pk}/end/")
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.ended_at is not None and area.ended_by == coordinator
    assert Notification.objects.filter(user=officer, kind="emergency.ended").exists()
    # Ending twice says so and changes nothing.
    ended_at = area.ended_at
    page = client.post(f"/emergencies/{area.pk}/end/", follow=True).content.decode()
    assert "has already ended" in page
    area.refresh_from_db()
    assert area.ended_at == ended_at


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "organisations": ["{border}"]}, "Name the area"),
        ({"name": "x" * 121, "organisations": ["{border}"]}, "at most 120 characters"),
        ({"name": "South"}, "Choose at least one organisation working in the area."),
        ({"name": "South", "organisations": ["{foreign}"]}, "Select a valid choice."),
        ({"name": "South", "organisations": ["{busy}"]}, "is already in emergency mode"),
    ],
)
def test_a_bad_start_shows_why_and_changes_nothing(
    client, coordinator, border, reception, data, message
):
    foreign = make_organisation("MK", name="Foreign (test)")
    _area(coordinator, reception, name="North")
    ids = {"border": border.pk, "foreign": foreign.pk, "busy": reception.pk}
    data = {**data, "organisations": [o.format(**ids) for o in data.get("organisations", [])]}
    before = (EmergencyArea.objects.count(), AuditEntry.objects.count())
    login_verified(client, coordinator)
    response = client.post("/emergencies/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert (EmergencyArea.objects.count(), AuditEntry.objects.count()) == before


# --- who may see what -----------------------------------------------------------------------------


def test_who_sees_the_coordinator_pages(client, coordinator, border):
    area = _area(coordinator, border, name="Preševo crossing")
    officer = make_user("officer", role="frontline_professional", organisation=border)
    mk_coordinator = make_user(
        "coordinator-mk",
        role="national_coordinator",
        organisation=make_organisation("MK", name="MK coordination (test)"),
    )
    analyst = make_user(
        "analyst", role="regional_analyst", organisation=make_organisation("HUB", name="Hub")
    )
    urls = [
        f"/emergencies/{area.pk}/",
        f"/emergencies/{area.pk}/counts.json",
    ]
    # Those of the area see the banner, not the coordinator's pages.
    for user in (officer, analyst):
        login_verified(client, user)
        assert client.get("/emergencies/").status_code == 403
        assert client.post("/emergencies/", {"name": "X"}).status_code == 403
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(f"/emergencies/{area.pk}/end/").status_code == 403
    # The coordinator of another participant: their own list, and no trace of this area.
    login_verified(client, mk_coordinator)
    page = client.get("/emergencies/")
    assert page.status_code == 200 and area.name not in page.content.decode()
    assert border.name not in page.content.decode()
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"/emergencies/{area.pk}/end/").status_code == 404
    assert client.get("/emergencies/abc/").status_code == 404
    area.refresh_from_db()
    assert area.is_active
    # The menu leads only the coordinator to emergency mode.
    assert 'href="/emergencies/"' in client.get("/").content.decode()
    login_verified(client, officer)
    assert 'href="/emergencies/"' not in client.get("/").content.decode()

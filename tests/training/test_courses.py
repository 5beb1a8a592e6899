"""Courses, enrolments and attendance (the national coordinator of the participant), and the
coverage view: who in which organisation is trained, the gaps, and who, by name."""

import datetime

import pytest

from tests.factories import login_verified, make_organisation, make_user
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry
from veza.organisations.models import Participant
from veza.training.coverage import coverage_for
from veza.training.models import Course, Enrolment
from veza.training.services import attendance_record, course_create, enrolment_add

pytestmark = pytest.mark.django_db

DATES = {"starts_on": datetime.date(2026, 3, 2), "ends_on": datetime.date(2026, 3, 3)}


@pytest.fixture
def coordinator(db):
    return make_user(
        "coordinator",
        role="national_coordinator",
        organisation=make_organisation("RS", sector="national_coordinator"),
    )


def _course(actor, **extra):
    values = {
        "title": "Indicators and SOPs",
        "kind": "course",
        "topics": ["indicators", "sop"],
        **DATES,
        **extra,
    }
    return course_create(actor=actor, participant=Participant.objects.get(code="RS"), **values)


def test_a_coordinator_enrols_several_and_records_attendance(client, coordinator):
    health = make_organisation("RS", sector="health")
    police = make_organisation("RS", sector="police")
    nurse = make_user("nurse", role="frontline_professional", organisation=health)
    officer = make_user("officer", role="frontline_professional", organisation=police)
    login_verified(client, coordinator)
    response = client.post(
        "/training/courses/new/",
        {"title": "Indicators day", "kind": "course", "topics": ["indicators"], **DATES},
    )
    assert response.status_code == 302
    course = Course.objects.get()
    response = client.post(
        f"/training/courses/{course.pk}/enrol/",
        {"members": [f"{nurse.pk}:{health.pk}", f"{officer.pk}:{police.pk}"]},
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=course).count() == 2
    nurse_row = Enrolment.objects.get(user=nurse)
    officer_row = Enrolment.objects.get(user=officer)
    response = client.post(
        f"/training/courses/{course.pk}/",
        {f"status-{nurse_row.pk}": "attended", f"status-{officer_row.pk}": "absent"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(user=nurse).status == "attended"
    entry = AuditEntry.objects.get(action="training.attendance")
    assert "nurse" not in str(entry.detail)  # ids, never names
    page = client.get(f"/training/courses/{course.pk}/").content.decode()
    assert "Practice scores of the cohort" in page
    cover = coverage_for(Participant.objects.get(code="RS"))
    by_org = {r.organisation.pk: r for r in cover["rows"]}
    assert (by_org[health.pk].indicators_count, by_org[health.pk].is_gap) == (1, False)
    assert (by_org[police.pk].indicators_count, by_org[police.pk].is_gap) == (0, True)
    assert by_org[health.pk].indicators_share == 100 and by_org[health.pk].sop_count == 0
    coverage_page = client.get("/training/coverage/").content.decode()
    assert "<svg" in coverage_page and "nobody trained" in coverage_page
    who = client.get(f"/training/coverage/organisations/{health.pk}/")
    assert who.status_code == 200 and "nurse" in who.content.decode()
    assert AuditEntry.objects.filter(action="training.coverage_people").exists()


def test_bad_input_writes_nothing(coordinator):
    with pytest.raises(ValidationError):
        _course(coordinator, topics=["juggling"])
    with pytest.raises(ValidationError):
        _course(coordinator, starts_on=DATES["ends_on"], ends_on=DATES["starts_on"])
    assert not Course.objects.exists()
    course = _course(coordinator)
    stranger = make_user(
        "stranger", role="frontline_professional", organisation=make_organisation("BA")
    )
    with pytest.raises(ValidationError):
        enrolment_add(
            actor=coordinator,
            course=course,
            members=[(stranger.pk, stranger.memberships.get().organisation_id)],
        )
    assert not Enrolment.objects.exists()
    with pytest.raises(ValidationError):
        attendance_record(actor=coordinator, course=course, statuses={1: "asleep"})


def test_a_course_of_a_sector_takes_only_that_sector(coordinator):
    police = make_organisation("RS", sector="police")
    officer = make_user("officer", role="frontline_professional", organisation=police)
    course = _course(coordinator, sector="health")
    with pytest.raises(ValidationError):
        enrolment_add(actor=coordinator, course=course, members=[(officer.pk, police.pk)])


def test_professionals_and_other_participants_cannot_manage_courses(client, coordinator, member):
    course = _course(coordinator)
    with pytest.raises(PermissionDeniedError):
        _course(member)
    other = make_user("ba", role="national_coordinator", organisation=make_organisation("BA"))
    with pytest.raises(PermissionDeniedError):
        enrolment_add(actor=other, course=course, members=[(member.pk, 1)])
    login_verified(client, member)
    for path in ("/training/courses/", "/training/coverage/", f"/training/courses/{course.pk}/"):
        assert client.get(path).status_code in (403, 404), path
    login_verified(client, other)
    assert client.get(f"/training/courses/{course.pk}/").status_code == 404
    assert client.get("/training/courses/").status_code == 200


def test_a_stale_edit_is_refused(client, coordinator):
    course = _course(coordinator)
    login_verified(client, coordinator)
    data = {"title": "Renamed", "kind": "event", "topics": ["sop"], **DATES, "version": "1"}
    assert client.post(f"/training/courses/{course.pk}/edit/", data).status_code == 302
    assert client.post(f"/training/courses/{course.pk}/edit/", data).status_code == 409
    course.refresh_from_db()
    assert (course.title, course.version) == ("Renamed", 2)

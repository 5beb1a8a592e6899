"""Referral pages: directory, refer from a case, recipient view, answers, worklist, exports."""

import json

import pytest
from django.utils import timezone

from tests.factories import (
    login_verified,
    make_case,
    make_organisation,
    make_service,
    make_user,
    step_up,
)
from veza.cases.services import consent_record, identity_write
from veza.core.models import AuditEntry
from veza.referrals.models import Referral
from veza.referrals.services import referral_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(organisation):
    manager = make_user("manager", role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager, sex="female", age=19)
    identity_write(actor=manager, case=case, given_names="Hana", family_name="Hidden")
    shelter = make_organisation("RS", name="Safe House Niš (test)", sector="shelter_protection")
    service = make_service(
        shelter, "shelter", target_groups=["women"], languages=["Serbian", "Arabic"]
    )
    worker = make_user("worker", role="service_provider", organisation=shelter)
    consent_record(
        actor=manager,
        case=case,
        purpose="referral",
        recipient=shelter,
        information_version="info-2026-1",
    )
    return {
        "manager": manager,
        "case": case,
        "shelter": shelter,
        "service": service,
        "worker": worker,
    }


def test_directory_filters(client, setup, organisation):
    make_service(make_organisation("RS", name="Legal Aid (test)"), "legal_aid", capacity_free=0)
    login_verified(client, setup["manager"])
    page = client.get(
        "/services/", {"service_type": "shelter", "language": "arab"}
    ).content.decode()
    assert "Safe House Niš (test)" in page and "Legal Aid (test)" not in page
    page = client.get("/services/", {"free_places": "on"}).content.decode()
    assert "Legal Aid (test)" not in page and "3 of 10 places free" in page
    page = client.get("/services/", {"target_group": "men"}).content.decode()
    assert "Safe House Niš" not in page


def test_refer_from_the_case_page_and_the_recipient_sees_only_what_was_shared(client, setup):
    case, service = setup["case"], setup["service"]
    login_verified(client, setup["manager"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/refer/" in page and "Procedure" in page
    response = client.post(
        f"/cases/{case.pk}/refer/",
        {
            "service": service.pk,
            "urgency": "urgent",
            "reason": "Needs a safe bed tonight",
            "shared_fields": ["sex", "age", "is_child"],
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    login_verified(client, setup["worker"])
    worklist = client.get("/worklist/").content.decode()
    assert case.code in worklist and "waiting for your answer" in worklist
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "19" in detail and "Hidden" not in detail and "Hana" not in detail
    assert (
        client.get(f"/cases/{case.pk}/").status_code == 404
    )  # the case itself stays closed to them
    client.post(f"/referrals/{referral.pk}/accept/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_decline_needs_a_reason_and_bad_steps_change_nothing(client, setup):
    referral = referral_send(
        actor=setup["manager"],
        case=setup["case"],
        service=setup["service"],
        reason="Bed",
        urgency="urgent",
    )
    login_verified(client, setup["worker"])
    client.post(f"/referrals/{referral.pk}/decline/", {"reason": ""})
    referral.refresh_from_db()
    assert referral.status == "sent"
    client.post(f"/referrals/{referral.pk}/complete/")
    referral.refresh_from_db()
    assert referral.status == "sent"
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "cannot be changed that way" in page
    client.post(f"/referrals/{referral.pk}/decline/", {"reason": "Full tonight; try Safe House 2"})
    referral.refresh_from_db()
    assert referral.status == "declined"


def test_missing_consent_is_explained_on_the_form(client, setup, organisation):
    other = make_service(make_organisation("RS", name="Clinic (test)"), "health")
    login_verified(client, setup["manager"])
    response = client.post(
        f"/cases/{setup['case'].pk}/refer/",
        {
            "service": other.pk,
            "urgency": "routine",
            "reason": "Check-up",
        },
    )
    assert (
        response.status_code == 400 and b"There is no consent for this referral" in response.content
    )
    assert not Referral.objects.exists()


def test_an_unrelated_organisation_sees_no_referral(client, setup):
    referral = referral_send(
        actor=setup["manager"],
        case=setup["case"],
        service=setup["service"],
        reason="Bed",
        urgency="urgent",
    )
    stranger = make_user("stranger", role="service_provider", organisation=make_organisation("RS"))
    login_verified(client, stranger)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert setup["case"].code not in client.get("/worklist/").content.decode()


def test_exports_follow_what_the_user_may_see(client, setup):
    case = setup["case"]
    step_up(login_verified(client, setup["manager"]))
    assert client.get(f"/cases/{case.pk}/export.json").status_code == 405  # POST only
    data = json.loads(client.post(f"/cases/{case.pk}/export.json").content)
    assert data["caseId"] == case.code and data["gender"] == "Female"
    assert data["person"]["familyName"] == "Hidden"
    frontline = make_user("front", role="frontline_professional", organisation=case.organisation)
    step_up(login_verified(client, frontline))
    data = json.loads(client.post(f"/cases/{case.pk}/export.json").content)
    assert "person" not in data
    pdf = client.post(f"/cases/{case.pk}/summary.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="case.export").count() == 3


def test_stage_and_checklist(client, setup):
    case = setup["case"]
    login_verified(client, setup["manager"])
    client.post(
        f"/cases/{case.pk}/progress/",
        {"stage": "first_assistance", "done": ["safe_accommodation", "nonsense"]},
    )
    case.progress.refresh_from_db()
    assert case.progress.stage == "first_assistance" and case.progress.done == [
        "safe_accommodation"
    ]


def _urgent_referral(setup):
    """The case referred urgently to the shelter's service: a deadline the shelter answers for."""
    return referral_send(
        actor=setup["manager"],
        case=setup["case"],
        service=setup["service"],
        reason="Bed",
        urgency="urgent",
    )


def test_worklist_shows_overdue_to_the_coordinator(client, setup):
    from veza.referrals.models import Deadline

    _urgent_referral(setup)
    Deadline.objects.update(due_at=timezone.now() - timezone.timedelta(hours=3))
    coordinator = make_user(
        "coord",
        role="national_coordinator",
        organisation=make_organisation("RS", sector="national_coordinator"),
    )
    login_verified(client, coordinator)
    page = client.get("/worklist/").content.decode()
    assert "First contact after a referral" in page and setup["case"].code in page


def test_worklist_deadlines_of_ones_organisation_and_of_ones_cases_only(client, setup):
    """An organisation's worker sees the open deadlines it answers for and those of its own
    cases (whoever answers for them); nobody else's, and none that is done."""
    from veza.referrals.models import Deadline
    from veza.referrals.selectors import worklist

    _urgent_referral(setup)
    other = make_organisation("RS", name="Other Centre (test)", sector="social_welfare")
    other_case = make_case(other, age=40)
    Deadline.objects.create(
        case=other_case,
        organisation=other,
        kind=Deadline.objects.first().kind,
        due_at=timezone.now() - timezone.timedelta(hours=1),
    )
    Deadline.objects.update(due_at=timezone.now() - timezone.timedelta(hours=1))
    ours = set(Deadline.objects.filter(case=setup["case"]).values_list("pk", flat=True))
    assert ours and all(
        d.organisation_id == setup["shelter"].pk for d in Deadline.objects.filter(pk__in=ours)
    )

    def overdue(user):
        return {d.pk for d in worklist(user=user)["overdue"]}

    assert overdue(setup["manager"]) == ours  # the case's organisation, not answering for them
    assert overdue(setup["worker"]) == ours  # the organisation that answers for them
    outsider = make_user("outsider", role="case_manager", organisation=other)
    assert overdue(outsider) == set(
        Deadline.objects.filter(case=other_case).values_list("pk", flat=True)
    )
    Deadline.objects.filter(pk__in=ours).update(done_at=timezone.now())
    assert overdue(setup["manager"]) == overdue(setup["worker"]) == set()
    login_verified(client, setup["manager"])
    assert client.get("/worklist/").status_code == 200

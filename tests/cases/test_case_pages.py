"""Case pages: open from a screening, facts, identity (audited, not in URLs), consent, decision."""

import re

import pytest
from django.utils import timezone

from tests.factories import login_verified, make_case, make_organisation, make_screening, make_user
from veza.cases.models import Case, Identity
from veza.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation):
    return make_user("manager", role="case_manager", organisation=organisation)


@pytest.fixture
def manager_client(client, manager):
    return login_verified(client, manager)


def test_open_a_case_from_a_screening_outcome(manager_client, manager, organisation):
    screening = make_screening(organisation, complete=True, user=manager)
    outcome = manager_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert f"/cases/new/?screening={screening.pk}" in outcome
    response = manager_client.post(
        f"/cases/new/?screening={screening.pk}",
        {"sex": "female", "age": "30", "citizenship": "AL", "exploitation": ["forced_labour"]},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.citizenship == "AL" and list(case.screenings.all()) == [screening]
    detail = manager_client.get(response["Location"]).content.decode()
    assert case.code in detail and "Forced labour or services" in detail
    assert case.code in manager_client.get(f"/screenings/{screening.pk}/").content.decode()


def test_bad_facts_are_explained_and_nothing_is_created(manager_client):
    response = manager_client.post(
        "/cases/new/", {"sex": "female", "age": "300", "citizenship": "Albania"}
    )
    assert response.status_code == 400
    assert b"less than or equal to 120" in response.content
    assert not Case.objects.exists()


def test_identity_is_shown_only_on_purpose_and_every_look_is_audited(
    manager_client, manager, organisation
):
    case = make_case(organisation, user=manager)
    response = manager_client.post(
        f"/cases/{case.pk}/identity/edit/",
        {
            "given_names": "Arta",
            "family_name": "Berisha",
            "date_of_birth": "2003-05-01",
            "documents": "passport, K123, Kosovo",
            "languages": "Albanian, Serbian",
        },
    )
    assert response.status_code == 302
    detail = manager_client.get(f"/cases/{case.pk}/").content.decode()
    assert "Berisha" not in detail  # the case page never shows the name
    page = manager_client.get(f"/cases/{case.pk}/identity/").content.decode()
    assert "Berisha" in page and "K123" in page
    assert AuditEntry.objects.filter(action="identity.read", object_id=str(case.pk)).count() >= 1
    assert Identity.objects.get(case=case).languages == ["Albanian", "Serbian"]


def test_name_search_is_posted_never_in_the_url(manager_client, manager, organisation):
    case = make_case(organisation, user=manager)
    manager_client.post(
        f"/cases/{case.pk}/identity/edit/", {"given_names": "Arta", "family_name": "Berisha"}
    )
    # The GET filter is for case codes only: a name typed there finds nothing.
    assert case.code not in manager_client.get("/cases/?q=Berisha").content.decode()
    found = manager_client.post("/cases/", {"name": "arta berisha"}).content.decode()
    assert case.code in found and "1 case has this name" in found


def test_frontline_sees_the_case_but_not_the_identity(client, manager, organisation):
    case = make_case(organisation, user=manager)
    frontline = make_user("front", role="frontline_professional", organisation=organisation)
    login_verified(client, frontline)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert case.code in page and "Show identity" not in page
    assert client.get(f"/cases/{case.pk}/identity/").status_code == 403
    assert client.post("/cases/", {"name": "x"}).status_code == 403


def test_another_organisation_sees_nothing(client, manager, organisation, other_org):
    case = make_case(organisation, user=manager)
    stranger = make_user("stranger", role="case_manager", organisation=make_organisation("RS"))
    login_verified(client, stranger)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/identity/",
        f"/cases/{case.pk}/edit/",
        f"/cases/{case.pk}/consents/new/",
    ):
        assert client.get(url).status_code == 404, url
    assert case.code not in client.get("/cases/").content.decode()


def test_consent_and_withdrawal_through_the_pages(manager_client, manager, organisation):
    case = make_case(organisation, user=manager)
    shelter = make_organisation("RS", name="Shelter (test)", sector="shelter_protection")
    missing = manager_client.post(
        f"/cases/{case.pk}/consents/new/",
        {"purpose": "referral", "information_version": "v1", "given_by": "person"},
    )
    assert missing.status_code == 400 and b"Name the organisation" in missing.content
    manager_client.post(
        f"/cases/{case.pk}/consents/new/",
        {
            "purpose": "referral",
            "recipient": shelter.pk,
            "information_version": "info-2026-1",
            "given_by": "person",
        },
    )
    consent = case.consents.get()
    manager_client.post(f"/cases/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert "Consent withdrawn" in manager_client.get(f"/cases/{case.pk}/").content.decode()


def test_stale_edit_gets_a_conflict_and_keeps_the_typed_values(
    manager_client, manager, organisation
):
    case = make_case(organisation, user=manager, age=20)
    from veza.cases.services import case_update

    case_update(actor=manager, case=case, expected_version=case.version, age=21)
    response = manager_client.post(
        f"/cases/{case.pk}/edit/", {"version": 1, "sex": "male", "age": "22"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html and re.search(
        r'name="age"[^>]*value="22"', html
    )
    assert Case.objects.get(pk=case.pk).age == 21


def test_reflection_countdown_follows_the_participant(client, organisation):
    from veza.cases.services import decision_record

    kosovo_org = make_organisation("XK", sector="social_welfare")
    for org, days in ((organisation, 30), (kosovo_org, 90)):
        manager = make_user(role="case_manager", organisation=org)
        case = make_case(org, user=manager)
        body = make_organisation(org.participant.code, sector="identification_body")
        officer = make_user(role="identification_officer", organisation=body)
        decision_record(
            actor=officer,
            case=case,
            status="Actual",
            organisation=body,
            decided_on=timezone.localdate(),
        )
        login_verified(client, manager)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert f"of {days} days left" in page


def test_a_case_is_found_by_any_part_of_its_code(manager_client, manager, organisation):
    case = make_case(organisation, user=manager)
    other = make_case(organisation, user=manager)
    part = case.code[-5:].lower()  # typed as the person remembers it
    listed = manager_client.get(f"/cases/?q={part}").content.decode()
    assert case.code in listed and other.code not in listed


@pytest.mark.postgres_only
def test_the_code_search_has_its_trigram_index_on_postgresql(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_case_code_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "upper" in definition.lower()

"""Every look at a record about a person is in the audit log (SECURITY.md row 12): the case,
screening, referral and interpreter request pages, and the API's answers and lists of them."""

import pytest

from tests.factories import login_verified, make_case, make_referral, make_screening, make_user
from veza.core.audit import audit_verify
from veza.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def reads(action, obj=None):
    entries = AuditEntry.objects.filter(action=action)
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    return list(entries)


@pytest.fixture
def manager(organisation):
    return make_user(role="case_manager", organisation=organisation)


def test_case_page_api_answer_and_list_are_audited(client, manager, organisation):
    case = make_case(organisation, user=manager)
    login_verified(client, manager)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    (page,) = reads("case.read", case)
    assert page.actor_id == manager.pk and page.organisation_id == organisation.pk
    assert page.ip == "127.0.0.1"
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert [e.detail for e in reads("case.read", case)][-1] == {"via": "api"}
    assert client.get("/api/v1/cases/").status_code == 200
    (listed,) = reads("case.list")
    assert listed.detail["ids"] == [case.pk] and listed.detail["count"] == 1
    assert audit_verify().ok


def test_a_refused_read_is_not_recorded_as_a_read(client, manager, organisation):
    case = make_case(organisation, user=manager)
    stranger = make_user(role="case_manager")
    login_verified(client, stranger)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert not reads("case.read")


def test_screening_and_referral_reads_are_audited(client, manager, organisation):
    screening = make_screening(organisation, complete=True, user=manager)
    login_verified(client, manager)
    client.get(f"/screenings/{screening.pk}/")
    client.get(f"/api/v1/screenings/{screening.pk}/")
    assert len(reads("screening.read", screening)) == 2

    referral = make_referral(make_case(organisation, user=manager), manager=manager)
    client.get(f"/referrals/{referral.pk}/")
    client.get(f"/api/v1/referrals/{referral.pk}/")
    assert len(reads("referral.read", referral)) == 2

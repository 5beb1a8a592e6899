"""What the schemathesis run found in the cases API."""

import pytest

from tests.factories import make_case, make_user
from veza.cases.services import consent_record
from veza.core.tokens import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_token(organisation):
    manager = make_user("cm", role="case_manager", organisation=organisation)
    return manager, token_create(actor="test", user=manager)[1]


def test_withdrawing_a_consent_with_an_id_that_is_no_number_is_not_found(client, manager_token):
    _manager, token = manager_token
    answer = client.post(
        "/api/v1/consents/null,null/withdraw/", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_a_withdrawal_note_of_the_wrong_shape_is_refused(client, organisation, manager_token):
    manager, token = manager_token
    case = make_case(organisation, user=manager)
    consent = consent_record(
        actor=manager, case=case, purpose="assistance", information_version="v1"
    )
    url = f"/api/v1/consents/{consent.pk}/withdraw/"
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    refused = client.post(url, ["note"], content_type="application/json", **auth)
    assert refused.status_code == 400
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    done = client.post(url, {"note": "asked"}, content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["withdrawn_at"]


def test_consents_of_a_case_are_a_plain_list_as_documented(client, organisation, manager_token):
    manager, token = manager_token
    case = make_case(organisation, user=manager)
    answer = client.get(f"/api/v1/cases/{case.pk}/consents/", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 200 and answer.json() == []

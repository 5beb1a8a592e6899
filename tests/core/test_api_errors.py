"""What the schemathesis run (tests/test_api_fuzz.py) found in the API's common parts: one error
shape for every error, JSON (not an HTML page) for any answer under /api/, the error answers in
the schema, ids that are digits to Python but not numbers."""

import pytest
from django.test import override_settings

from tests.factories import make_user
from veza.core.api.errors import _flat
from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.core.tokens import token_create
from veza.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(organisation):
    user = make_user("integrator", role="case_manager", organisation=organisation)
    return token_create(actor="test", user=user)[1]


def test_field_errors_take_the_one_error_shape(client, token):
    answer = client.post(
        "/api/v1/cases/",
        {"age": "old", "exploitation": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    body = answer.json()
    assert answer.status_code == 400 and body["code"] == "invalid" and body["detail"]
    assert set(body["fields"]) == {"age", "exploitation"}


def test_nested_field_errors_are_flattened():
    assert _flat({"skills": [{}, {"language": ["Too long."]}]}) == {
        "skills.1.language": ["Too long."]
    }
    assert _flat(["Expected a dictionary."]) == {"non_field_errors": ["Expected a dictionary."]}


@override_settings(DEBUG=False)
def test_an_unknown_api_path_answers_json(client, token):
    answer = client.get("/api/v1/cases/0.5/", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("pk", ["\u00b2", "\u0661", "-1", "1.0", "", "1 ", "\uff19"])
def test_ids_that_are_not_plain_ascii_numbers_are_not_found(organisation, pk):
    with pytest.raises(NotFoundError):
        visible_or_404(Organisation.objects.all(), pk)


def test_every_operation_documents_its_error_answers(client, token):
    schema = client.get("/api/v1/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in codes, (method, path)
    outcome = schema["components"]["schemas"]["Screening"]["properties"]["outcome"]
    assert "BlankEnum" in str(outcome), "an outcome not yet computed is empty"

"""What the schemathesis run found in the interpreters API."""

import pytest

from tests.factories import login_verified, make_organisation, make_user
from veza.interpreters.models import Interpreter

pytestmark = pytest.mark.django_db


@pytest.fixture
def interpreter(client):
    coordinator = make_user(
        "ic", role="interpreter_coordinator", organisation=make_organisation("RS", name="Pool RS")
    )
    login_verified(client, coordinator)
    body = {"name": "Hamid A.", "gender": "male", "skills": [{"language": "pus", "proficiency": 5}]}
    created = client.post("/api/v1/interpreters/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    return Interpreter.objects.get(pk=created.json()["id"])


def test_conflicts_must_be_a_list_of_texts(client, interpreter):
    url = f"/api/v1/interpreters/{interpreter.pk}/"
    for bad in (None, {"a": 1}, "x", [["nested"]]):
        answer = client.patch(url, {"conflicts": bad}, content_type="application/json")
        assert answer.status_code == 400, bad
    # In a form, "null" was read as JSON and reached the database as NULL (a server error);
    # now it is the text it is.
    form = client.patch(url, "conflicts=null", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 200
    interpreter.refresh_from_db()
    assert interpreter.conflicts == ["null"]


def test_a_skill_without_its_level_is_refused_in_a_partial_change(client, interpreter):
    answer = client.patch(
        f"/api/v1/interpreters/{interpreter.pk}/",
        {"skills": [{"language": "prs"}]},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "skills" in answer.json()["fields"]
    assert list(interpreter.skills.values_list("language", flat=True)) == ["pus"]


def test_an_entry_reads_in_the_shape_the_schema_names(client, interpreter):
    entry = client.get(f"/api/v1/interpreters/{interpreter.pk}/").json()
    assert "skills" in entry and "languages" not in entry  # the coordinator's registry entry

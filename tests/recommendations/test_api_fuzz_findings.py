"""What the schemathesis run found in the recommendations API."""

import pytest

from tests.factories import login_verified
from tests.recommendations.helpers import measure, objective, policy_officer, strategy

pytestmark = pytest.mark.django_db


def test_a_measure_answering_an_id_beyond_the_database_is_refused(client):
    login_verified(client, policy_officer("RS"))
    item = measure(objective(strategy("RS")))
    answer = client.patch(
        f"/api/v1/measures/{item.pk}/",
        {"recommendations": [1, 392552882164233797632]},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "recommendations.1" in answer.json()["fields"]

"""The questions in the person's own language beside the professional's (to read aloud or show
on the screen), kept for the session."""

import pytest
import yaml

from tests.factories import login_verified, make_organisation, make_user
from veza.core.text import localized
from veza.indicators.content import DEFAULT_DIR
from veza.screening.models import Screening

pytestmark = pytest.mark.django_db


def test_the_questions_beside_in_the_persons_language(client):
    clinic = make_organisation("RS", name="Clinic (test)", sector="health")
    nurse = make_user("nurse-beside", role="frontline_professional", organisation=clinic)
    login_verified(client, nurse)
    client.post("/screenings/new/", {"questionnaire": "health", "person_ref": "B-1"})
    screening = Screening.objects.get()
    url = f"/screenings/{screening.pk}/step/1/"
    health = yaml.safe_load((DEFAULT_DIR / "questionnaires/health.yaml").read_text())
    first = health["sections"][0]["questions"][0]["text"]
    page = client.get(url, {"beside": "sq"}).content.decode()
    assert f'<p class="beside" lang="sq">{localized(first, "sq")}</p>' in page
    assert localized(first, "en") in page  # the professional's own language stays
    again = client.get(url).content.decode()  # kept while the session lasts
    assert f'lang="sq">{localized(first, "sq")}' in again
    assert 'class="beside"' not in client.get(url, {"beside": ""}).content.decode()
    assert 'class="beside"' not in client.get(url, {"beside": "xx"}).content.decode()

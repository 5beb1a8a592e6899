"""The coordinator's releases: build, review, approve with a fresh code, send to the hub."""

import time

import pytest
from django.utils import timezone

from tests.factories import (
    current_code,
    login_verified,
    make_case,
    make_organisation,
    make_user,
    step_up,
)
from veza.core.models import AuditEntry
from veza.statistics.models import ImportBatch, Release

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year


@pytest.fixture
def coordinator():
    org = make_organisation("RS", sector="social_welfare")
    manager = make_user("rel-cm", role="case_manager", organisation=org)
    for n in range(12):
        make_case(org, user=manager, sex=("female", "male")[n % 2], age=16 + n)
    return make_user("rel-coord", role="national_coordinator", organisation=org)


def test_build_review_approve_with_a_fresh_code_and_send(client, coordinator):
    login_verified(client, coordinator)
    assert "National releases" in client.get("/").content.decode()
    response = client.post("/statistics/releases/", {"year": YEAR})
    release = Release.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/statistics/releases/{release.pk}/"
    )
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Victims by sex and age group" in page and "<svg" in page
    # Sending before approval, or approving with a wrong code, changes nothing; sending asks for
    # a fresh code first (step-up).
    asked = client.post(f"/statistics/releases/{release.pk}/", {"action": "send"})
    assert asked.status_code == 403 and 'name="step_up-code"' in asked.content.decode()
    step_up(client)
    assert client.post(f"/statistics/releases/{release.pk}/", {"action": "send"}).status_code == 400
    client.logout()
    login_verified(client, coordinator)  # a new session: the step-up above is gone
    wrong = client.post(f"/statistics/releases/{release.pk}/", {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    release.refresh_from_db()
    assert release.status == "built" and not ImportBatch.objects.exists()
    assert AuditEntry.objects.filter(action="release.approve_failed").exists()
    time.sleep(1.1)  # a wrong code holds the next try back for a second (throttling)
    code = current_code(coordinator, offset_steps=1)
    client.post(f"/statistics/releases/{release.pk}/", {"code": code})
    release.refresh_from_db()
    assert release.status == "approved" and release.approved_by == coordinator
    client.post(f"/statistics/releases/{release.pk}/", {"action": "send"})
    release.refresh_from_db()
    assert release.status == "sent"
    batch = ImportBatch.objects.get(source="release")
    assert (batch.participant, batch.year, batch.revision) == ("RS", YEAR, 1)
    # A second release of the same year cannot be approved with the code already used.
    client.post("/statistics/releases/", {"year": YEAR})
    second = Release.objects.exclude(pk=release.pk).get()
    reused = client.post(f"/statistics/releases/{second.pk}/", {"code": code})
    assert reused.status_code == 400
    second.refresh_from_db()
    assert second.status == "built"


def test_bad_year_and_other_participants_are_refused(client, coordinator):
    login_verified(client, coordinator)
    empty = client.post("/statistics/releases/", {"year": 2001})
    assert empty.status_code == 400 and "nothing to release" in empty.content.decode()
    future = client.post("/statistics/releases/", {"year": YEAR + 1})
    assert future.status_code == 400 and not Release.objects.exists()
    client.post("/statistics/releases/", {"year": YEAR})
    release = Release.objects.get()
    other = make_user("al-coord", role="national_coordinator", organisation=make_organisation("AL"))
    login_verified(client, other)
    assert client.get(f"/statistics/releases/{release.pk}/").status_code == 404
    worker = make_user(
        "rs-worker", role="case_manager", organisation=make_organisation("RS", name="Other")
    )
    login_verified(client, worker)
    assert client.get("/statistics/releases/").status_code == 403

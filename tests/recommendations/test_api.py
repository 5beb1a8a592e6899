"""The API: recommendations, links, the import (400 with the row report), plans, measures with
their recommendations, progress reports, coverage and the draft plan; all scoped by
participant."""

import datetime
import io

import pytest

from tests.factories import login_verified, make_organisation, make_user
from tests.recommendations.helpers import (
    measure,
    objective,
    policy_officer,
    recommendation,
    repeats,
    source,
    strategy,
)
from tests.recommendations.test_import import GOOD, csv_bytes
from veza.recommendations.models import Measure, ProgressReport, Recommendation

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api(client):
    login_verified(client, policy_officer("RS"))
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def test_recommendation_create_update_link_and_filters(api):
    src = source("greta", year=2023)
    body = {
        "participant": "RS",
        "source": src.pk,
        "reference": "52",
        "year": 2023,
        "text": "Screen migrants for signs of trafficking.",
        "theme": "protection",
        "topics": ["screening"],
        "priority": "urgent",
    }
    created = post(api, f"{API}/recommendations/", body)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["label"] == "GRETA 2023 · 52" and item["key"] == "greta:2023:52"
    assert item["answered"] is False and item["participant"] == "RS"
    assert post(api, f"{API}/recommendations/", body).status_code == 400  # the same number
    other = post(api, f"{API}/recommendations/", {**body, "participant": "MK", "reference": "9"})
    assert other.status_code == 404
    bad = post(api, f"{API}/recommendations/", {**body, "reference": "53", "topics": ["nope"]})
    assert bad.status_code == 400 and "topics" in bad.json()["fields"]

    url = f"{API}/recommendations/{item['id']}/"
    assert patch(api, url, {"priority": "should"}).status_code == 409  # no version read
    changed = patch(api, url, {"priority": "should", "version": item["version"]})
    assert changed.status_code == 200 and changed.json()["priority"] == "should"
    assert patch(api, url, {"priority": "consider", "version": item["version"]}).status_code == 409

    earlier = recommendation("RS", year=2019)
    linked = post(api, f"{url}links/", {"other": earlier.pk})
    assert linked.status_code == 201 and linked.json()["repeats"] == [earlier.pk]
    mk = recommendation("MK")
    assert post(api, f"{url}links/", {"other": mk.pk}).status_code == 404

    listed = api.get(f"{API}/recommendations/", {"theme": "protection", "unanswered": "true"})
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids == {item["id"], earlier.pk} and mk.pk not in ids
    assert api.get(f"{API}/recommendations/{mk.pk}/").status_code == 404


def test_import_through_the_api_is_all_or_nothing(api):
    def upload(raw, **extra):
        file = io.BytesIO(raw)
        file.name = "recs.csv"
        return api.post(f"{API}/recommendations/import/", {"file": file, **extra})

    refused = upload(csv_bytes(GOOD[0], "RS,greta,T,2019,9,welfare,,urgent,Text.,"))
    assert refused.status_code == 400
    body = refused.json()
    assert body["rows"] == [{"row": 3, "column": "theme", "problem": body["rows"][0]["problem"]}]
    assert Recommendation.objects.count() == 0
    done = upload(csv_bytes(*GOOD))
    assert done.status_code == 201 and done.json()["created"] == 3
    assert done.json()["links_created"] == 1
    assert upload(csv_bytes(*GOOD), participant="MK").status_code == 404


def test_plans_measures_progress_and_the_draft(api):
    answered = recommendation("RS", year=2019)
    mk_rec = recommendation("MK")
    created = post(
        api,
        f"{API}/strategies/",
        {"participant": "RS", "title": "Plan (API)", "period_start": 2025, "period_end": 2027},
    )
    assert created.status_code == 201
    plan = created.json()
    goal = post(
        api, f"{API}/strategies/{plan['id']}/objectives/", {"theme": "protection", "text": "Early."}
    )
    assert goal.status_code == 201
    body = {
        "objective": goal.json()["id"],
        "title": "Screening protocol (API)",
        "responsible": "Ministry (test)",
        "deadline": "2026-01-31",
        "budget": "1500.00",
        "recommendations": [answered.pk],
    }
    assert (
        post(api, f"{API}/measures/", {**body, "recommendations": [mk_rec.pk]}).status_code == 404
    )
    made = post(api, f"{API}/measures/", body)
    assert made.status_code == 201, made.content
    item = made.json()
    assert item["recommendations"] == [answered.pk] and item["status"] == ""
    assert item["overdue"] is True
    mk_goal = objective(strategy("MK"))
    assert post(api, f"{API}/measures/", {**body, "objective": mk_goal.pk}).status_code == 404

    changed = patch(
        api, f"{API}/measures/{item['id']}/", {"title": "Protocol", "version": item["version"]}
    )
    assert changed.status_code == 200 and changed.json()["recommendations"] == [answered.pk]

    report = post(
        api,
        f"{API}/progress-reports/",
        {"measure": item["id"], "period": "2026 H1", "period_end": "2026-06-30", "status": "done"},
    )
    assert report.status_code == 201
    history = api.get(f"{API}/progress-reports/", {"measure": item["id"]}).json()
    assert [r["status"] for r in history["results"]] == ["done"]
    listed = api.get(f"{API}/measures/", {"strategy": plan["id"]}).json()["results"]
    assert listed[0]["status"] == "done" and listed[0]["overdue"] is False
    mk_measure = measure(mk_goal)
    other = post(
        api,
        f"{API}/progress-reports/",
        {"measure": mk_measure.pk, "period": "x", "period_end": "2026-06-30", "status": "done"},
    )
    assert other.status_code == 404 and ProgressReport.objects.count() == 1

    docx = api.get(f"{API}/strategies/{plan['id']}/draft/", {"kind": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert api.get(f"{API}/strategies/{plan['id']}/draft/", {"kind": "odt"}).status_code == 400
    assert api.get(f"{API}/strategies/{mk_goal.strategy_id}/draft/").status_code == 404
    assert Measure.objects.get(pk=item["id"]).title == "Protocol"


def test_coverage_endpoint(api):
    older = recommendation("RS", year=2017)
    newer = recommendation("RS", year=2024)
    repeats(newer, older)
    goal = objective(strategy("RS"))
    late = measure(goal, deadline=datetime.date(2020, 1, 1))
    body = api.get(f"{API}/recommendations/coverage/").json()
    assert body["participants"] == ["RS"]
    assert body["persistent_gaps"][0]["recommendations"] == [older.pk, newer.pk]
    assert [m["id"] for m in body["overdue_measures"]] == [late.pk]
    assert [row["participant"] for row in body["comparison"]] == ["RS"]

    analyst = make_user(role="regional_analyst", organisation=make_organisation("HUB", name="Hub"))
    login_verified(api, analyst)
    regional = api.get(f"{API}/recommendations/coverage/").json()
    assert regional["participants"] == [] and regional["persistent_gaps"] == []
    assert len(regional["comparison"]) == 6
    assert api.get(f"{API}/recommendations/").json()["count"] == 0

"""The pages: who sees what (another participant's records are "not found"), the list's
filters, editing with versions, links, plans, measures with the recommendations they answer,
progress reports with history, the coverage page."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import login_verified, make_organisation, make_user
from tests.recommendations.helpers import (
    measure,
    objective,
    policy_officer,
    recommendation,
    repeats,
    report,
    source,
    strategy,
)
from veza.organisations.models import Participant
from veza.recommendations.models import (
    Measure,
    ProgressReport,
    Recommendation,
    RecommendationLink,
    Source,
    Strategy,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = policy_officer("RS")
    login_verified(client, user)
    return user


@pytest.fixture
def world():
    """RS and MK each with a recommendation, a plan, an objective and a measure."""
    made = {}
    for code in ("RS", "MK"):
        rec = recommendation(code, text=f"Fund the shelters of {code}.", topics=["funding"])
        plan = strategy(code, title=f"Plan of {code}")
        goal = objective(plan)
        made[code] = (rec, plan, goal, measure(goal, title=f"Contracts in {code}"))
    return made


def test_other_participants_records_are_not_found(client, officer, world):
    rec, plan, _goal, item = world["MK"]
    for url in (
        reverse("recommendations:detail", args=[rec.pk]),
        reverse("recommendations:plan", args=[plan.pk]),
        reverse("recommendations:plan-draft", args=[plan.pk]) + "?format=pdf",
        reverse("recommendations:measure-new", args=[plan.pk]),
        reverse("recommendations:measure", args=[item.pk]),
    ):
        assert client.get(url).status_code == 404, url
        if "draft" not in url:  # the draft is only read (GET)
            assert client.post(url, {"action": "save"}).status_code == 404, url
    html = client.get(reverse("recommendations:list")).content.decode()
    assert "Fund the shelters of RS." in html and "Fund the shelters of MK." not in html
    assert "Plan of MK" not in client.get(reverse("recommendations:plans")).content.decode()


def test_the_list_filters_by_theme_topic_source_and_answered(client, officer, world):
    rs_rec = world["RS"][0]
    other = recommendation("RS", theme="prevention", text="Warn job seekers.", topics=["awareness"])
    measure(world["RS"][2], answers=[other])
    url = reverse("recommendations:list")

    def texts(**params):
        html = client.get(url, params).content.decode()
        return {t for t in ("Fund the shelters of RS.", "Warn job seekers.") if t in html}

    assert texts() == {"Fund the shelters of RS.", "Warn job seekers."}
    assert texts(theme="prevention") == {"Warn job seekers."}
    assert texts(topic="funding") == {"Fund the shelters of RS."}
    assert texts(status="answered") == {"Warn job seekers."}
    assert texts(status="unanswered") == {"Fund the shelters of RS."}
    assert texts(source=rs_rec.source_id) == {"Fund the shelters of RS."}
    assert texts(participant="RS", q="job") == {"Warn job seekers."}
    assert client.get(url, {"theme": "bogus"}).status_code == 400


def test_add_edit_with_versions_and_link(client, officer):
    src = source("greta", year=2019)
    rs = Participant.objects.get(code="RS")
    created = client.post(
        reverse("recommendations:new"),
        {
            "participant": rs.pk,
            "source": src.pk,
            "reference": "77",
            "year": 2019,
            "theme": "protection",
            "topics": ["identification", "children"],
            "priority": "urgent",
            "wording": "own_words",
            "text": "Presume a person is a child when the age is uncertain.",
        },
    )
    item = Recommendation.objects.get(reference="77")
    assert created.status_code == 302 and item.topics == ["identification", "children"]
    url = reverse("recommendations:detail", args=[item.pk])
    values = {
        "action": "save",
        "version": item.version,
        "source": src.pk,
        "reference": "77",
        "year": 2019,
        "theme": "protection",
        "priority": "should",
        "wording": "own_words",
        "text": "Presume a child when in doubt.",
    }
    assert client.post(url, values).status_code == 302
    item.refresh_from_db()
    assert item.priority == "should" and item.version == 2 and item.topics == []
    stale = client.post(url, values)  # the version read before the save
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    later = recommendation("RS", year=2024)
    linked = client.post(url, {"action": "link", "kind": "repeats", "other": later.pk})
    assert linked.status_code == 302
    link = RecommendationLink.objects.get()
    assert (link.recommendation, link.earlier) == (later, item)
    twice = client.post(url, {"action": "link", "kind": "repeats", "other": later.pk})
    assert twice.status_code == 400 and "linked already" in twice.content.decode()
    page = client.get(url).content.decode()
    assert later.label in page
    client.post(url, {"action": "unlink", "link": link.pk})
    assert not RecommendationLink.objects.exists()


def test_a_link_to_another_participants_recommendation_is_not_offered(client, officer, world):
    url = reverse("recommendations:detail", args=[world["RS"][0].pk])
    response = client.post(url, {"action": "link", "kind": "repeats", "other": world["MK"][0].pk})
    assert response.status_code == 400 and not RecommendationLink.objects.exists()


def test_a_coordinator_reads_but_does_not_change(client, world):
    coordinator = make_user(role="national_coordinator", organisation=make_organisation("RS"))
    login_verified(client, coordinator)
    rec, plan, _goal, item = world["RS"]
    page = client.get(reverse("recommendations:detail", args=[rec.pk]))
    assert page.status_code == 200 and 'value="save"' not in page.content.decode()
    assert (
        client.post(
            reverse("recommendations:detail", args=[rec.pk]), {"action": "save"}
        ).status_code
        == 403
    )
    assert client.get(reverse("recommendations:measure", args=[item.pk])).status_code == 200
    assert client.get(reverse("recommendations:new")).status_code == 403
    assert client.get(reverse("recommendations:measure-new", args=[plan.pk])).status_code == 403


def test_plan_objective_measure_with_recommendations_and_progress_history(client, officer):
    rs = Participant.objects.get(code="RS")
    first = recommendation("RS", year=2019, reference="45")
    second = recommendation("RS", year=2023, reference="52")
    created = client.post(
        reverse("recommendations:plans"),
        {
            "participant": rs.pk,
            "title": "Action plan 2026-2028",
            "period_start": 2026,
            "period_end": 2028,
            "context": "Why.",
        },
    )
    plan = Strategy.objects.get()
    assert created.status_code == 302 and plan.participant == rs
    url = reverse("recommendations:plan", args=[plan.pk])
    client.post(url, {"action": "objective", "theme": "protection", "text": "Identify early."})
    goal = plan.objectives.get()
    new = client.post(
        reverse("recommendations:measure-new", args=[plan.pk]),
        {
            "objective": goal.pk,
            "title": "Screening protocol",
            "responsible": "Ministry (test)",
            "deadline": "2026-01-31",
            "budget": "1000.00",
            "currency": "eur",
            "recommendations": [first.pk],
        },
    )
    item = Measure.objects.get()
    assert new.status_code == 302 and item.currency == "EUR"
    assert list(item.recommendations.all()) == [first]
    measure_url = reverse("recommendations:measure", args=[item.pk])
    saved = client.post(
        measure_url,
        {
            "action": "save",
            "version": item.version,
            "objective": goal.pk,
            "title": "Screening protocol",
            "responsible": "Ministry (test)",
            "deadline": "2026-01-31",
            "currency": "EUR",
            "recommendations": [first.pk, second.pk],
        },
    )
    assert saved.status_code == 302
    assert set(item.recommendations.all()) == {first, second}
    for period, end, status in (
        ("2025 H2", "2025-12-31", "not_started"),
        ("2026 H1", "2026-06-30", "delayed"),
    ):
        client.post(
            measure_url,
            {
                "action": "progress",
                "period": period,
                "period_end": end,
                "status": status,
                "evidence": "Minutes.",
            },
        )
    assert ProgressReport.objects.count() == 2
    html = client.get(measure_url).content.decode()
    assert "2025 H2" in html and "2026 H1" in html and "overdue" in html
    plan_html = client.get(url).content.decode()
    assert "Screening protocol" in plan_html and "delayed (2026 H1)" in plan_html
    bad = client.post(measure_url, {"action": "progress", "period": "", "status": "x"})
    assert bad.status_code == 400 and ProgressReport.objects.count() == 2


def test_coverage_page_shows_gaps_repeats_and_overdue(client, officer):
    older = recommendation("RS", year=2017, reference="98", text="Fund mobile teams for years.")
    newer = recommendation("RS", src=source("us_tip", year=2024), year=2024, reference="P3")
    repeats(newer, older)
    goal = objective(strategy("RS"))
    late = measure(goal, title="Late measure", deadline=datetime.date(2020, 1, 1))
    report(late, "in_progress")
    html = client.get(reverse("recommendations:coverage")).content.decode()
    assert "Persistent gaps: 1" in html and older.label in html and newer.label in html
    assert "Overdue measures: 1" in html and "Late measure" in html
    assert "Not answered by any measure: 2" in html
    assert "<svg" in html and "Participants compared by theme" in html


def test_regional_analyst_sees_the_comparison_only(client, world):
    analyst = make_user(role="regional_analyst", organisation=make_organisation("HUB", name="Hub"))
    login_verified(client, analyst)
    html = client.get(reverse("recommendations:coverage")).content.decode()
    assert "Serbia (RS)" in html and "North Macedonia (MK)" in html
    assert "Fund the shelters" not in html
    assert (
        client.get(reverse("recommendations:detail", args=[world["RS"][0].pk])).status_code == 404
    )
    assert "Fund the shelters" not in client.get(reverse("recommendations:list")).content.decode()
    home = client.get("/").content.decode()
    assert reverse("recommendations:coverage") in home
    assert 'href="/action-plans/"' not in home


def test_sources_are_added_and_corrected(client, officer):
    url = reverse("recommendations:sources")
    client.post(url, {"body": "osce", "title": "OSCE visit (test)", "round_or_year": "2025"})
    made = Source.objects.get()
    assert made.body == "osce"
    dup = client.post(url, {"body": "osce", "title": "OSCE visit (test)", "round_or_year": "2025"})
    assert dup.status_code == 400
    edit = reverse("recommendations:source", args=[made.pk])
    changed = client.post(
        edit,
        {
            "version": made.version,
            "body": "osce",
            "title": "OSCE visit",
            "round_or_year": "2025",
            "url": "https://example.org/r",
        },
    )
    assert changed.status_code == 302
    made.refresh_from_db()
    assert made.title == "OSCE visit" and made.url == "https://example.org/r"


def test_navigation_for_the_policy_officer_only(client, officer):
    home = client.get("/").content.decode()
    for name in ("recommendations:list", "recommendations:plans", "recommendations:coverage"):
        assert reverse(name) in home
    frontline = make_user(role="frontline_professional", organisation=make_organisation("RS"))
    login_verified(client, frontline)
    assert reverse("recommendations:list") not in client.get("/").content.decode()
    assert client.get(reverse("recommendations:list")).status_code == 403


def test_an_objective_is_changed_on_the_plan_page(client, officer, world):
    _rec, plan, goal, _measure = world["RS"]
    url = reverse("recommendations:plan", args=[plan.pk])
    prefix = f"o{goal.pk}"
    bad = client.post(
        url,
        {"action": "objective_edit", "objective": goal.pk, f"{prefix}-theme": "x"},
    )
    assert bad.status_code == 400
    goal.refresh_from_db()
    assert goal.text != "Screen seasonal workers proactively."
    client.post(
        url,
        {
            "action": "objective_edit",
            "objective": goal.pk,
            f"{prefix}-theme": "prevention",
            f"{prefix}-text": "Screen seasonal workers proactively.",
        },
    )
    goal.refresh_from_db()
    assert (goal.theme, goal.text) == ("prevention", "Screen seasonal workers proactively.")
    _r, _p, other_goal, _m = world["MK"]
    response = client.post(
        url,
        {"action": "objective_edit", "objective": other_goal.pk, f"o{other_goal.pk}-text": "x"},
    )
    assert response.status_code == 404

"""Coverage: what no measure answers, persistent gaps (repeated and unanswered), overdue
measures (the latest report decides), and who may compare participants."""

import datetime

import pytest

from tests.factories import make_organisation, make_user
from tests.recommendations.helpers import (
    measure,
    objective,
    recommendation,
    repeats,
    report,
    source,
    strategy,
)
from veza.organisations.models import Participant
from veza.recommendations.coverage import (
    answered_ids,
    chains,
    comparison,
    comparison_participants,
    overdue_measures,
    status_by_theme,
    status_over_time,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


def rs():
    return [Participant.objects.get(code="RS").pk]


def test_a_linked_measure_answers_unless_cancelled():
    answered, unanswered = recommendation(), recommendation()
    item = measure(objective(strategy()), answers=[answered])
    assert answered_ids(rs()) == {answered.pk}
    assert unanswered.pk not in answered_ids(rs())
    report(item, "cancelled")
    assert answered_ids(rs()) == set()
    report(item, "in_progress", period_end=datetime.date(2026, 12, 31), period="2026 H2")
    assert answered_ids(rs()) == {answered.pk}  # the latest report is the current status


def test_persistent_gap_is_a_chain_over_two_years_or_sources_that_nothing_answers():
    first = recommendation(year=2017)
    second = recommendation(year=2023)
    third = recommendation(src=source("us_tip", year=2024), year=2024)
    repeats(second, first)
    repeats(third, second)
    lone = recommendation(year=2024)  # made once: not a gap, only unanswered
    found = chains(rs())
    assert len(found) == 1
    chain = found[0]
    assert [r.pk for r in chain.recommendations] == [first.pk, second.pk, third.pk]
    assert chain.repeated and chain.gap and chain.years == [2017, 2023, 2024]
    assert lone.pk not in {r.pk for c in found for r in c.recommendations}
    # Answering any recommendation of the chain closes the gap.
    measure(objective(strategy()), answers=[second])
    (chain,) = chains(rs())
    assert chain.repeated and not chain.gap


def test_linking_in_the_wrong_order_still_points_to_the_earlier_one():
    earlier, later = recommendation(year=2019), recommendation(year=2024)
    link = repeats(earlier, later)
    assert (link.recommendation, link.earlier) == (later, earlier)


def test_the_same_source_and_year_twice_is_not_a_repetition():
    src = source(year=2023)
    a, b = recommendation(src=src, year=2023), recommendation(src=src, year=2023)
    repeats(b, a)
    (chain,) = chains(rs())
    assert chain.occurrences == 1 and not chain.gap


def test_overdue_is_past_the_deadline_and_neither_done_nor_cancelled():
    goal = objective(strategy())
    late = measure(goal, deadline=TODAY - datetime.timedelta(days=1))
    done = measure(goal, deadline=TODAY - datetime.timedelta(days=30))
    reopened = measure(goal, deadline=TODAY - datetime.timedelta(days=30))
    measure(goal, deadline=TODAY + datetime.timedelta(days=1))  # not yet due
    measure(goal)  # no deadline
    report(done, "done")
    report(reopened, "done", period_end=datetime.date(2026, 6, 30))
    report(reopened, "delayed", period_end=datetime.date(2026, 9, 30), period="2026 Q3")
    found = {m.pk: r for m, r in overdue_measures(rs(), today=TODAY)}
    assert set(found) == {late.pk, reopened.pk}
    assert found[late.pk] is None and found[reopened.pk].status == "delayed"


def test_status_by_theme_and_over_time_follow_the_history():
    goal = objective(strategy(), theme="prevention")
    item = measure(goal)
    measure(goal)
    report(item, "not_started", period_end=datetime.date(2024, 12, 31), period="2024 H2")
    report(item, "in_progress", period_end=datetime.date(2025, 6, 30), period="2025 H1")
    report(item, "done", period_end=datetime.date(2026, 6, 30), period="2026 H1")
    assert status_by_theme(rs())["prevention"] == {"done": 1, "no_report": 1}
    over_time = status_over_time(rs(), until=2026)
    assert over_time["not_started"] == {2024: 1, 2025: 0, 2026: 0}
    assert over_time["in_progress"][2025] == 1 and over_time["done"][2026] == 1


def test_comparison_counts_by_theme_and_who_may_compare():
    for code in ("RS", "MK"):
        a = recommendation(code, year=2018, theme="prosecution")
        b = recommendation(code, year=2024, theme="prosecution")
        repeats(b, a)
        recommendation(code, theme="protection")
    measure(objective(strategy("MK")), answers=[recommendation("MK", theme="protection")])
    rows = {
        r["participant"].code: r
        for r in comparison(Participant.objects.filter(code__in=["RS", "MK"]), today=TODAY)
    }
    prosecution = {code: rows[code]["themes"][2] for code in rows}
    assert prosecution["RS"] == {"theme": "prosecution", "total": 2, "unanswered": 2, "gaps": 2}
    assert rows["MK"]["total"] == 4 and rows["MK"]["unanswered"] == 3

    hub = make_organisation("HUB", name="Hub (test)")
    analyst = make_user(role="regional_analyst", organisation=hub)
    assert [p.code for p in comparison_participants(analyst)] == [
        "AL",
        "BA",
        "ME",
        "MK",
        "RS",
        "XK",
    ]
    national = make_user(role="policy_officer", organisation=make_organisation("RS"))
    assert [p.code for p in comparison_participants(national)] == ["RS"]
    frontline = make_user(role="frontline_professional", organisation=make_organisation("RS"))
    assert comparison_participants(frontline) == []

"""The decision rule, tested without Django: hand-made vignettes and property-based invariants."""

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from veza.indicators.engine import (
    DIMENSIONS,
    OUTCOMES,
    ContentError,
    UnknownIndicatorsError,
    evaluate,
    outcome_rank,
    parse_rule,
    parse_set,
)

DATA = Path(__file__).resolve().parents[2] / "src/veza/data"


def load(kind, name):
    return yaml.safe_load((DATA / kind / f"{name}.yaml").read_text())


RULE = parse_rule(load("rules", "veza-default"))
ADULT_LABOUR = parse_set(load("indicators", "ilo-ec-2009-adult-labour"))
CHILD_LABOUR = parse_set(load("indicators", "ilo-ec-2009-child-labour"))
ADULT_SEXUAL = parse_set(load("indicators", "ilo-ec-2009-adult-sexual"))
ILO11 = parse_set(load("indicators", "ilo-2012-forced-labour"))


def ids(indicator_set, dimension=None, strength=None):
    return [
        i.id
        for i in indicator_set.indicators
        if (dimension is None or i.dimension == dimension)
        and (strength is None or i.strength == strength)
    ]


# --- The published list, encoded exactly --------------------------------------------------------


def test_adult_labour_set_has_the_67_indicators_of_the_published_list():
    assert len(ADULT_LABOUR.indicators) == 67
    per_dimension = Counter(i.dimension for i in ADULT_LABOUR.indicators)
    assert per_dimension == {
        "deceptive_recruitment": 10,
        "coercive_recruitment": 10,
        "recruitment_abuse_of_vulnerability": 16,
        "exploitation": 9,
        "coercion_at_destination": 15,
        "abuse_of_vulnerability_at_destination": 7,
    }
    grades = Counter((i.dimension, i.strength) for i in ADULT_LABOUR.indicators)
    assert grades == {
        ("deceptive_recruitment", "strong"): 1,
        ("deceptive_recruitment", "medium"): 8,
        ("deceptive_recruitment", "weak"): 1,
        ("coercive_recruitment", "strong"): 1,
        ("coercive_recruitment", "medium"): 9,
        ("recruitment_abuse_of_vulnerability", "medium"): 12,
        ("recruitment_abuse_of_vulnerability", "weak"): 4,
        ("exploitation", "strong"): 1,
        ("exploitation", "medium"): 7,
        ("exploitation", "weak"): 1,
        ("coercion_at_destination", "strong"): 4,
        ("coercion_at_destination", "medium"): 10,
        ("coercion_at_destination", "weak"): 1,
        ("abuse_of_vulnerability_at_destination", "medium"): 5,
        ("abuse_of_vulnerability_at_destination", "weak"): 2,
    }
    assert ADULT_LABOUR.provenance == "verified"
    assert set(ADULT_LABOUR.draft_indicator_ids) == {"rv.past_difficulties", "rv.travel_difficulty"}


def test_unverified_sets_are_drafts_and_use_the_same_ids():
    for name in ("adult-sexual", "child-labour", "child-sexual"):
        other = parse_set(load("indicators", f"ilo-ec-2009-{name}"))
        assert other.provenance == "draft"
        assert {i.id for i in other.indicators} == {i.id for i in ADULT_LABOUR.indicators}
    assert not ids(CHILD_LABOUR, strength="weak"), "the child list has no weak tier"
    for strong in (
        "dr.education",
        "cr.threat_violence",
        "cr.abduction_sale",
        "cr.debt_bondage",
        "cd.forced_criminal",
        "cd.forced_tasks_clients",
        "cd.strong_influence",
    ):
        assert CHILD_LABOUR.by_id[strong].strength == "strong", strong
    assert CHILD_LABOUR.by_id["ex.no_education"].strength == "medium"
    assert ADULT_SEXUAL.by_id["cd.forced_tasks_clients"].strength == "strong"


# --- Positivity of one dimension ---


@pytest.mark.parametrize(
    ("present", "positive"),
    [
        (["cd.documents_confiscated"], False),  # one strong alone
        (["cd.documents_confiscated", "cd.debt_bondage"], True),  # two strong
        (["cd.documents_confiscated", "cd.threat_violence"], True),  # strong + medium
        (["cd.documents_confiscated", "cd.threat_inform_family"], True),  # strong + weak
        (["cd.threat_violence", "cd.wages_withheld"], False),  # two medium
        (["cd.threat_violence", "cd.wages_withheld", "cd.forced_to_lie"], True),  # three medium
        (["cd.threat_violence", "cd.wages_withheld", "cd.threat_inform_family"], True),  # 2m + 1w
        (["cd.threat_violence", "cd.threat_inform_family"], False),  # 1m + 1w
        (["vd.past_difficulties", "vd.personal_characteristics"], False),  # weak only
    ],
)
def test_positivity_rule(present, positive):
    result = evaluate(ADULT_LABOUR, RULE, present)
    dimension = ADULT_LABOUR.by_id[present[0]].dimension
    assert result.dimensions[dimension].positive is positive


# --- Vignettes ---

ADULT_VIGNETTES = [
    # Deceived about the job and pay, long hours for little, passport and debt: all three elements.
    (
        "presumed_victim",
        [
            "dr.nature_place_employer",
            "dr.wages",
            "ex.excessive_hours",
            "ex.low_no_salary",
            "cd.documents_confiscated",
            "cd.debt_bondage",
        ],
    ),
    # Recruitment and exploitation positive, no means: two elements → potential.
    (
        "potential_victim",
        ["dr.nature_place_employer", "dr.wages", "ex.excessive_hours", "ex.low_no_salary"],
    ),
    # Only a strong coercion indicator: potential by the strong-indicator step.
    ("potential_victim", ["cd.violence"]),
    # Bad pay and no contract alone: exploitation positive? 2 medium → no; indicators present.
    ("indicators_present", ["ex.low_no_salary", "ex.law_contract_breached"]),
    ("indicators_present", ["rv.economic"]),
    ("no_indicators", []),
]


@pytest.mark.parametrize(("outcome", "present"), ADULT_VIGNETTES)
def test_adult_vignettes(outcome, present):
    result = evaluate(ADULT_LABOUR, RULE, present, age_group="adult")
    assert result.outcome == outcome, result.explanation


CHILD_VIGNETTES = [
    # A child recruited with deception about school and kept out of it, working long hours:
    # recruitment + exploitation suffice; no means needed.
    (
        "presumed_victim",
        ["dr.education", "dr.working_conditions", "ex.excessive_hours", "ex.no_education"],
    ),
    # One element (exploitation) positive is enough for a child to be a potential victim.
    ("potential_victim", ["ex.excessive_hours", "ex.hazardous_work"]),
    ("indicators_present", ["rv.economic"]),
    ("no_indicators", []),
]


@pytest.mark.parametrize(("outcome", "present"), CHILD_VIGNETTES)
def test_child_vignettes(outcome, present):
    result = evaluate(CHILD_LABOUR, RULE, present, age_group="child")
    assert result.outcome == outcome, result.explanation


def test_same_answers_weigh_more_for_a_child_than_for_an_adult():
    present = ["dr.nature_place_employer", "dr.wages", "ex.excessive_hours", "ex.low_no_salary"]
    assert evaluate(ADULT_LABOUR, RULE, present, age_group="adult").outcome == "potential_victim"
    assert evaluate(ADULT_LABOUR, RULE, present, age_group="child").outcome == "presumed_victim"


def test_result_explains_itself():
    result = evaluate(ADULT_LABOUR, RULE, ADULT_VIGNETTES[0][1], urgent=["immediate_danger"])
    data = result.to_dict()
    assert data["fired"]["condition"] == "combination"
    assert data["dimensions"]["coercion_at_destination"]["positive"] is True
    assert set(data["dimensions"]["coercion_at_destination"]["present"]) == {
        "cd.documents_confiscated",
        "cd.debt_bondage",
    }
    assert data["elements"]["means"]["positive"] is True
    assert data["urgent"] == ["immediate_danger"]
    assert result.explanation[0].startswith("URGENT")
    assert (data["set"], data["set_version"], data["rule"], data["rule_version"]) == (
        "ilo-ec-2009-adult-labour",
        1,
        "veza-default",
        1,
    )


def test_unknown_ids_are_named():
    with pytest.raises(UnknownIndicatorsError) as info:
        evaluate(ADULT_LABOUR, RULE, ["dr.wages", "nope.one", "nope.two"])
    assert info.value.unknown == ["nope.one", "nope.two"]
    assert evaluate(ADULT_LABOUR, RULE, ["nope.one"], strict=False).outcome == "no_indicators"


def test_supplementary_signals_follow_their_equivalents():
    result = evaluate(ILO11, RULE, ["cd.documents_confiscated", "ex.excessive_hours"], strict=False)
    assert set(result.present) == {"ilo11.retention_documents", "ilo11.excessive_overtime"}


# --- Invariants (hypothesis) ---

ALL_IDS = sorted(ADULT_LABOUR.by_id)
subsets = st.sets(st.sampled_from(ALL_IDS), max_size=25)
age_groups = st.sampled_from(["adult", "child"])


@settings(max_examples=300, deadline=None)
@given(subsets, st.sampled_from(ALL_IDS), age_groups)
def test_adding_an_indicator_never_lowers_the_outcome(present, extra, age_group):
    before = evaluate(ADULT_LABOUR, RULE, present, age_group=age_group)
    after = evaluate(ADULT_LABOUR, RULE, present | {extra}, age_group=age_group)
    assert outcome_rank(after.outcome) >= outcome_rank(before.outcome)
    for dimension in DIMENSIONS:
        assert after.dimensions[dimension].positive >= before.dimensions[dimension].positive


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(ids(ADULT_LABOUR, strength="weak"))), age_groups)
def test_weak_indicators_alone_never_make_a_dimension_positive(present, age_group):
    result = evaluate(ADULT_LABOUR, RULE, present, age_group=age_group)
    assert not any(state.positive for state in result.dimensions.values())


@settings(max_examples=200, deadline=None)
@given(subsets)
def test_child_rule_never_needs_the_means(present):
    means = set(ids(ADULT_LABOUR, "coercion_at_destination")) | set(
        ids(ADULT_LABOUR, "abuse_of_vulnerability_at_destination")
    )
    without_means = present - means
    result = evaluate(CHILD_LABOUR, RULE, without_means, age_group="child")
    if result.elements["recruitment"]["positive"] and result.elements["exploitation"]["positive"]:
        assert result.outcome == "presumed_victim"


@settings(max_examples=200, deadline=None)
@given(subsets)
def test_a_child_is_never_rated_lower_than_an_adult(present):
    adult = evaluate(ADULT_LABOUR, RULE, present, age_group="adult")
    child = evaluate(ADULT_LABOUR, RULE, present, age_group="child")
    assert outcome_rank(child.outcome) >= outcome_rank(adult.outcome)


@settings(max_examples=200, deadline=None)
@given(subsets, age_groups)
def test_outcome_is_consistent_with_its_reasons(present, age_group):
    result = evaluate(ADULT_LABOUR, RULE, present, age_group=age_group)
    assert result.outcome in OUTCOMES
    assert (result.outcome == "no_indicators") == (not present)
    if result.outcome == "presumed_victim":
        assert result.combination_met
    if result.combination_met:
        assert result.outcome == "presumed_victim"
    assert sorted(result.present) == sorted(present)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(ALL_IDS), max_size=20))
def test_order_and_repetition_do_not_matter(present):
    a = evaluate(ADULT_LABOUR, RULE, present)
    b = evaluate(ADULT_LABOUR, RULE, list(reversed(present)) + present)
    assert a.to_dict() == b.to_dict()


# --- Rules and sets that cannot be used ---


def test_malformed_sets_list_every_fault():
    broken = {
        "id": "x",
        "version": 0,
        "title": "X",
        "applies_to": {"age_groups": ["elder"]},
        "indicators": [
            {"id": "a", "dimension": "nowhere", "strength": "strong", "text": "A"},
            {"id": "a", "dimension": "exploitation", "strength": "huge", "text": ""},
        ],
    }
    with pytest.raises(ContentError) as info:
        parse_set(broken)
    text = " ".join(info.value.problems)
    for expected in ("version", "elder", "nowhere", "used twice", "huge", "text"):
        assert expected in text


def test_rules_that_break_the_model_are_refused():
    base = load("rules", "veza-default")
    weak_only = dict(base, positivity=[{"weak": 3}])
    with pytest.raises(ContentError, match="weak indicators alone"):
        parse_rule(weak_only)
    no_child = dict(base, combination={"adult": ["recruitment", "exploitation", "means"]})
    with pytest.raises(ContentError, match="no entry for child"):
        parse_rule(no_child)
    upside_down = dict(base, ladder=list(reversed(base["ladder"])))
    with pytest.raises(ContentError, match="highest outcome"):
        parse_rule(upside_down)
    missing_dim = dict(base, elements={"recruitment": ["deceptive_recruitment"]})
    with pytest.raises(ContentError, match="in no element"):
        parse_rule(missing_dim)


def test_a_new_rule_version_changes_outcomes_without_code():
    stricter = load("rules", "veza-default")
    stricter = dict(stricter, version=2, positivity=[{"strong": 2}, {"medium": 4}])
    rule2 = parse_rule(stricter)
    present = ["cd.documents_confiscated", "cd.threat_violence"]
    assert evaluate(ADULT_LABOUR, RULE, present).dimensions["coercion_at_destination"].positive
    assert not evaluate(ADULT_LABOUR, rule2, present).dimensions["coercion_at_destination"].positive
    assert evaluate(ADULT_LABOUR, rule2, present).rule_version == 2

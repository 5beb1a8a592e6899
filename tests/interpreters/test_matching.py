"""The interpreter matching engine, tested without Django: hand-made pools and properties."""

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veza.interpreters.matching import (
    CONSTRAINTS,
    REASONS,
    Candidate,
    Excluded,
    Pool,
    Ranked,
    Request,
    Skill,
    Weights,
    describe,
    distance_km,
    explain,
    match,
)

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2027, 2, 1)
BELGRADE = (44.8125, 20.4612)
NOVI_SAD = (45.2671, 19.8335)  # 71 km from Belgrade
SKOPJE = (41.9981, 21.4254)  # 322 km from Belgrade


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def candidate(ident: int = 1, **fields) -> Candidate:
    defaults = {
        "gender": "female",
        "skills": (Skill("pus", 5), Skill("srp", 5)),
        "target_languages": frozenset({"srp"}),
        "participant": "RS",
        "location": BELGRADE,
        "remote": True,
        "on_site": True,
        "vetted_until": date(2028, 1, 1),
        "confidentiality_signed": True,
        "conflicts": frozenset(),
        "available": ((at(0), at(8)),),
        "busy": (),
        "settings_done": {},
        "trafficking_trained": False,
        "trauma_trained": False,
        "recent_hours": 0.0,
        "feedback": None,
    }
    return Candidate(id=ident, **{**defaults, **fields})


def request(**fields) -> Request:
    defaults = {
        "languages": ("pus",),
        "target_language": "srp",
        "start": at(2),
        "end": at(4),
        "remote": False,
        "location": BELGRADE,
        "participant": "RS",
    }
    return Request(**{**defaults, **fields})


def order(result) -> list[int]:
    return [r.candidate_id for r in result.ranked]


def reason_of(ranked: Ranked, code: str):
    return next(r for r in ranked.reasons if r.code == code)


def points(ranked: Ranked, code: str) -> float:
    return reason_of(ranked, code).points


# Hard constraints --------------------------------------------------------------------------


def test_an_eligible_candidate_is_ranked_with_its_reasons():
    result = match(request(), [candidate()], today=TODAY)
    assert result.eligible == 1
    assert list(result.excluded) == []
    [ranked] = result.ranked
    assert ranked.candidate_id == 1
    codes = [r.code for r in ranked.reasons]
    assert reason_of(ranked, "language").params == {"language": "pus", "level": 5, "choice": 1}
    assert {"distance", "fair_share", "feedback_none", "same_participant"} <= set(codes)


HARD = [
    ({"skills": (Skill("ara", 5), Skill("srp", 5))}, {}, "language_missing"),
    ({"skills": (Skill("pus", 3), Skill("srp", 5))}, {}, "proficiency_low"),
    (
        {"skills": (Skill("pus", 5), Skill("srp", 3)), "target_languages": frozenset({"mkd"})},
        {},
        "target_language_missing",
    ),
    ({"vetted_until": None}, {}, "vetting_missing"),
    ({"vetted_until": date(2027, 2, 28)}, {}, "vetting_expired"),
    ({"confidentiality_signed": False}, {}, "confidentiality_missing"),
    ({"conflicts": frozenset({"community-a"})}, {"avoid": frozenset({"Community-A"})}, "conflict"),
    ({"gender": "female"}, {"gender_required": "male"}, "gender_required"),
    ({"remote": False}, {"remote": True, "location": None}, "remote_not_offered"),
    ({"on_site": False}, {}, "on_site_not_offered"),
    ({"location": SKOPJE, "travel_km_max": 100.0}, {}, "too_far"),
    ({"available": ((at(3), at(8)),)}, {}, "not_available"),
    ({"busy": ((at(3), at(5)),)}, {}, "double_booked"),
]


@pytest.mark.parametrize(("fields", "asked", "code"), HARD, ids=[h[2] for h in HARD])
def test_each_hard_constraint_excludes_with_its_reason(fields, asked, code):
    r = request(**asked)
    result = match(r, [candidate(**fields)], today=TODAY)
    assert result.ranked == [] and result.eligible == 0
    [excluded] = result.excluded
    assert excluded == Excluded(1, excluded.reason)
    assert excluded.reason.code == code
    assert excluded.reason.points == 0
    assert describe(excluded.reason)  # the template takes the params
    assert Pool([candidate(**fields)]).match(r, today=TODAY) == result
    assert explain(r, candidate(**fields), today=TODAY) == excluded
    # The same candidate without the fault is eligible: each case tests one constraint only.
    assert explain(request(), candidate(), today=TODAY).candidate_id == 1


def test_params_name_what_failed():
    def reason(r=None, **fields):
        return explain(r or request(), candidate(**fields), today=TODAY).reason

    low = reason(request(languages=("pus", "prs")), skills=(Skill("pus", 2), Skill("prs", 3)))
    assert (low.code, low.params) == (
        "proficiency_low",
        {"language": "prs", "level": 3, "required": 4},
    )
    far = reason(location=SKOPJE, travel_km_max=100.0)
    assert far.params == {"km": 322.5, "max_km": 100.0}
    assert describe(far) == "based 322.5 km away, travels up to 100.0 km"
    clash = reason(busy=((at(5), at(6)), (at(3), at(5)), (at(1), at(2.5))))
    assert clash.params == {"start": at(1).isoformat(), "end": at(2.5).isoformat()}
    assert reason(vetted_until=date(2027, 2, 28)).params == {"until": "2027-02-28"}
    conflict = reason(request(avoid=frozenset({"b", "A", "c"})), conflicts=frozenset({"a", "b"}))
    assert conflict.params == {"tags": ("a", "b")}
    assert describe(conflict) == "declared a conflict of interest: a, b"


def test_only_the_first_failing_constraint_is_given():
    many_faults = candidate(
        vetted_until=None, confidentiality_signed=False, available=(), busy=((at(2), at(3)),)
    )
    assert explain(request(), many_faults, today=TODAY).reason.code == "vetting_missing"


def test_vetting_must_hold_on_the_request_date_and_today():
    valid_until_request = candidate(vetted_until=T0.date())
    assert isinstance(explain(request(), valid_until_request, today=TODAY), Ranked)
    # Matched after the request's date (e.g. recorded late), vetting must still hold today.
    late = explain(request(), valid_until_request, today=T0.date() + timedelta(days=1))
    assert late.reason.code == "vetting_expired"


def test_back_to_back_bookings_are_allowed_but_overlaps_are_not():
    touching = candidate(busy=((at(0), at(2)), (at(4), at(6))))
    assert isinstance(explain(request(), touching, today=TODAY), Ranked)
    one_minute = candidate(busy=((at(4) - timedelta(minutes=1), at(6)),))
    assert explain(request(), one_minute, today=TODAY).reason.code == "double_booked"
    inside = candidate(busy=((at(2.5), at(3)),))
    assert explain(request(), inside, today=TODAY).reason.code == "double_booked"
    for pool in (Pool([touching, replace(one_minute, id=2)]), [touching, replace(inside, id=2)]):
        result = match(request(), pool, today=TODAY)
        assert order(result) == [1]
        assert [e.reason.code for e in result.excluded] == ["double_booked"]


def test_touching_availability_windows_cover_together():
    split = candidate(available=((at(0), at(3)), (at(3), at(8))))
    assert isinstance(explain(request(), split, today=TODAY), Ranked)
    assert Pool([split]).match(request(), today=TODAY).eligible == 1
    nested = candidate(available=((at(0), at(3)), (at(1), at(2)), (at(3), at(8))))
    assert isinstance(explain(request(), nested, today=TODAY), Ranked)
    assert Pool([nested]).match(request(), today=TODAY).eligible == 1
    gap = candidate(available=((at(0), at(3)), (at(3) + timedelta(minutes=1), at(8))))
    assert explain(request(), gap, today=TODAY).reason.code == "not_available"
    assert Pool([gap]).match(request(), today=TODAY).excluded[0].reason.code == "not_available"


def test_the_target_language_may_come_from_skills_or_target_languages():
    by_skill = candidate(skills=(Skill("pus", 5), Skill("srp", 4)), target_languages=frozenset())
    listed = candidate(skills=(Skill("pus", 5),), target_languages=frozenset({"srp"}))
    assert order(match(request(), [by_skill, replace(listed, id=2)], today=TODAY)) == [1, 2]


def test_a_language_of_the_person_equal_to_the_target_is_not_a_source():
    english_only = candidate(skills=(Skill("eng", 5),), target_languages=frozenset({"eng"}))
    r = request(languages=("eng", "pus"), target_language="eng")
    assert explain(r, english_only, today=TODAY).reason.params == {"languages": ("pus",)}


def test_an_unknown_distance_excludes_no_one_and_earns_nothing():
    unknown = explain(request(), candidate(location=None, travel_km_max=5.0), today=TODAY)
    assert points(unknown, "distance_unknown") == 0
    assert isinstance(explain(request(location=None), candidate(), today=TODAY), Ranked)


def test_requests_and_candidates_are_checked():
    with pytest.raises(ValueError, match="timezone-aware"):
        request(start=datetime(2027, 3, 1, 9), end=datetime(2027, 3, 1, 10))
    with pytest.raises(ValueError, match="end after"):
        request(end=at(2))
    with pytest.raises(ValueError, match="min_proficiency"):
        request(min_proficiency=6)
    with pytest.raises(ValueError, match="other than the target"):
        request(languages=("srp",))
    with pytest.raises(ValueError, match="twice"):
        match(request(), [candidate(1), candidate(1)], today=TODAY)
    naive = ((datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 17)),)
    with pytest.raises(ValueError, match="timezone-aware"):
        Pool([candidate(available=naive)])


def test_time_zones_are_compared_as_instants():
    belgrade = timezone(timedelta(hours=1))
    local = candidate(available=((at(0).astimezone(belgrade), at(8).astimezone(belgrade)),))
    busy = candidate(2, busy=((at(3).astimezone(belgrade), at(5).astimezone(belgrade)),))
    for pool in ([local, busy], Pool([local, busy])):
        result = match(request(), pool, today=TODAY)
        assert order(result) == [1]
        assert result.excluded[0].reason.code == "double_booked"


# Ranking -----------------------------------------------------------------------------------


def test_closer_interpreters_rank_higher_on_site():
    pool = [candidate(1, location=SKOPJE), candidate(2, location=NOVI_SAD), candidate(3)]
    result = match(request(), pool, today=TODAY)
    assert order(result) == [3, 2, 1]
    assert [r.params for r in result.ranked[1].reasons if r.code == "distance"] == [{"km": 70.6}]
    remote = match(request(remote=True, location=None), pool, today=TODAY)
    assert order(remote) == [1, 2, 3]  # no distance on a call: ties fall back to the id
    assert {points(r, "remote") for r in remote.ranked} == {15.0}


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"recent_hours": 5.0}, {"recent_hours": 80.0}),
        ({"settings_done": {"police_interview": 6}}, {"settings_done": {"medical": 6}}),
        ({"feedback": 0.9}, {"feedback": 0.4}),
        ({"feedback": None}, {"feedback": 0.3}),
        ({"trafficking_trained": True}, {}),
        ({"trauma_trained": True}, {}),
        ({"gender": "male"}, {"gender": "female"}),
        ({"skills": (Skill("pus", 5, frozenset({"Kandahari"})), Skill("srp", 5))}, {}),
        ({}, {"skills": (Skill("pus", 4), Skill("srp", 5))}),
        ({}, {"participant": "MK"}),
    ],
)
def test_each_soft_criterion_orders_otherwise_equal_candidates(better, worse):
    r = request(setting="police_interview", gender_preferred="male", dialect="kandahari")
    # The better one has the higher id, so that the order is not the tie-break's.
    result = match(r, [candidate(1, **worse), candidate(2, **better)], today=TODAY)
    assert order(result) == [2, 1]
    assert result.ranked[0].score > result.ranked[1].score


def test_the_persons_first_language_counts_more_than_a_later_one():
    speaks_dari = candidate(1, skills=(Skill("prs", 5), Skill("srp", 5)))
    speaks_pashto = candidate(2, skills=(Skill("pus", 5), Skill("srp", 5)))
    result = match(request(languages=("pus", "prs")), [speaks_dari, speaks_pashto], today=TODAY)
    assert order(result) == [2, 1]
    language = reason_of(result.ranked[1], "language")
    assert language.params == {"language": "prs", "level": 5, "choice": 2}


def test_the_best_language_of_the_candidate_counts():
    both = candidate(skills=(Skill("pus", 4), Skill("prs", 5), Skill("srp", 5)))
    ranked = explain(request(languages=("pus", "prs"), min_proficiency=4), both, today=TODAY)
    # pus at 4 (15 * 0.7 = 10.5) against prs at 5 as the second choice (15 * 0.8 = 12).
    assert reason_of(ranked, "language").params["language"] == "prs"
    assert points(ranked, "language") == 12.0


def test_training_weighs_more_in_a_trafficking_setting():
    trained = candidate(trafficking_trained=True, trauma_trained=True)
    inside = explain(request(), trained, today=TODAY)
    outside = explain(request(trafficking_setting=False), trained, today=TODAY)
    assert (points(inside, "trained_trafficking"), points(inside, "trained_trauma")) == (10, 6)
    assert (points(outside, "trained_trafficking"), points(outside, "trained_trauma")) == (3, 3)


def test_urgency_favours_distance_over_fair_share():
    near_busy = candidate(1, recent_hours=120.0)
    free_10_km_away = candidate(2, location=(44.9025, 20.4612), recent_hours=0.0)
    pool = [near_busy, free_10_km_away]
    assert order(match(request(), pool, today=TODAY)) == [2, 1]
    assert order(match(request(urgent=True), pool, today=TODAY)) == [1, 2]


def test_weights_can_be_changed():
    pool = [candidate(1, recent_hours=120.0), candidate(2, location=NOVI_SAD)]
    assert order(match(request(), pool, today=TODAY)) == [1, 2]
    assert order(match(request(), pool, today=TODAY, weights=Weights(distance=0.0))) == [2, 1]


def test_reasons_explain_the_score_exactly():
    pool = [
        candidate(
            i,
            settings_done={"medical": i},
            recent_hours=7.3 * i,
            feedback=i / 7,
            trafficking_trained=i % 2 == 0,
            location=(44.8 + i / 10, 20.4),
        )
        for i in range(1, 7)
    ]
    result = match(request(setting="medical"), pool, today=TODAY)
    assert len(result.ranked) == 6
    for ranked in result.ranked:
        assert sum(r.points for r in ranked.reasons) == pytest.approx(ranked.score, abs=1e-9)
        assert [r.points for r in ranked.reasons] == sorted(
            (r.points for r in ranked.reasons), reverse=True
        )
        for reason in ranked.reasons:
            assert reason.code in REASONS
            assert describe(reason)
            json.dumps(reason.as_dict())


def test_ties_are_broken_by_id_and_the_result_does_not_depend_on_input_order():
    pool = [candidate(i) for i in (9, 3, 5, 7, 1)]
    first = match(request(), pool, today=TODAY)
    assert order(first) == [1, 3, 5, 7, 9]
    assert len({r.score for r in first.ranked}) == 1
    for seed in range(5):
        shuffled = random.Random(seed).sample(pool, len(pool))
        assert match(request(), shuffled, today=TODAY) == first
        assert Pool(shuffled).match(request(), today=TODAY) == first


def test_limit_and_eligible():
    pool = [candidate(i, recent_hours=float(i)) for i in range(1, 31)]
    result = match(request(), pool, today=TODAY, limit=5)
    assert order(result) == [1, 2, 3, 4, 5] and result.eligible == 30
    assert len(match(request(), pool, today=TODAY, limit=None).ranked) == 30


def test_excluded_are_listed_closest_to_eligible_first():
    pool = [
        candidate(1, skills=(Skill("ara", 5),)),
        candidate(2, busy=((at(2), at(3)),)),
        candidate(3, vetted_until=None),
        candidate(4, busy=((at(3), at(4)),)),
        candidate(5),
        candidate(6, skills=(Skill("ara", 5),)),
    ]
    for result in (match(request(), pool, today=TODAY), Pool(pool).match(request(), today=TODAY)):
        excluded = result.excluded
        assert [e.candidate_id for e in excluded] == [2, 4, 3, 1, 6]
        assert len(excluded) == 5
        assert excluded[-1] == excluded[4] == Excluded(6, excluded[3].reason)
        assert excluded[1:3] == [excluded[1], excluded[2]]
        assert excluded == list(excluded)
        assert excluded.counts() == {
            "language_missing": 2,
            "vetting_missing": 1,
            "double_booked": 2,
        }
        with pytest.raises(IndexError):
            excluded[5]
    assert match(request(), pool, today=TODAY) == Pool(pool).match(request(), today=TODAY)


def test_distance():
    assert distance_km((0.0, 0.0), (0.0, 1.0)) == pytest.approx(111.195, abs=0.01)
    assert distance_km(BELGRADE, SKOPJE) == pytest.approx(322.5, abs=0.1)
    assert distance_km(BELGRADE, BELGRADE) == 0


def test_every_code_has_a_template():
    assert set(CONSTRAINTS) <= set(REASONS)


# Properties --------------------------------------------------------------------------------

# Drawn around the request (`candidates`), so that some candidates pass every hard constraint
# and each constraint, touching intervals included, is the first to fail for some of the others.
LANGUAGES = ("pus", "ara", "eng", "srp")
TARGETS = ("srp", "eng")
TOWNS = (BELGRADE, NOVI_SAD, SKOPJE)
DAY = timedelta(days=1)
mostly = st.sampled_from  # a value listed more often is drawn more often


@st.composite
def intervals(draw, most, whole_day):
    found = [(at(0), at(8))] if draw(st.integers(0, 2)) < whole_day else []
    for _ in range(draw(st.integers(0, most))):
        start = draw(st.integers(0, 15))
        end = draw(st.integers(start + 1, min(16, start + 6)))
        found.append((T0 + timedelta(minutes=30 * start), T0 + timedelta(minutes=30 * end)))
    return tuple(draw(st.permutations(found)))


@st.composite
def candidates(draw, ident, r):
    """A candidate drawn around the request, so that many pass and every fault occurs."""
    levels = mostly((5, 5, 4, 4, 3, 2, 1))
    main = draw(mostly((r.languages[0], r.languages[0], r.languages[-1], "ara")))
    skills = {main: draw(levels), **draw(st.dictionaries(mostly(LANGUAGES), levels, max_size=2))}
    dialects = st.frozensets(st.sampled_from(("a", "b")))
    target = r.target_language
    targets = mostly([{target}, {target}, {target, "eng"}, set(), {"mkd"}]).map(frozenset)
    day = r.start.date()
    middle = r.start + (r.end - r.start) / 2
    # Windows that only cover the request together, and bookings that only touch it.
    split = [(), ((at(0), middle), (middle, at(8))), ((at(0), middle), (middle + DAY / 48, at(8)))]
    touching = [(), ((at(0), r.start),), ((r.end, at(8)),), ((r.end - DAY / 96, at(8)),)]
    return Candidate(
        id=ident,
        gender=draw(mostly(("female", "male", "other"))),
        skills=tuple(Skill(lang, level, draw(dialects)) for lang, level in skills.items()),
        target_languages=draw(targets),
        participant=draw(mostly(("RS", "MK"))),
        location=draw(mostly((None, *TOWNS, BELGRADE))),
        remote=draw(mostly((True, True, True, False))),
        on_site=draw(mostly((True, True, True, False))),
        vetted_until=draw(mostly((None, *(date(2028, 1, 1),) * 4, day, day - DAY))),
        confidentiality_signed=draw(mostly((True,) * 9 + (False,))),
        conflicts=draw(mostly((frozenset(),) * 4 + (frozenset({"x"}), frozenset({"x", "y"})))),
        available=draw(intervals(most=2, whole_day=1)) + draw(mostly(split)),
        busy=draw(intervals(most=2, whole_day=0)) + draw(mostly(touching)),
        settings_done=draw(
            st.dictionaries(st.sampled_from(("medical", "court")), st.integers(0, 9))
        ),
        trafficking_trained=draw(st.booleans()),
        trauma_trained=draw(st.booleans()),
        recent_hours=draw(st.floats(0, 200)),
        feedback=draw(st.none() | st.floats(0, 1)),
        travel_km_max=draw(mostly((None, None, 50.0, 100.0, 400.0))),
    )


@st.composite
def requests(draw):
    target = draw(mostly(("srp", "srp", "eng")))
    languages = draw(st.lists(st.sampled_from(LANGUAGES[:3]), min_size=1, max_size=2))
    if all(lang == target for lang in languages):
        languages.append("pus")
    start = draw(st.integers(0, 15))
    end = draw(st.integers(start + 1, min(16, start + 4)))
    return Request(
        languages=tuple(languages),
        target_language=target,
        start=T0 + timedelta(minutes=30 * start),
        end=T0 + timedelta(minutes=30 * end),
        remote=draw(st.booleans()),
        location=draw(mostly((None, BELGRADE, BELGRADE, NOVI_SAD, SKOPJE))),
        participant=draw(mostly(("RS", "MK"))),
        min_proficiency=draw(mostly((1, 2, 3, 3, 4, 4, 4, 5))),
        dialect=draw(mostly(("", "a"))),
        gender_required=draw(mostly(("",) * 6 + ("female", "male"))),
        gender_preferred=draw(mostly(("", "female", "male"))),
        setting=draw(mostly(("medical", "court", "other"))),
        avoid=draw(mostly((frozenset(), frozenset(), frozenset({"x"}), frozenset({"y"})))),
        urgent=draw(st.booleans()),
        trafficking_setting=draw(st.booleans()),
    )


@st.composite
def scenarios(draw):
    r = draw(requests())
    pool = tuple(draw(candidates(i, r)) for i in range(1, draw(st.integers(0, 8)) + 1))
    today = draw(mostly((TODAY, TODAY, T0.date(), T0.date() + DAY)))
    return r, pool, today


def first_failure(r: Request, c: Candidate, today: date) -> str | None:
    """The hard constraints as the issue states them, written plainly and independently."""
    levels = {s.language: s.proficiency for s in c.skills}
    sources = [lang for lang in r.languages if lang != r.target_language]
    if not any(lang in levels for lang in sources):
        return "language_missing"
    if not any(levels.get(lang, 0) >= r.min_proficiency for lang in sources):
        return "proficiency_low"
    target_ok = levels.get(r.target_language, 0) >= r.min_proficiency
    if not (target_ok or r.target_language in c.target_languages):
        return "target_language_missing"
    if c.vetted_until is None:
        return "vetting_missing"
    if c.vetted_until < max(today, r.start.date()):
        return "vetting_expired"
    if not c.confidentiality_signed:
        return "confidentiality_missing"
    if c.conflicts & r.avoid:
        return "conflict"
    if r.gender_required and c.gender != r.gender_required:
        return "gender_required"
    if r.remote and not c.remote:
        return "remote_not_offered"
    if not r.remote and not c.on_site:
        return "on_site_not_offered"
    known = not r.remote and r.location and c.location and c.travel_km_max is not None
    if known and distance_km(c.location, r.location) > c.travel_km_max:
        return "too_far"
    covered, moved = r.start, True  # walk forward through windows that reach the covered point
    while covered < r.end and moved:
        moved = False
        for start, end in c.available:
            if start <= covered < end:
                covered, moved = end, True
    if covered < r.end:
        return "not_available"
    if any(start < r.end and end > r.start for start, end in c.busy):
        return "double_booked"
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_property_no_ranked_candidate_breaks_a_hard_constraint(scenario):
    r, pool, today = scenario
    result = match(r, pool, today=today, limit=None)
    expected = {c.id: first_failure(r, c, today) for c in pool}
    for ranked in result.ranked:
        assert expected[ranked.candidate_id] is None
    for excluded in result.excluded:
        assert excluded.reason.code == expected[excluded.candidate_id]
    listed = [x.candidate_id for x in result.ranked] + [x.candidate_id for x in result.excluded]
    assert sorted(listed) == sorted(expected)
    assert result.eligible == len(result.ranked)
    assert Pool(pool).match(r, today=today, limit=None) == result


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**16), limit=st.integers(1, 4))
def test_property_ranking_is_a_total_order_consistent_with_score(scenario, seed, limit):
    r, pool, _ = scenario
    full = match(r, pool, today=TODAY, limit=None)
    keys = [(-x.score, x.candidate_id) for x in full.ranked]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for ranked in full.ranked:
        assert sum(x.points for x in ranked.reasons) == pytest.approx(ranked.score, abs=1e-9)
    shuffled = random.Random(seed).sample(pool, len(pool))
    assert match(r, shuffled, today=TODAY, limit=None) == full
    assert match(r, Pool(shuffled), today=TODAY, limit=limit).ranked == full.ranked[:limit]

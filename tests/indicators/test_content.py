"""The shipped content: every file valid, every sector covered, the quick screen short."""

from pathlib import Path

import pytest

from veza.indicators.content import load_content
from veza.indicators.engine import DIMENSIONS, OUTCOMES, ContentError, evaluate
from veza.indicators.questionnaire import SECTORS, parse_questionnaire, read_answers

CONTENT = load_content()
ADULT_LABOUR = CONTENT.sets["ilo-ec-2009-adult-labour"]
RULE = CONTENT.rules["veza-default"]
KNOWN = {i.id for s in CONTENT.sets.values() if s.kind == "primary" for i in s.indicators}


def test_the_four_ilo_ec_lists_and_the_supplementary_lists_ship():
    assert {
        "ilo-ec-2009-adult-labour",
        "ilo-ec-2009-adult-sexual",
        "ilo-ec-2009-child-labour",
        "ilo-ec-2009-child-sexual",
        "ilo-2012-forced-labour",
        "unodc-indicators",
    } <= set(CONTENT.sets)
    for s in CONTENT.sets.values():
        assert s.source, s.id
        for i in s.indicators:
            assert i.text, i.id
        if s.kind == "supplementary":
            assert all(set(i.equivalent) <= KNOWN for i in s.indicators), s.id


def test_every_sector_has_a_questionnaire_and_there_is_a_quick_screen():
    sectors = {q.sector for q in CONTENT.questionnaires.values() if q.mode == "full"}
    assert sectors == set(SECTORS)
    assert CONTENT.questionnaires["quick"].mode == "quick"


@pytest.mark.parametrize("code", sorted(SECTORS))
def test_sector_questionnaire_can_make_every_dimension_positive(code):
    questionnaire = CONTENT.questionnaires[code]
    mapped = questionnaire.indicator_ids()
    for dimension in DIMENSIONS:
        in_dimension = [
            ADULT_LABOUR.by_id[i] for i in mapped if ADULT_LABOUR.by_id[i].dimension == dimension
        ]
        result = evaluate(ADULT_LABOUR, RULE, [i.id for i in in_dimension])
        assert result.dimensions[dimension].positive, f"{code}: {dimension} cannot become positive"
    assert 15 <= len(questionnaire.questions) <= 40
    for question in questionnaire.questions.values():
        assert question.text


@pytest.mark.parametrize("code", sorted(SECTORS))
def test_everything_yes_gives_a_presumed_victim_and_nothing_gives_none(code):
    import itertools

    questionnaire = CONTENT.questionnaires[code]
    # Choice questions that only steer the skip logic: try each of their answers.
    steering = [
        q
        for q in questionnaire.questions.values()
        if q.type == "choice" and not any(o.indicators for o in q.options)
    ]
    best = "no_indicators"
    for combination in itertools.product(*[[o.value for o in q.options] for q in steering]):
        best = max(
            best,
            _everything_yes(
                questionnaire, dict(zip([q.id for q in steering], combination, strict=True))
            ),
            key=OUTCOMES.index,
        )
    assert best == "presumed_victim"


def _everything_yes(questionnaire, steering):
    yes, no = dict(steering), dict(steering)
    for q in questionnaire.questions.values():
        if q.type == "age":
            yes[q.id] = no[q.id] = 30
        elif q.type == "exploitation":
            yes[q.id] = no[q.id] = ["labour"]
        elif q.type == "yes_no":
            yes[q.id], no[q.id] = "yes", "no"
        elif q.type == "multi":
            # Options that only steer the skip logic are all ticked too.
            marked = [o.value for o in q.options if o.indicators]
            yes[q.id] = marked or [o.value for o in q.options]
        elif q.type == "choice" and q.id not in steering:
            marked = [o.value for o in q.options if o.indicators]
            if marked:
                yes[q.id] = marked[0]
    reading = read_answers(questionnaire, yes)
    assert not reading.errors and not reading.missing
    empty = read_answers(questionnaire, no)
    assert evaluate(ADULT_LABOUR, RULE, empty.present, strict=False).outcome == "no_indicators"
    return evaluate(ADULT_LABOUR, RULE, reading.present, strict=False).outcome


def test_quick_screen_is_short_and_asks_urgent_things_first():
    quick = CONTENT.questionnaires["quick"]
    assert len(quick.questions) <= 12
    first = quick.sections[0].questions
    assert {q.urgent for q in first if q.urgent} >= {"immediate_danger", "emergency_medical"}


def test_health_questionnaire_covers_the_clinical_warning_signs_and_pearr():
    health = CONTENT.raw["questionnaire:health"]
    text = str(health).lower()
    signs = (
        "tattoo",
        "companion",
        "document",
        "injur",
        "pregnan",
        "exhaust",
        "sleep",
        "malnutrition",
        "dissociat",
        ("hypervigil", "watchful"),
        "delay",
    )
    for sign in signs:
        assert any(word in text for word in (sign if isinstance(sign, tuple) else (sign,))), sign
    guidance = str(health["guidance"]).lower()
    for step in ("privacy", "educate", "ask", "respect", "respond"):
        assert step in guidance, step


def test_age_unknown_presumes_a_child_and_selects_child_lists():
    quick = CONTENT.questionnaires["quick"]
    reading = read_answers(quick, {"age": "unknown_child", "alone_child": "yes"})
    assert reading.age_group == "child"
    assert reading.urgent == ("presumed_child", "unaccompanied_child")
    adult = read_answers(quick, {"age": 30, "alone_child": "yes"})
    assert adult.urgent == ()  # the child-only question is hidden for an adult


def test_unsure_exploitation_selects_both_labour_and_sexual_lists():
    police = CONTENT.questionnaires["police"]
    exploitation = next(q.id for q in police.questions.values() if q.type == "exploitation")
    age = next(q.id for q in police.questions.values() if q.type == "age")
    assert read_answers(police, {age: 25, exploitation: ["unsure"]}).kinds == ("labour", "sexual")
    assert read_answers(police, {age: 25, exploitation: ["sexual"]}).kinds == ("sexual",)
    assert read_answers(police, {age: 25, exploitation: ["begging_criminality"]}).kinds == (
        "labour",
    )


def test_bad_answers_are_named_not_raised():
    quick = CONTENT.questionnaires["quick"]
    reading = read_answers(quick, {"age": "old", "harmed": "perhaps", "nonsense": "yes"})
    assert set(reading.errors) == {"age", "harmed", "nonsense"}


def test_a_questionnaire_answer_that_maps_to_nothing_is_refused():
    data = dict(CONTENT.raw["questionnaire:quick"])
    data["sections"] = [dict(data["sections"][0])]
    ghost = {"id": "ghost", "type": "yes_no", "text": "Ghost?", "indicators": ["xx.does_not_exist"]}
    data["sections"][0]["questions"] = [*data["sections"][0]["questions"], ghost]
    with pytest.raises(ContentError, match=r"xx\.does_not_exist"):
        parse_questionnaire(data, known_indicators=KNOWN, urgent_flags=RULE.urgent_flags)


def test_unknown_fields_and_bad_skip_logic_are_refused():
    data = dict(CONTENT.raw["questionnaire:quick"])
    section = dict(data["sections"][1])
    section["questions"] = [
        {"id": "typo", "type": "yes_no", "text": "A", "indicators": ["cd.violence"], "hlep": "x"},
        {
            "id": "later",
            "type": "yes_no",
            "text": "B",
            "indicators": ["cd.violence"],
            "show_if": {"question": "later_still", "equals": "yes"},
        },
        {
            "id": "yes_bool",
            "type": "yes_no",
            "text": "C",
            "indicators": ["cd.violence"],
            "show_if": {"question": "typo", "equals": True},
        },
    ]
    data["sections"] = [data["sections"][0], section]
    with pytest.raises(ContentError) as info:
        parse_questionnaire(data, known_indicators=KNOWN, urgent_flags=RULE.urgent_flags)
    text = " ".join(info.value.problems)
    assert "hlep" in text and "later_still" in text and "cannot give" in text


def test_a_malformed_yaml_file_is_refused_with_its_line(tmp_path):
    for kind in ("indicators", "rules", "questionnaires"):
        (tmp_path / kind).mkdir()
    src = Path(__file__).resolve().parents[2] / "src/veza/data"
    (tmp_path / "rules/veza-default.yaml").write_text((src / "rules/veza-default.yaml").read_text())
    (tmp_path / "indicators/broken.yaml").write_text("id: broken\nindicators: [\n  - oops: {\n")
    with pytest.raises(ContentError, match="not valid YAML at line"):
        load_content(tmp_path)


def test_a_set_without_a_rule_cannot_be_used(tmp_path):
    for kind in ("indicators", "rules", "questionnaires"):
        (tmp_path / kind).mkdir()
    src = Path(__file__).resolve().parents[2] / "src/veza/data"
    (tmp_path / "questionnaires/quick.yaml").write_text(
        (src / "questionnaires/quick.yaml").read_text()
    )
    (tmp_path / "indicators/a.yaml").write_text(
        (src / "indicators/ilo-ec-2009-adult-labour.yaml").read_text()
    )
    with pytest.raises(ContentError, match="unknown urgent flag"):
        load_content(tmp_path)

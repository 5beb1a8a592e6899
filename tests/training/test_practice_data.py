"""The practice cases: every text in every language (Serbian Latin the transliteration of the
Cyrillic), each case screened by the real engine with its expected answers gives its expected
outcome, every visible question has an expected answer, and every "why" note names an indicator
the expected answers record."""

import pytest
import yaml

from tests.scripts import serbian_latin
from veza.indicators.questionnaire import read_answers
from veza.indicators.services import content_bundle
from veza.screening.services import evaluate_answers
from veza.training.practice import (
    DATA,
    PracticeError,
    all_texts,
    compare,
    load_practice,
    parse_practice,
)


def _raw():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_every_text_is_in_every_language_and_sr_latn_is_transliterated():
    data = load_practice()
    assert set(data.languages) == {"en", "sq", "sr", "sr-latn", "bs", "hr", "mk"}
    assert 3 <= len(data.cases) <= 4
    for text in all_texts(_raw()):
        assert text["sr-latn"] == serbian_latin(text["sr"])
    assert any(len(m.cases) >= 2 for m in data.modules.values())


def test_a_text_missing_a_language_is_refused():
    raw = _raw()
    del raw["cases"][0]["title"]["mk"]
    with pytest.raises(PracticeError):
        parse_practice(raw)


def test_a_module_naming_an_unknown_case_is_refused():
    raw = _raw()
    raw["modules"][0]["cases"].append("nowhere")
    with pytest.raises(PracticeError):
        parse_practice(raw)


@pytest.mark.django_db
@pytest.mark.parametrize("case_id", sorted(load_practice().cases))
def test_the_real_engine_gives_the_expected_outcome(case_id):
    case = load_practice().cases[case_id]
    bundle = content_bundle(None)
    parsed = bundle.parse_questionnaire(bundle.questionnaires[case.questionnaire])
    result = evaluate_answers(bundle, parsed, case.answers)
    assert result["outcome"] == case.expected_outcome
    reading = read_answers(parsed, case.answers)
    assert not reading.errors
    # Every question the skip logic shows this person has an expected answer.
    hidden_for_adult_or_kind = {
        q.id for q in parsed.questions.values() if q.show_if and q.id not in case.answers
    }
    assert set(parsed.questions) - set(case.answers) == hidden_for_adult_or_kind
    for indicator in case.why:
        assert indicator in reading.present, indicator
        assert indicator in parsed.indicator_ids()


def test_comparison_counts_the_signs_either_side_found_and_needs_the_right_outcome():
    everything = [f"i{n}" for n in range(50)]
    shown = {"i1", "i2", "i3", "i4", "i5"}

    def attempt(given, outcome="potential_victim"):
        return compare(
            everything,
            expected_present=shown,
            given_present=given,
            expected_outcome="potential_victim",
            given_outcome=outcome,
        )

    same = attempt(shown)
    assert (same.score, same.passed, same.alike, len(same.counted)) == (100, True, 5, 5)
    one_missed = attempt(shown - {"i5"})
    assert (one_missed.score, one_missed.passed) == (80, True)
    assert one_missed.rows[0].indicator == "i5"  # differences first
    two_missed = attempt(shown - {"i4", "i5"})
    assert (two_missed.score, two_missed.passed) == (60, False)
    # A sign recorded that the scenario does not show lowers the score as a missed one does.
    false_alarm = attempt(shown | {"i9"})
    assert (false_alarm.score, false_alarm.passed) == (83, True)
    # Missing most signs fails, however many indicators the questionnaire records.
    most_missed = attempt({"i1"})
    assert (most_missed.score, most_missed.passed) == (20, False)
    wrong_outcome = attempt(shown, "indicators_present")
    assert (wrong_outcome.score, wrong_outcome.passed) == (100, False)
    nothing = compare(
        everything,
        expected_present=set(),
        given_present=set(),
        expected_outcome="no_indicators",
        given_outcome="no_indicators",
    )
    assert (nothing.score, nothing.passed) == (100, True)
    assert type(same).from_dict(same.as_dict()) == same

"""The self-check's content and rule, without Django: every text in every language (Serbian Latin
the transliteration of Cyrillic, the right-to-left ones in Arabic script), the indicators each
question names exist, and the scoring never says more than the answers do."""

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.scripts import serbian_latin
from veza.prevention.selfcheck import (
    ANSWERS,
    DATA,
    INDICATORS,
    SelfCheckError,
    all_texts,
    load_selfcheck,
    parse_selfcheck,
    score,
)

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
LATIN = re.compile(r"[A-Za-z]")
LANGUAGES = {
    "en", "sq", "sr", "sr-latn", "bs", "hr", "mk", "rom",
    "ar", "fa", "ps", "ur", "ckb", "bn", "fr", "tr",
}  # fmt: skip


def _raw():
    return yaml.safe_load((DATA / "selfcheck.yaml").read_text(encoding="utf-8"))


def test_every_text_is_in_every_language():
    selfcheck = load_selfcheck()
    assert set(selfcheck.languages) == LANGUAGES
    assert selfcheck.rtl == {"ar", "fa", "ps", "ur", "ckb"}
    assert selfcheck.provenance == "draft" and "ILO" in selfcheck.source
    assert selfcheck.names["sq"] == "Shqip" and selfcheck.names["rom"] == "Romani ćhib"
    texts = all_texts(_raw())
    assert len(texts) > 40
    for text in texts:
        assert set(text) == LANGUAGES
        assert serbian_latin(text["sr"]) == text["sr-latn"], text["sr"]
        for code in ("sr", "mk"):  # Cyrillic, no Latin letter slipped in
            assert not LATIN.search(text[code].replace("PDF", "")), (code, text[code])
        for code in selfcheck.rtl:
            assert ARABIC_SCRIPT.search(text[code]), (code, text[code])
        for code in LANGUAGES - {"en"}:  # translated, not English left in place
            if len(text["en"]) > 12:
                assert text[code] != text["en"], (code, text["en"])


def test_eight_to_ten_questions_naming_indicators_that_exist():
    selfcheck = load_selfcheck()
    known = {i["id"] for i in yaml.safe_load(INDICATORS.read_text())["indicators"]}
    questions = selfcheck.questions("sq")
    assert 8 <= len(questions) <= 10
    for question in questions:
        assert question.indicators and set(question.indicators) <= known
        assert question.text.endswith("?") and question.advice
    named = {i for q in questions for i in q.indicators}
    # The deceptive, coercive and vulnerability dimensions are all drawn on.
    assert {i.split(".")[0] for i in named} >= {"dr", "cr", "rv"}


def test_a_broken_file_is_refused():
    data = _raw()
    del data["questions"][2]["advice"]["rom"]
    with pytest.raises(SelfCheckError, match="languages"):
        parse_selfcheck(data)
    data = _raw()
    data["questions"][0]["indicators"] = ["dr.no_such_sign"]
    with pytest.raises(SelfCheckError, match=r"dr\.no_such_sign"):
        parse_selfcheck(data)
    data = _raw()
    data["questions"] = data["questions"][:7]
    with pytest.raises(SelfCheckError, match="8 to 10"):
        parse_selfcheck(data)
    data = _raw()
    del data["ui"]["leave"]
    with pytest.raises(SelfCheckError, match="leave"):
        parse_selfcheck(data)


def _by_id():
    return {q.id: q for q in load_selfcheck().questions("en")}


def test_the_scoring_rule():
    questions = load_selfcheck().questions("en")
    mild = [q.id for q in questions if not q.serious]
    grave = [q.id for q in questions if q.serious]
    assert mild and grave
    assert score(questions, {}).level == "none"
    everything_no = dict.fromkeys((q.id for q in questions), "no")
    assert score(questions, everything_no).level == "none"
    assert score(questions, everything_no).unknown == ()
    # Not knowing is not a warning sign, but it is something to find out.
    unknown = score(questions, dict.fromkeys((q.id for q in questions), "dont_know"))
    assert unknown.level == "none" and len(unknown.unknown) == len(questions)
    assert score(questions, {**everything_no, mild[0]: "yes"}).level == "some"
    assert score(questions, {**everything_no, grave[0]: "yes"}).level == "serious"
    three_mild = {**everything_no, **dict.fromkeys(mild[:3], "yes")}
    assert score(questions, three_mild).level == "serious"
    result = score(questions, {**everything_no, "papers": "yes", "pay": "yes"})
    assert [q.id for q in result.yes] == ["pay", "papers"]  # in the questionnaire's order


@given(st.dictionaries(st.sampled_from(sorted(_by_id())), st.sampled_from([*ANSWERS, "", "x"])))
def test_the_level_follows_the_yes_answers_only(answers):
    questions = load_selfcheck().questions("en")
    result = score(questions, answers)
    yes = {k for k, v in answers.items() if v == "yes"}
    assert {q.id for q in result.yes} == yes
    assert (result.level == "none") == (not yes)
    assert {q.id for q in result.unknown} == {
        q.id for q in questions if answers.get(q.id) not in ("yes", "no")
    }

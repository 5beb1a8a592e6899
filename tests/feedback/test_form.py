"""The form's data file: every text in every language (Serbian Latin the transliteration of
Cyrillic, Arabic script where it reads right to left), a safe shape (5 to 7 closed questions on
one scale, never free text) and a loader that refuses anything else. Pure: no database."""

import copy
import re

import pytest
import yaml

from tests.scripts import serbian_latin
from veza.feedback.choices import Answer, Question
from veza.feedback.form import (
    ANSWERS,
    DATA,
    QUESTIONS,
    FormError,
    all_texts,
    form_language,
    load_form,
    parse_form,
)

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
LANGUAGES = {
    "en", "sq", "sr", "sr-latn", "bs", "hr", "mk", "rom",
    "ar", "fa", "ps", "ur", "ckb", "bn", "fr", "tr",
}  # fmt: skip


def _raw():
    return yaml.safe_load((DATA / "form.yaml").read_text(encoding="utf-8"))


def test_every_text_is_in_every_language():
    form = load_form()
    assert set(form.languages) == LANGUAGES
    assert form.rtl == {"ar", "fa", "ps", "ur", "ckb"}
    assert len(set(form.names.values())) == len(LANGUAGES)  # each named in itself
    texts = all_texts(_raw())
    assert len(texts) == len(form.ui) + len(ANSWERS) + len(QUESTIONS)
    for text in texts:
        assert set(text) == LANGUAGES
        assert all(value.strip() for value in text.values())
        assert serbian_latin(text["sr"]) == text["sr-latn"], text["sr"]
        for code in form.rtl:
            assert ARABIC_SCRIPT.search(text[code]), (code, text[code])


def test_the_form_is_trauma_informed_in_its_english_words():
    form = load_form()
    questions, answers = form.in_language("en")
    assert 5 <= len(questions) <= 7
    assert "you can stop at any time" in form.label("optional", "en")
    assert "optional" in form.label("optional", "en")
    assert "not about what happened to you" in form.label("intro", "en")
    assert form.label("thanks_title", "en") == "Thank you"
    assert [a.text for a in answers][-1] == "I prefer not to say"
    asked = " ".join(q.text for q in questions).lower()
    for word in ("happened", "name", "where", "when", "who", "why"):
        assert word not in asked.split(), word


def test_the_staff_codes_are_the_form_codes():
    assert tuple(Question.values) == QUESTIONS == load_form().question_ids()
    assert tuple(Answer.values) == ANSWERS == load_form().answer_ids()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["questions"][2]["text"].pop("rom"),
        lambda d: d["questions"].append(
            {"id": "story", "type": "free_text", "text": d["questions"][0]["text"]}
        ),
        lambda d: d["questions"][0].update({"free_text": True}),
        lambda d: d.__setitem__("questions", d["questions"][:4]),
        lambda d: d["answers"].pop(),
        lambda d: d["ui"]["thanks"].update({"fr": " "}),
        lambda d: d["language_names"].pop("ckb"),
        lambda d: d["ui"].pop("leave"),
    ],
    ids=[
        "missing-language",
        "free-text-question",
        "free-text-flag",
        "too-few-questions",
        "answer-scale",
        "empty-text",
        "unnamed-language",
        "no-leave-link",
    ],
)
def test_a_spoilt_form_is_refused(spoil):
    data = copy.deepcopy(_raw())
    spoil(data)
    with pytest.raises(FormError):
        parse_form(data)


def test_the_closest_language():
    assert form_language("sr-Latn") == "sr-latn"
    assert form_language("ar-SY") == "ar"
    assert form_language("de") == "en"
    assert form_language(None) == "en"
    assert form_language("<script>") == "en"

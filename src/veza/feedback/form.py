"""The survivor feedback form, read from its data file (`data/feedback/form.yaml`): the questions,
the one answer scale they share and the words around them, in every language of the form.

Pure: no Django, so the file can be checked anywhere (tests, `veza check`) and the rules that keep
the form safe are enforced where the content is read, not only where it is shown: every text in
every language, 5 to 7 questions, one closed answer scale and never a free-text question (free
text can identify the person who wrote it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from veza.core.multilingual import check_texts, closest_language, read_languages

__all__ = [
    "ANSWERS",
    "DATA",
    "QUESTIONS",
    "UI_KEYS",
    "Form",
    "FormError",
    "Question",
    "all_texts",
    "form_language",
    "load_form",
    "parse_form",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "feedback"

#: The answer scale, in the order shown; the stored answers are these codes.
ANSWERS = ("yes", "partly", "no", "prefer_not")
#: The questions the summary counts (choices.Question has the same codes with staff labels).
QUESTIONS = ("safe", "respect", "language", "listened", "needs", "recommend")
#: The words around the questions.
UI_KEYS = (
    "title",
    "intro",
    "optional",
    "anonymous",
    "language",
    "send",
    "thanks_title",
    "thanks",
    "leave",
    "invalid_title",
    "invalid",
)


class FormError(ValueError):
    """A data file that does not hold a safe, complete form."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str


@dataclass(frozen=True)
class Form:
    languages: tuple[str, ...]
    rtl: frozenset[str]
    names: dict[str, str]
    ui: dict[str, dict[str, str]]
    answers: tuple[dict, ...]
    questions: tuple[dict, ...]

    def direction(self, language: str) -> str:
        return "rtl" if language in self.rtl else "ltr"

    def label(self, key: str, language: str) -> str:
        return self.ui[key][language]

    def question_ids(self) -> tuple[str, ...]:
        return tuple(q["id"] for q in self.questions)

    def answer_ids(self) -> tuple[str, ...]:
        return tuple(a["id"] for a in self.answers)

    def in_language(self, language: str) -> tuple[list[Question], list[Question]]:
        """(questions, answers) in one language, each with its code and text."""
        if language not in self.languages:
            raise KeyError(language)
        return (
            [Question(q["id"], q["text"][language]) for q in self.questions],
            [Question(a["id"], a["text"][language]) for a in self.answers],
        )


def all_texts(data: dict) -> list:
    """Every translated text of the file (each a mapping of language to text)."""
    found = list((data.get("ui") or {}).values())
    for item in (data.get("answers") or []) + (data.get("questions") or []):
        found.append(item.get("text") if isinstance(item, dict) else item)
    return found


def parse_form(data: dict) -> Form:
    found = read_languages(data, FormError, what="the form")
    if tuple(data.get("ui") or ()) != UI_KEYS:
        raise FormError(f"the form's words are {UI_KEYS}, found {tuple(data.get('ui') or ())}")
    answers = tuple(data.get("answers") or ())
    if tuple(a.get("id") for a in answers) != ANSWERS:
        raise FormError(f"the answer scale is {ANSWERS}")
    questions = tuple(data.get("questions") or ())
    if not 5 <= len(questions) <= 7:
        raise FormError("the form has 5 to 7 questions: short enough to finish")
    ids = tuple(q.get("id") for q in questions)
    if ids != QUESTIONS:
        raise FormError(f"the questions are {QUESTIONS}, found {ids}")
    for question in questions:
        if set(question) - {"id", "text"}:
            # A question of another kind (a type, a free-text box, a placeholder...) is refused:
            # free text can name people, places and dates, so the form never asks for it.
            raise FormError(f"question {question['id']}: only the shared answer scale is allowed")
    check_texts(all_texts(data), found.codes, FormError)
    return Form(
        languages=found.codes,
        rtl=found.rtl,
        names=found.names,
        ui=dict(data["ui"]),
        answers=answers,
        questions=questions,
    )


@functools.cache
def load_form(path: Path = DATA / "form.yaml") -> Form:
    return parse_form(yaml.safe_load(path.read_text(encoding="utf-8")))


def form_language(code: str | None) -> str:
    """The form's language closest to a code asked for ("sr-Latn" → "sr-latn", "de" → "en")."""
    return closest_language(code, load_form().languages)

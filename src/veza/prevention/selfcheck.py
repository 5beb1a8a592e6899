"""The public self-check, read from `data/prevention/selfcheck.yaml`, and its scoring rule. Pure:
no Django and no database, so the content and the rule are tested on their own and the pages,
the leaflet and `veza check` all read the same validated file."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from veza.core.multilingual import check_texts, read_languages

__all__ = [
    "ANSWERS",
    "DATA",
    "INDICATORS",
    "LEVELS",
    "Question",
    "Result",
    "SelfCheck",
    "SelfCheckError",
    "all_texts",
    "load_selfcheck",
    "parse_selfcheck",
    "score",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "prevention"
INDICATORS = (
    Path(__file__).resolve().parent.parent / "data" / "indicators" / "ilo-ec-2009-adult-labour.yaml"
)
#: What a person can answer; anything else (or nothing) counts as "I don't know".
YES, NO, DONT_KNOW = "yes", "no", "dont_know"
ANSWERS = (YES, NO, DONT_KNOW)
#: The three results, mildest first (their texts are `ui.level_<name>`).
LEVELS = ("none", "some", "serious")
#: So many "yes" answers are serious together, even when none of them is serious alone.
SERIOUS_TOGETHER = 3
UI_KEYS = (
    "title",
    "intro",
    "leave",
    "yes",
    "no",
    "dont_know",
    "country",
    "not_chosen",
    "submit",
    "level_none",
    "level_some",
    "level_serious",
    "not_judgement",
    "what_to_check",
    "find_out",
    "tips_heading",
    "numbers_heading",
    "police",
    "ambulance",
    "hotline",
    "no_hotline",
    "rights",
    "again",
    "nothing_kept",
    "leaflet",
    "sheets_language",
    "show",
)


class SelfCheckError(ValueError):
    """A data file that does not hold what the self-check needs (found by `veza check`)."""


@dataclass(frozen=True)
class Question:
    id: str
    indicators: tuple[str, ...]
    serious: bool
    text: str
    advice: str


@dataclass(frozen=True)
class Result:
    """What the answers add up to: the level and the questions answered yes / don't know (in the
    order of the questionnaire), whose advice the result page shows."""

    level: str
    yes: tuple[Question, ...]
    unknown: tuple[Question, ...]


@dataclass(frozen=True)
class SelfCheck:
    languages: tuple[str, ...]
    rtl: frozenset[str]
    names: dict[str, str]
    ui: dict[str, dict[str, str]]
    raw_questions: tuple[dict, ...]
    raw_tips: tuple[dict, ...]
    source: str
    provenance: str

    def direction(self, language: str) -> str:
        return "rtl" if language in self.rtl else "ltr"

    def labels(self, language: str) -> dict[str, str]:
        return {key: texts[language] for key, texts in self.ui.items()}

    def questions(self, language: str) -> list[Question]:
        if language not in self.languages:
            raise KeyError(language)
        return [
            Question(
                id=q["id"],
                indicators=tuple(q["indicators"]),
                serious=bool(q.get("serious")),
                text=q["text"][language],
                advice=q["advice"][language],
            )
            for q in self.raw_questions
        ]

    def tips(self, language: str) -> list[str]:
        return [tip[language] for tip in self.raw_tips]

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q["id"] for q in self.raw_questions)


def all_texts(data: Mapping) -> list:
    """Every translated text of the file (each should be a mapping of language to text)."""
    found = list((data.get("ui") or {}).values())
    for question in data.get("questions") or []:
        found.append(question.get("text"))
        found.append(question.get("advice"))
    found.extend(data.get("tips") or [])
    return found


def _indicator_ids(path: Path = INDICATORS) -> frozenset[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(i["id"] for i in data.get("indicators") or [])


def parse_selfcheck(data: Mapping, *, indicator_ids: Iterable[str] | None = None) -> SelfCheck:
    """Validate the file: every text in exactly the listed languages, every label the pages use,
    8 to 10 questions with known indicator ids, each language named in itself."""
    found = read_languages(data, SelfCheckError, what="the self-check")
    if data.get("provenance") not in {"draft", "verified"}:
        raise SelfCheckError("provenance is draft (until native speakers review) or verified")
    if not str(data.get("source") or "").strip():
        raise SelfCheckError("the file names its sources")
    missing = set(UI_KEYS) - set(data.get("ui") or {})
    if missing:
        raise SelfCheckError(f"labels missing: {sorted(missing)}")
    check_texts(all_texts(data), found.codes, SelfCheckError)
    questions = data.get("questions") or []
    if not 8 <= len(questions) <= 10:
        raise SelfCheckError(f"8 to 10 questions, found {len(questions)}")
    ids = [q.get("id") for q in questions]
    if len(set(ids)) != len(ids) or not all(ids):
        raise SelfCheckError(f"every question needs its own id: {ids}")
    known = frozenset(indicator_ids) if indicator_ids is not None else _indicator_ids()
    for question in questions:
        named = question.get("indicators") or []
        if not named or set(named) - known:
            raise SelfCheckError(
                f"{question['id']}: unknown or no indicators {sorted(set(named) - known)}"
            )
    if not data.get("tips"):
        raise SelfCheckError("the result needs general tips")
    return SelfCheck(
        languages=found.codes,
        rtl=found.rtl,
        names=found.names,
        ui=dict(data["ui"]),
        raw_questions=tuple(questions),
        raw_tips=tuple(data["tips"]),
        source=str(data["source"]),
        provenance=str(data["provenance"]),
    )


@functools.cache
def load_selfcheck(path: Path = DATA / "selfcheck.yaml") -> SelfCheck:
    return parse_selfcheck(yaml.safe_load(path.read_text(encoding="utf-8")))


def score(questions: Iterable[Question], answers: Mapping[str, str]) -> Result:
    """The result of the answers (question id -> "yes" / "no" / "dont_know").

    No "yes" is "none"; a "yes" to a serious sign, or SERIOUS_TOGETHER "yes" answers, is
    "serious"; any other "yes" is "some". "I don't know" never raises the level — not knowing is
    not a warning sign — but its advice is shown as something to find out. An answer missing or
    not one of ANSWERS counts as "I don't know", so a half-filled form still gets advice.
    """
    yes, unknown = [], []
    for question in questions:
        answer = answers.get(question.id)
        if answer == YES:
            yes.append(question)
        elif answer != NO:
            unknown.append(question)
    if not yes:
        level = "none"
    elif any(q.serious for q in yes) or len(yes) >= SERIOUS_TOGETHER:
        level = "serious"
    else:
        level = "some"
    return Result(level=level, yes=tuple(yes), unknown=tuple(unknown))

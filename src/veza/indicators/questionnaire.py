"""Sector questionnaires: plain questions mapped to indicators, with skip logic. Pure Python.

A questionnaire is data (YAML). `parse_questionnaire` validates it against the indicator ids that
exist; `read_answers` turns a person's answers into present indicator ids, urgent flags, the age
group and the forms of exploitation to screen for, ignoring answers to questions the skip logic
hides, and refusing answers that do not fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from veza.indicators.engine import ContentError

__all__ = [
    "AGE_UNKNOWN_ADULT",
    "AGE_UNKNOWN_CHILD",
    "EXPLOITATION_CHOICES",
    "QUESTION_TYPES",
    "SECTORS",
    "YES_NO",
    "Answers",
    "Question",
    "Questionnaire",
    "parse_questionnaire",
    "read_answers",
]

SECTORS = (
    "police",
    "border_asylum_reception",
    "social_welfare",
    "health",
    "labour_inspection",
    "employment_services",
    "education",
    "shelter_protection",
    "cso_outreach",
)
QUESTION_TYPES = ("yes_no", "choice", "multi", "age", "exploitation")
YES_NO = ("yes", "no", "unsure", "not_asked")
AGE_UNKNOWN_CHILD = "unknown_child"
AGE_UNKNOWN_ADULT = "unknown_adult"
#: The forms of exploitation a screener may suspect; each selects the indicator lists to use.
EXPLOITATION_CHOICES = {
    "labour": ("labour",),
    "sexual": ("sexual",),
    "begging_criminality": ("labour",),
    "domestic_servitude": ("labour",),
    "forced_marriage": ("labour", "sexual"),
    "other": ("labour", "sexual"),
    "unsure": ("labour", "sexual"),
}
QUICK_ACTIONS = ("refer_now", "interview_later", "no_action")
# Keys each part may have: anything else is a typing mistake (often an unquoted comma in YAML).
TOP_KEYS = {"id", "version", "mode", "sector", "title", "intro", "guidance", "sections", "actions"}
SECTION_KEYS = {"id", "title", "intro", "questions"}
QUESTION_KEYS = {
    "id",
    "type",
    "text",
    "help",
    "indicators",
    "urgent",
    "options",
    "show_if",
    "required",
}
OPTION_KEYS = {"value", "text", "indicators", "urgent"}


def _unknown_keys(where: str, data: Mapping, allowed: set[str]) -> list[str]:
    extra = sorted(str(k) for k in data if k not in allowed)
    return [f"{where}: unknown field(s) {', '.join(extra)}"] if extra else []


@dataclass(frozen=True)
class Option:
    value: str
    text: Any
    indicators: tuple[str, ...] = ()
    urgent: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Any
    help: Any = ""
    indicators: tuple[str, ...] = ()
    urgent: str | None = None
    options: tuple[Option, ...] = ()
    show_if: Mapping[str, Any] | None = None
    required: bool = False

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Section:
    id: str
    title: Any
    intro: Any
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    sector: str | None
    mode: str
    title: Any
    intro: Any
    guidance: Any
    sections: tuple[Section, ...]
    actions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for s in self.sections for q in s.questions}

    def indicator_ids(self) -> set[str]:
        ids: set[str] = set()
        for q in self.questions.values():
            ids.update(q.indicators)
            for option in q.options:
                ids.update(option.indicators)
        return ids


def _text_ok(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, Mapping) and bool(str(value.get("en", "")).strip())


def parse_questionnaire(
    data: Mapping[str, Any], *, known_indicators: Iterable[str], urgent_flags: Iterable[str]
) -> Questionnaire:
    """Validate a questionnaire; every indicator it names must exist in some indicator set."""
    known = set(known_indicators)
    flags = set(urgent_flags)
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ContentError("questionnaire", ["the file does not hold a mapping of fields"])
    qid = str(data.get("id", "?"))
    problems.extend(_unknown_keys("questionnaire", data, TOP_KEYS))
    for key in ("id", "version", "title", "sections", "mode"):
        if key not in data:
            problems.append(f"'{key}' is missing")
    mode = data.get("mode")
    if mode not in ("full", "quick"):
        problems.append(f"'mode' must be full or quick, not {mode!r}")
    sector = data.get("sector")
    if mode == "full" and sector not in SECTORS:
        problems.append(f"unknown sector {sector!r}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("'version' must be a whole number from 1")
    sections: list[Section] = []
    seen: dict[str, Question] = {}
    for s_number, sdata in enumerate(data.get("sections") or [], start=1):
        if not isinstance(sdata, Mapping) or not sdata.get("id") or not sdata.get("questions"):
            problems.append(f"section {s_number}: needs an id and questions")
            continue
        if not _text_ok(sdata.get("title")):
            problems.append(f"section {sdata['id']}: needs a title")
        problems.extend(_unknown_keys(f"section {sdata['id']}", sdata, SECTION_KEYS))
        questions = []
        for qdata in sdata["questions"]:
            where = f"question {qdata.get('id', '?') if isinstance(qdata, Mapping) else '?'}"
            if not isinstance(qdata, Mapping) or not qdata.get("id"):
                problems.append(f"{where}: needs an id")
                continue
            if qdata["id"] in seen:
                problems.append(f"{where}: the id is used twice")
            problems.extend(_unknown_keys(where, qdata, QUESTION_KEYS))
            qtype = qdata.get("type", "yes_no")
            if qtype not in QUESTION_TYPES:
                problems.append(f"{where}: unknown type {qtype!r}")
            if not _text_ok(qdata.get("text")):
                problems.append(f"{where}: needs a text (at least in English)")
            indicators = tuple(qdata.get("indicators") or ())
            for ident in indicators:
                if ident not in known:
                    problems.append(f"{where}: maps to {ident!r}, which is in no indicator set")
            urgent = qdata.get("urgent")
            if urgent is not None and urgent not in flags:
                problems.append(f"{where}: unknown urgent flag {urgent!r}")
            options = []
            for odata in qdata.get("options") or []:
                if not isinstance(odata, Mapping) or not odata.get("value"):
                    problems.append(f"{where}: every option needs a value")
                    continue
                if not _text_ok(odata.get("text")):
                    problems.append(f"{where}: option {odata['value']} needs a text")
                problems.extend(
                    _unknown_keys(f"{where} option {odata['value']}", odata, OPTION_KEYS)
                )
                o_ind = tuple(odata.get("indicators") or ())
                for ident in o_ind:
                    if ident not in known:
                        problems.append(
                            f"{where}: option {odata['value']} maps to {ident!r}, "
                            "which is in no indicator set"
                        )
                o_urgent = odata.get("urgent")
                if o_urgent is not None and o_urgent not in flags:
                    problems.append(f"{where}: option {odata['value']}: unknown urgent flag")
                options.append(Option(str(odata["value"]), odata.get("text"), o_ind, o_urgent))
            if qtype in ("choice", "multi") and len(options) < 2:
                problems.append(f"{where}: a {qtype} question needs at least two options")
            if qtype in ("choice", "multi") and indicators:
                problems.append(f"{where}: put indicators on the options of a {qtype} question")
            if qtype == "yes_no" and not (indicators or urgent):
                problems.append(f"{where}: a yes/no question must map to indicators or a flag")
            show_if = qdata.get("show_if")
            if show_if is not None:
                problems.extend(_check_condition(where, show_if, seen))
            question = Question(
                id=str(qdata["id"]),
                type=qtype,
                text=qdata.get("text"),
                help=qdata.get("help", ""),
                indicators=indicators,
                urgent=urgent,
                options=tuple(options),
                show_if=show_if,
                required=bool(qdata.get("required", qtype in ("age", "exploitation"))),
            )
            seen[question.id] = question
            questions.append(question)
        sections.append(
            Section(str(sdata["id"]), sdata.get("title"), sdata.get("intro", ""), tuple(questions))
        )
    types = [q.type for q in seen.values()]
    if types.count("age") != 1:
        problems.append("a questionnaire needs exactly one age question")
    if mode == "full" and types.count("exploitation") != 1:
        problems.append("a full questionnaire needs exactly one exploitation question")
    if mode == "quick":
        asked = sum(1 for q in seen.values())
        if asked > 12:
            problems.append(f"a quick screen has at most 12 questions, not {asked}")
    if problems:
        raise ContentError(f"questionnaire {qid}", problems)
    return Questionnaire(
        id=qid,
        version=version,
        sector=sector,
        mode=mode,
        title=data["title"],
        intro=data.get("intro", ""),
        guidance=data.get("guidance", ""),
        sections=tuple(sections),
        actions=data.get("actions") or {},
    )


def _check_condition(where: str, condition, earlier: Mapping[str, Question]) -> list[str]:
    if not isinstance(condition, Mapping):
        return [f"{where}: show_if must be a mapping"]
    if "age_group" in condition:
        return (
            []
            if condition["age_group"] in ("adult", "child")
            else [f"{where}: show_if age_group must be adult or child"]
        )
    if "exploitation" in condition:
        return (
            []
            if condition["exploitation"] in EXPLOITATION_CHOICES
            else [f"{where}: show_if names an unknown form of exploitation"]
        )
    target = condition.get("question")
    if target not in earlier:
        return [f"{where}: show_if refers to {target!r}, which is not an earlier question"]
    allowed = set(condition.get("in") or [condition.get("equals")])
    question = earlier[target]
    values = set(YES_NO) if question.type == "yes_no" else set(question.option_values)
    if not allowed or not allowed <= values:
        return [f"{where}: show_if expects answers {sorted(allowed)} that {target} cannot give"]
    return []


@dataclass(frozen=True)
class Answers:
    present: frozenset[str]
    urgent: tuple[str, ...]
    age: int | None
    age_group: str | None
    exploitation: tuple[str, ...]
    kinds: tuple[str, ...]
    missing: tuple[str, ...]
    errors: Mapping[str, str]


def _kinds(exploitation) -> tuple[str, ...]:
    """The indicator lists (labour, sexual) that the chosen forms of exploitation call for."""
    kinds: set[str] = set()
    for choice in exploitation or ("unsure",):
        kinds.update(EXPLOITATION_CHOICES.get(choice, ()))
    return tuple(k for k in ("labour", "sexual") if k in kinds)


def _visible(question: Question, answers: Mapping[str, Any], age_group, exploitation) -> bool:
    condition = question.show_if
    if not condition:
        return True
    if "age_group" in condition:
        return age_group == condition["age_group"]
    if "exploitation" in condition:
        wanted = condition["exploitation"]
        if wanted in exploitation:
            return True
        # "labour" and "sexual" also show when the choices made include that kind (e.g. unsure).
        return wanted in ("labour", "sexual") and wanted in _kinds(exploitation)
    value = answers.get(condition["question"])
    allowed = set(condition.get("in") or [condition.get("equals")])
    if isinstance(value, list):
        return bool(allowed.intersection(value))
    return value in allowed


def read_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Answers:
    """What the answers mean. Errors are keyed by question id; nothing here raises for bad input."""
    errors: dict[str, str] = {}
    questions = questionnaire.questions
    for key in answers:
        if key not in questions:
            errors[key] = "not a question of this questionnaire"
    age, age_group, flags = None, None, []
    exploitation: tuple[str, ...] = ()
    present: set[str] = set()
    missing: list[str] = []
    for question in questions.values():
        if not _visible(question, answers, age_group, exploitation):
            continue
        value = answers.get(question.id)
        if value in (None, "", []):
            if question.required:
                missing.append(question.id)
            continue
        if question.type == "age":
            if value == AGE_UNKNOWN_CHILD:
                age_group = "child"
                flags.append("presumed_child")
            elif value == AGE_UNKNOWN_ADULT:
                age_group = "adult"
            else:
                try:
                    age = int(value)
                except (TypeError, ValueError):
                    errors[question.id] = "give the age in years, or say it is unknown"
                    continue
                if not 0 <= age <= 120:
                    errors[question.id] = "the age must be between 0 and 120"
                    continue
                age_group = "child" if age < 18 else "adult"
        elif question.type == "exploitation":
            chosen = value if isinstance(value, list) else [value]
            wrong = [c for c in chosen if c not in EXPLOITATION_CHOICES]
            if wrong:
                errors[question.id] = f"unknown choice {', '.join(map(str, wrong))}"
                continue
            exploitation = tuple(chosen)
        elif question.type == "yes_no":
            if value not in YES_NO:
                errors[question.id] = "answer yes, no, unsure or not asked"
                continue
            if value == "yes":
                present.update(question.indicators)
                if question.urgent:
                    flags.append(question.urgent)
        else:
            chosen = value if isinstance(value, list) else [value]
            if question.type == "choice" and len(chosen) != 1:
                errors[question.id] = "choose one answer"
                continue
            by_value = {o.value: o for o in question.options}
            wrong = [c for c in chosen if c not in by_value]
            if wrong:
                errors[question.id] = f"unknown choice {', '.join(map(str, wrong))}"
                continue
            for choice in chosen:
                present.update(by_value[choice].indicators)
                if by_value[choice].urgent:
                    flags.append(by_value[choice].urgent)
    kinds = _kinds(exploitation)
    return Answers(
        present=frozenset(present),
        urgent=tuple(dict.fromkeys(flags)),
        age=age,
        age_group=age_group,
        exploitation=exploitation,
        kinds=kinds,
        missing=tuple(missing),
        errors=errors,
    )

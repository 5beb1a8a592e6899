"""A questionnaire as an XLSForm, the spreadsheet form format of ODK and KoboToolbox.

`xlsform_sheets` turns a parsed questionnaire into the three sheets of an XLSForm (survey,
choices, settings) as lists of rows; `xlsform_bytes` writes them as an .xlsx workbook. The form:

- asks no identity: a pseudonymous reference of the professional's own (at most 40 characters);
- has one group per section, every question in every content language (`label::Shqip (sq)`
  columns), help as hints, required answers and constraints (age 0-120);
- carries the questionnaire's skip logic as `relevant` expressions that give exactly what the
  screening engine's `read_answers` shows (an answer to an earlier question, the age group, the
  form of exploitation);
- records, in hidden `calculate` fields, the questionnaire and its version, the indicator lists
  and the rule in force when the form was made, so that submissions are read back through the
  questionnaire version that produced them (`submissions.py`).

Field names are the questionnaire's question ids (the age question adds `<id>__unknown`), so a
submission's columns map straight back to the questions.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from veza.core.text import localized
from veza.indicators.questionnaire import (
    AGE_UNKNOWN_ADULT,
    AGE_UNKNOWN_CHILD,
    EXPLOITATION_CHOICES,
    YES_NO,
    Question,
    Questionnaire,
)

__all__ = [
    "AGE_KNOWN",
    "FORM_LANGUAGES",
    "HIDDEN",
    "FormVersions",
    "form_values",
    "language_column",
    "xlsform_bytes",
    "xlsform_sheets",
]

#: The languages of the form (the content languages), with the names ODK Collect shows and the
#: language subtag that ODK reads (pyxform knows language subtags only, so Serbian Latin is
#: told apart by its name).
FORM_LANGUAGES = {
    "en": ("English", "en"),
    "sq": ("Shqip", "sq"),
    "sr": ("Српски", "sr"),
    "sr-latn": ("Srpski latinica", "sr"),
    "bs": ("Bosanski", "bs"),
    "hr": ("Hrvatski", "hr"),
    "mk": ("Македонски", "mk"),
}
#: The hidden fields every form carries, read back on import.
HIDDEN = (
    "veza_questionnaire",
    "veza_questionnaire_version",
    "veza_sets",
    "veza_rule",
    "veza_form_version",
)
AGE_KNOWN = "known"
REFERENCE = "veza_reference"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FormVersions:
    """The content in force when the form was made."""

    participant: str
    sets: tuple[str, ...]  # "code@version", sorted
    rule: str  # "code@version"

    def digest(self, questionnaire: Questionnaire) -> str:
        text = "|".join([questionnaire.id, str(questionnaire.version), *self.sets, self.rule])
        return hashlib.sha256(text.encode()).hexdigest()[:8]


def language_column(code: str) -> str:
    name, tag = FORM_LANGUAGES[code]
    return f"{name} ({tag})"


def _texts(value, prefix: str) -> dict[str, str]:
    """One column per language for a content text (English where a translation is missing)."""
    return {f"{prefix}::{language_column(c)}": localized(value, c) for c in FORM_LANGUAGES}


def _ui(labels: Callable[[str, str], str], key: str, prefix: str) -> dict[str, str]:
    return {f"{prefix}::{language_column(c)}": labels(key, c) for c in FORM_LANGUAGES}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "") + "'"


def _any_selected(field: str, values) -> str:
    return " or ".join(f"selected(${{{field}}}, {_quote(v)})" for v in values)


class _Relevance:
    """`relevant` expressions that mirror `questionnaire._visible`, question by question."""

    def __init__(self) -> None:
        self.age: Question | None = None
        self.exploitation: Question | None = None

    def seen(self, question: Question) -> None:
        if question.type == "age":
            self.age = question
        elif question.type == "exploitation":
            self.exploitation = question

    def expression(self, question: Question) -> str:
        condition = question.show_if
        if not condition:
            return ""
        if "age_group" in condition:
            if self.age is None:  # the engine knows no age group yet: hidden
                return "false()"
            age, unknown = self.age.id, f"{self.age.id}__unknown"
            if condition["age_group"] == "child":
                return (
                    f"${{{unknown}}} = {_quote(AGE_UNKNOWN_CHILD)} or "
                    f"(${{{unknown}}} = {_quote(AGE_KNOWN)} and ${{{age}}} < 18)"
                )
            return (
                f"${{{unknown}}} = {_quote(AGE_UNKNOWN_ADULT)} or "
                f"(${{{unknown}}} = {_quote(AGE_KNOWN)} and ${{{age}}} >= 18)"
            )
        if "exploitation" in condition:
            wanted = condition["exploitation"]
            broad = wanted in ("labour", "sexual")
            if self.exploitation is None:  # nothing chosen yet: only the broad kinds show
                return "" if broad else "false()"
            field = self.exploitation.id
            if not broad:
                return _any_selected(field, [wanted])
            # A broad kind shows when nothing is chosen, or a choice calls for that kind.
            calls = [c for c, kinds in EXPLOITATION_CHOICES.items() if wanted in kinds]
            return f"count-selected(${{{field}}}) = 0 or {_any_selected(field, calls)}"
        allowed = condition.get("in") or [condition.get("equals")]
        return _any_selected(condition["question"], allowed)


def _check_names(questionnaire: Questionnaire) -> None:
    names = [q.id for q in questionnaire.questions.values()]
    names += [s.id for s in questionnaire.sections]
    wrong = [n for n in names if not NAME.match(n) or n.startswith("veza_")]
    if wrong:
        raise ValueError(f"ids that cannot be XLSForm names: {', '.join(wrong)}")


def xlsform_sheets(
    questionnaire: Questionnaire,
    *,
    versions: FormVersions,
    language: str,
    labels: Callable[[str, str], str],
) -> dict[str, list[dict[str, str]]]:
    """The survey, choices and settings rows of the questionnaire's XLSForm.

    `labels(key, language)` gives the interface words (yes, no, the forms of exploitation, the
    reference's label…) in a language; `language` is the form's default language.
    """
    if language not in FORM_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _check_names(questionnaire)
    digest = versions.digest(questionnaire)
    form_version = f"{questionnaire.version}.{digest}"
    survey: list[dict[str, str]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    hidden = {
        "veza_questionnaire": questionnaire.id,
        "veza_questionnaire_version": str(questionnaire.version),
        "veza_sets": " ".join(versions.sets),
        "veza_rule": versions.rule,
        "veza_form_version": form_version,
    }
    for name in HIDDEN:
        survey.append({"type": "calculate", "name": name, "calculation": _quote(hidden[name])})
    intro = {
        "type": "note",
        "name": "veza_intro",
        **_texts(questionnaire.intro or questionnaire.title, "label"),
    }
    if questionnaire.guidance:
        intro.update(_texts(questionnaire.guidance, "hint"))
    survey.append(intro)
    survey.append(
        {
            "type": "text",
            "name": REFERENCE,
            **_ui(labels, "reference", "label"),
            **_ui(labels, "reference_help", "hint"),
            "constraint": "string-length(.) <= 40",
            **_ui(labels, "reference_too_long", "constraint_message"),
        }
    )
    choices: list[dict[str, str]] = []
    for value in YES_NO:
        choices.append({"list_name": "yes_no", "name": value, **_ui(labels, value, "label")})
    for value in EXPLOITATION_CHOICES:
        choices.append(
            {
                "list_name": "exploitation",
                "name": value,
                **_ui(labels, f"exploitation.{value}", "label"),
            }
        )
    for value in (AGE_KNOWN, AGE_UNKNOWN_CHILD, AGE_UNKNOWN_ADULT):
        choices.append(
            {"list_name": "age_known", "name": value, **_ui(labels, f"age.{value}", "label")}
        )
    relevance = _Relevance()
    for section in questionnaire.sections:
        survey.append(
            {"type": "begin_group", "name": f"s_{section.id}", **_texts(section.title, "label")}
        )
        if section.intro:
            survey.append(
                {"type": "note", "name": f"{section.id}_intro", **_texts(section.intro, "label")}
            )
        for question in section.questions:
            survey.extend(_question_rows(question, relevance.expression(question), labels))
            if question.type in ("choice", "multi"):
                for option in question.options:
                    choices.append(
                        {
                            "list_name": f"q_{question.id}",
                            "name": option.value,
                            **_texts(option.text, "label"),
                        }
                    )
            relevance.seen(question)
        survey.append({"type": "end_group", "name": f"s_{section.id}"})
    settings = [
        {
            "form_title": localized(questionnaire.title, language),
            "form_id": f"veza_{questionnaire.id}_{versions.participant.lower()}",
            "version": form_version,
            "default_language": language_column(language),
        }
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def _question_rows(question: Question, relevant: str, labels) -> list[dict[str, str]]:
    base: dict[str, str] = {"name": question.id, **_texts(question.text, "label")}
    if question.help:
        base.update(_texts(question.help, "hint"))
    if relevant:
        base["relevant"] = relevant
    required = {"required": "yes", **_ui(labels, "required", "required_message")}
    if question.type == "yes_no":
        return [{"type": "select_one yes_no", **base, **(required if question.required else {})}]
    if question.type in ("choice", "multi"):
        kind = "select_one" if question.type == "choice" else "select_multiple"
        return [
            {"type": f"{kind} q_{question.id}", **base, **(required if question.required else {})}
        ]
    if question.type == "exploitation":
        return [{"type": "select_multiple exploitation", **base, **required}]
    # age: whether it is known, then the years (the engine takes either, never both)
    unknown = {
        "type": "select_one age_known",
        "name": f"{question.id}__unknown",
        **{k: v for k, v in base.items() if k.startswith(("label", "hint", "relevant"))},
        **required,
    }
    years = {
        "type": "integer",
        "name": question.id,
        **_ui(labels, "age_years", "label"),
        "relevant": f"${{{question.id}__unknown}} = {_quote(AGE_KNOWN)}"
        + (f" and ({relevant})" if relevant else ""),
        "constraint": ". >= 0 and . <= 120",
        **_ui(labels, "age_range", "constraint_message"),
        **required,
    }
    return [unknown, years]


def form_values(questionnaire: Questionnaire, answers: Mapping[str, object]) -> dict[str, object]:
    """Answers as Veza's pages record them, as the form's fields (the age question takes two):
    what a device submits for them. The inverse of `services.answers_from_submission`."""
    values: dict[str, object] = {}
    for question in questionnaire.questions.values():
        value = answers.get(question.id)
        if question.type == "age":
            if isinstance(value, int):
                values[f"{question.id}__unknown"] = AGE_KNOWN
                values[question.id] = value
            elif value:
                values[f"{question.id}__unknown"] = value
        elif value not in (None, "", []):
            values[question.id] = value
    return values


def xlsform_bytes(sheets: Mapping[str, list[dict[str, str]]]) -> bytes:
    """The sheets as an .xlsx workbook: a header row of every column used, then the rows."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name in ("survey", "choices", "settings"):
        rows = sheets[name]
        columns: list[str] = []
        for row in rows:
            columns.extend(c for c in row if c not in columns)
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

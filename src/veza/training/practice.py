"""Practice cases and modules, read from `data/training/practice.yaml`, and the comparison of a
trainee's answers with the expected ones. Pure: no database, no Django. The engine's reading of
the answers (which indicators are present) is passed in, so this module stays testable alone."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from veza.core.multilingual import check_texts, read_languages

__all__ = [
    "OUTCOMES",
    "PASS_SHARE",
    "Comparison",
    "IndicatorRow",
    "Module",
    "PracticeCase",
    "PracticeData",
    "PracticeError",
    "all_texts",
    "compare",
    "load_practice",
    "parse_practice",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "training" / "practice.yaml"
#: A case is passed with at least this share of indicators judged alike and the right outcome.
PASS_SHARE = 0.8
OUTCOMES = ("no_indicators", "indicators_present", "potential_victim", "presumed_victim")
CASE_KEYS = {"id", "questionnaire", "title", "scenario", "expected_outcome", "answers", "why"}
MODULE_KEYS = {"id", "title", "cases"}


class PracticeError(ValueError):
    """The data file does not hold what practice needs (found by tests and `veza check`)."""


@dataclass(frozen=True)
class PracticeCase:
    id: str
    questionnaire: str
    title: Mapping[str, str]
    scenario: Mapping[str, str]
    expected_outcome: str
    answers: Mapping[str, Any]
    why: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Module:
    id: str
    title: Mapping[str, str]
    cases: tuple[str, ...]


@dataclass(frozen=True)
class PracticeData:
    languages: tuple[str, ...]
    cases: Mapping[str, PracticeCase]
    modules: Mapping[str, Module]

    def modules_of(self, case_id: str) -> list[Module]:
        return [m for m in self.modules.values() if case_id in m.cases]


def all_texts(data: Mapping) -> list:
    """Every translated text of the file (each a mapping of language to text)."""
    found: list = []
    for case in data.get("cases") or []:
        found += [case.get("title"), case.get("scenario"), *(case.get("why") or {}).values()]
    for module in data.get("modules") or []:
        found.append(module.get("title"))
    return found


def parse_practice(data: Mapping) -> PracticeData:
    languages = read_languages(data, PracticeError, what="the practice cases", names=False).codes
    if not str(data.get("source") or "").strip():
        raise PracticeError("the file names its sources")
    check_texts(all_texts(data), languages, PracticeError)
    cases: dict[str, PracticeCase] = {}
    for raw in data.get("cases") or []:
        extra = set(raw) - CASE_KEYS
        if extra or not raw.get("id"):
            raise PracticeError(f"case {raw.get('id')!r}: unknown field(s) {sorted(extra)}")
        if raw["id"] in cases:
            raise PracticeError(f"case {raw['id']!r} twice")
        if raw.get("expected_outcome") not in OUTCOMES:
            raise PracticeError(f"case {raw['id']!r}: expected_outcome must be one of {OUTCOMES}")
        if not isinstance(raw.get("answers"), Mapping) or not raw["answers"]:
            raise PracticeError(f"case {raw['id']!r}: the expected answers are missing")
        cases[raw["id"]] = PracticeCase(
            id=raw["id"],
            questionnaire=str(raw.get("questionnaire") or ""),
            title=raw["title"],
            scenario=raw["scenario"],
            expected_outcome=raw["expected_outcome"],
            answers=dict(raw["answers"]),
            why=dict(raw.get("why") or {}),
        )
    modules: dict[str, Module] = {}
    for raw in data.get("modules") or []:
        extra = set(raw) - MODULE_KEYS
        members = tuple(raw.get("cases") or ())
        if extra or not raw.get("id") or not members:
            raise PracticeError(f"module {raw.get('id')!r}: needs an id, a title and cases")
        unknown = [c for c in members if c not in cases]
        if unknown:
            raise PracticeError(f"module {raw['id']!r}: unknown case(s) {unknown}")
        modules[raw["id"]] = Module(id=raw["id"], title=raw["title"], cases=members)
    if not cases or not modules:
        raise PracticeError("at least one case and one module")
    return PracticeData(languages=languages, cases=cases, modules=modules)


@functools.cache
def load_practice(path: Path = DATA) -> PracticeData:
    return parse_practice(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    expected: bool
    given: bool

    @property
    def alike(self) -> bool:
        return self.expected == self.given


@dataclass(frozen=True)
class Comparison:
    rows: tuple[IndicatorRow, ...]
    expected_outcome: str
    given_outcome: str

    @property
    def counted(self) -> tuple[IndicatorRow, ...]:
        """The indicators that count: those the scenario shows and those the trainee recorded.
        Indicators both leave absent do not: a health questionnaire records about fifty, and
        counting them would let a trainee who missed most signs still score above 80 %."""
        return tuple(r for r in self.rows if r.expected or r.given)

    @property
    def alike(self) -> int:
        return sum(r.alike for r in self.counted)

    @property
    def score(self) -> int:
        """Percentage of the counted indicators judged alike (0-100, rounded down); 100 when
        neither side found any."""
        counted = self.counted
        return (100 * self.alike) // len(counted) if counted else 100

    @property
    def outcome_right(self) -> bool:
        return self.expected_outcome == self.given_outcome

    @property
    def passed(self) -> bool:
        return self.outcome_right and self.score >= round(PASS_SHARE * 100)

    def as_dict(self) -> dict:
        return {
            "rows": [[r.indicator, r.expected, r.given] for r in self.rows],
            "expected_outcome": self.expected_outcome,
            "given_outcome": self.given_outcome,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Comparison:
        return cls(
            rows=tuple(IndicatorRow(i, bool(e), bool(g)) for i, e, g in data.get("rows") or ()),
            expected_outcome=str(data.get("expected_outcome") or ""),
            given_outcome=str(data.get("given_outcome") or ""),
        )


def compare(
    indicators: Iterable[str],
    *,
    expected_present: Iterable[str],
    given_present: Iterable[str],
    expected_outcome: str,
    given_outcome: str,
) -> Comparison:
    """Indicator by indicator over every indicator the questionnaire can record: present in the
    expected reading, present in the trainee's. Differences first, so the page starts with them."""
    expected, given = set(expected_present), set(given_present)
    rows = [IndicatorRow(i, i in expected, i in given) for i in sorted(set(indicators))]
    rows.sort(key=lambda r: (r.alike, not r.expected, r.indicator))
    return Comparison(tuple(rows), expected_outcome, given_outcome)

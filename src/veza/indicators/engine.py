"""The indicator engine: from present indicators to an explained outcome. Pure Python, no Django.

An indicator set lists indicators, each in one of six dimensions with a strength. A decision rule
(data, versioned) says when a dimension is positive, which dimensions make up each element of the
legal definition (recruitment, exploitation, means), which elements must all be positive for a
presumed victim (adults and children differ), and the outcome ladder. `evaluate` applies one rule
to one set and returns every intermediate state, so that the outcome can always be explained.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AGE_GROUPS",
    "DIMENSIONS",
    "OUTCOMES",
    "STRENGTHS",
    "ContentError",
    "Indicator",
    "IndicatorSet",
    "Result",
    "Rule",
    "UnknownIndicatorsError",
    "evaluate",
    "outcome_rank",
    "parse_rule",
    "parse_set",
]

DIMENSIONS = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
    "exploitation",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
)
STRENGTHS = ("strong", "medium", "weak")
PROVENANCES = ("verified", "draft")
AGE_GROUPS = ("adult", "child")
EXPLOITATION_KINDS = ("labour", "sexual")
#: From lowest to highest; the ladder may only name these.
OUTCOMES = ("no_indicators", "indicators_present", "potential_victim", "presumed_victim")
CONDITIONS = ("combination", "elements_positive", "strong_present", "any_present")


class ContentError(ValueError):
    """A set, rule or questionnaire that cannot be used; `problems` names every fault found."""

    def __init__(self, what: str, problems: list[str]):
        self.what = what
        self.problems = problems
        super().__init__(f"{what}: " + "; ".join(problems))


class UnknownIndicatorsError(ValueError):
    def __init__(self, set_id: str, unknown: Iterable[str]):
        self.set_id = set_id
        self.unknown = sorted(unknown)
        super().__init__(f"not in set {set_id}: {', '.join(self.unknown)}")


def outcome_rank(outcome: str) -> int:
    return OUTCOMES.index(outcome)


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    strength: str
    text: Any  # a string, or {language: string}
    provenance: str = "verified"
    equivalent: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    list: str = ""


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    version: int
    title: Any
    kind: str
    age_groups: tuple[str, ...]
    exploitation: tuple[str, ...]
    provenance: str
    source: str
    indicators: tuple[Indicator, ...]
    by_id: Mapping[str, Indicator] = field(repr=False, compare=False, default_factory=dict)

    @property
    def draft_indicator_ids(self) -> tuple[str, ...]:
        if self.provenance == "draft":
            return tuple(i.id for i in self.indicators)
        return tuple(i.id for i in self.indicators if i.provenance == "draft")


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    positivity: tuple[tuple[tuple[tuple[str, ...], int], ...], ...]
    elements: Mapping[str, tuple[str, ...]]
    combination: Mapping[str, tuple[str, ...]]
    ladder: tuple[Mapping[str, Any], ...]
    urgent_flags: tuple[str, ...]
    provenance: str = "verified"


def _is_text(value) -> bool:
    """A text, or a mapping of language codes to texts (a translated text)."""
    if isinstance(value, str):
        return True
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )


def _require(data: Mapping, keys: Iterable[str], problems: list[str], where: str) -> None:
    for key in keys:
        if key not in data or data[key] in (None, ""):
            problems.append(f"{where}: '{key}' is missing")


def parse_set(data: Mapping[str, Any]) -> IndicatorSet:
    """Validate a set given as plain data (parsed YAML) and build it; ContentError lists faults."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ContentError("indicator set", ["the file does not hold a mapping of fields"])
    _require(data, ("id", "version", "title", "indicators", "applies_to"), problems, "set")
    set_id = str(data.get("id", "?"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("set: 'version' must be a whole number from 1")
    applies = data.get("applies_to") or {}
    age_groups = tuple(applies.get("age_groups") or ())
    exploitation = tuple(applies.get("exploitation") or ())
    for value in age_groups:
        if value not in AGE_GROUPS:
            problems.append(f"set: unknown age group {value!r}")
    for value in exploitation:
        if value not in EXPLOITATION_KINDS:
            problems.append(f"set: unknown form of exploitation {value!r}")
    if not age_groups or not exploitation:
        problems.append("set: 'applies_to' needs age_groups and exploitation")
    kind = data.get("kind", "primary")
    if kind not in ("primary", "supplementary"):
        problems.append(f"set: 'kind' must be primary or supplementary, not {kind!r}")
    provenance = data.get("provenance", "draft")
    if provenance not in PROVENANCES:
        problems.append(f"set: 'provenance' must be verified or draft, not {provenance!r}")
    indicators: list[Indicator] = []
    seen: set[str] = set()
    rows = data.get("indicators") or []
    if not isinstance(rows, list) or not rows:
        problems.append("set: 'indicators' must be a non-empty list")
        rows = []
    for number, row in enumerate(rows, start=1):
        where = f"indicator {number} ({row.get('id', '?') if isinstance(row, Mapping) else '?'})"
        if not isinstance(row, Mapping):
            problems.append(f"{where}: not a mapping")
            continue
        _require(row, ("id", "dimension", "strength", "text"), problems, where)
        ident = str(row.get("id", ""))
        if ident in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(ident)
        if row.get("dimension") not in DIMENSIONS:
            problems.append(f"{where}: unknown dimension {row.get('dimension')!r}")
        if row.get("strength") not in STRENGTHS:
            problems.append(f"{where}: unknown strength {row.get('strength')!r}")
        text = row.get("text")
        if text not in (None, "") and not _is_text(text):
            problems.append(f"{where}: 'text' must be a text, or a text per language")
        row_provenance = row.get("provenance", provenance)
        if row_provenance not in PROVENANCES:
            problems.append(f"{where}: unknown provenance {row_provenance!r}")
        equivalent = row.get("equivalent") or ()
        if not isinstance(equivalent, list | tuple):
            problems.append(f"{where}: 'equivalent' must be a list of indicator ids")
            equivalent = ()
        indicators.append(
            Indicator(
                id=ident,
                dimension=str(row.get("dimension")),
                strength=str(row.get("strength")),
                text=row.get("text"),
                provenance=row_provenance,
                equivalent=tuple(str(e) for e in equivalent),
                source=str(row.get("source", "")),
                note=str(row.get("note", "")),
                list=str(row.get("list", "")),
            )
        )
    if problems:
        raise ContentError(f"indicator set {set_id}", problems)
    return IndicatorSet(
        id=set_id,
        version=version,
        title=data["title"],
        kind=kind,
        age_groups=age_groups,
        exploitation=exploitation,
        provenance=provenance,
        source=str(data.get("source", "")),
        indicators=tuple(indicators),
        by_id={i.id: i for i in indicators},
    )


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """Validate a decision rule given as plain data and build it; ContentError lists faults."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ContentError("decision rule", ["the file does not hold a mapping of fields"])
    _require(
        data, ("id", "version", "positivity", "elements", "combination", "ladder"), problems, "rule"
    )
    rule_id = str(data.get("id", "?"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("rule: 'version' must be a whole number from 1")
    clauses = []
    for number, clause in enumerate(data.get("positivity") or [], start=1):
        if not isinstance(clause, Mapping) or not clause:
            problems.append(f"positivity clause {number}: must map strengths to counts")
            continue
        parts = []
        for key, count in clause.items():
            strengths = tuple(str(key).split("+"))
            if any(s not in STRENGTHS for s in strengths):
                problems.append(f"positivity clause {number}: unknown strength in {key!r}")
            if not isinstance(count, int) or count < 1:
                problems.append(f"positivity clause {number}: {key!r} needs a count of 1 or more")
            parts.append((strengths, count))
        if parts and all(p[0] == ("weak",) for p in parts):
            problems.append(f"positivity clause {number}: weak indicators alone may not suffice")
        clauses.append(tuple(parts))
    if not clauses:
        problems.append("rule: 'positivity' needs at least one clause")
    elements = {str(k): tuple(v or ()) for k, v in (data.get("elements") or {}).items()}
    covered = [d for dims in elements.values() for d in dims]
    for dimension in covered:
        if dimension not in DIMENSIONS:
            problems.append(f"elements: unknown dimension {dimension!r}")
    missing = set(DIMENSIONS) - set(covered)
    if missing:
        problems.append(f"elements: dimensions in no element: {', '.join(sorted(missing))}")
    combination = {str(k): tuple(v or ()) for k, v in (data.get("combination") or {}).items()}
    for group in AGE_GROUPS:
        if group not in combination:
            problems.append(f"combination: no entry for {group}")
    for group, names in combination.items():
        for name in names:
            if name not in elements:
                problems.append(f"combination {group}: unknown element {name!r}")
    ladder = list(data.get("ladder") or [])
    named = [step.get("outcome") for step in ladder if isinstance(step, Mapping)]
    if sorted(named, key=lambda o: OUTCOMES.index(o) if o in OUTCOMES else -1) != named[::-1]:
        problems.append("ladder: steps must go from the highest outcome to the lowest")
    for step in ladder:
        if not isinstance(step, Mapping) or step.get("outcome") not in OUTCOMES:
            problems.append(f"ladder: unknown outcome in {step!r}")
            continue
        for condition in step.get("any_of") or []:
            if not isinstance(condition, Mapping) or len(condition) != 1:
                problems.append(f"ladder {step['outcome']}: each condition names one test")
                continue
            ((name, value),) = condition.items()
            if name not in CONDITIONS:
                problems.append(f"ladder {step['outcome']}: unknown condition {name!r}")
            if name == "elements_positive" and not (
                isinstance(value, Mapping) and set(value) == set(AGE_GROUPS)
            ):
                problems.append("elements_positive needs a count for adult and for child")
            if name == "strong_present" and any(d not in DIMENSIONS for d in value or ()):
                problems.append("strong_present names an unknown dimension")
    if (
        not ladder
        or (ladder[-1].get("any_of") or []) != []
        or ladder[-1].get("outcome") != "no_indicators"
    ):
        problems.append("ladder: the last step must be no_indicators with no condition")
    if problems:
        raise ContentError(f"decision rule {rule_id}", problems)
    return Rule(
        id=rule_id,
        version=version,
        positivity=tuple(clauses),
        elements=elements,
        combination=combination,
        ladder=tuple(ladder),
        urgent_flags=tuple(data.get("urgent_flags") or ()),
        provenance=str(data.get("provenance", "verified")),
    )


@dataclass(frozen=True)
class DimensionState:
    positive: bool
    present: tuple[str, ...]
    counts: Mapping[str, int]
    clause: int | None  # index of the positivity clause that made it positive


@dataclass(frozen=True)
class Result:
    set_id: str
    set_version: int
    rule_id: str
    rule_version: int
    age_group: str
    outcome: str
    action: str
    fired: Mapping[str, Any]
    dimensions: Mapping[str, DimensionState]
    elements: Mapping[str, Mapping[str, Any]]
    combination_met: bool
    present: tuple[str, ...]
    urgent: tuple[str, ...]
    draft_present: tuple[str, ...]
    explanation: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "action": self.action,
            "age_group": self.age_group,
            "set": self.set_id,
            "set_version": self.set_version,
            "rule": self.rule_id,
            "rule_version": self.rule_version,
            "fired": dict(self.fired),
            "urgent": list(self.urgent),
            "present": list(self.present),
            "draft_present": list(self.draft_present),
            "combination_met": self.combination_met,
            "dimensions": {
                name: {
                    "positive": state.positive,
                    "present": list(state.present),
                    "counts": dict(state.counts),
                    "clause": state.clause,
                }
                for name, state in self.dimensions.items()
            },
            "elements": {name: dict(value) for name, value in self.elements.items()},
            "explanation": list(self.explanation),
        }


def _clause_met(clause, counts) -> bool:
    return all(sum(counts[s] for s in strengths) >= need for strengths, need in clause)


def _dimension_state(rule: Rule, present: list[Indicator]) -> DimensionState:
    counts = {s: sum(1 for i in present if i.strength == s) for s in STRENGTHS}
    clause = next((n for n, c in enumerate(rule.positivity) if _clause_met(c, counts)), None)
    return DimensionState(
        positive=clause is not None,
        present=tuple(sorted(i.id for i in present)),
        counts=counts,
        clause=clause,
    )


def _describe_clause(rule: Rule, index: int) -> str:
    return " and ".join(f"{n} {'/'.join(s)}" for s, n in rule.positivity[index])


def evaluate(
    indicator_set: IndicatorSet,
    rule: Rule,
    present: Iterable[str],
    *,
    age_group: str = "adult",
    urgent: Iterable[str] = (),
    strict: bool = True,
) -> Result:
    """Apply `rule` to the indicators of `indicator_set` named in `present`.

    With `strict`, ids the set does not know raise UnknownIndicatorsError (a typing mistake must
    not pass silently). Otherwise they are ignored: a questionnaire may name indicators of other
    sets. Supplementary signals (`equivalent`) count as present when an equivalent id is present.
    """
    if age_group not in AGE_GROUPS:
        raise ValueError(f"age group must be adult or child, not {age_group!r}")
    given = set(present)
    unknown = {
        p
        for p in given
        if p not in indicator_set.by_id
        and not any(p in i.equivalent for i in indicator_set.indicators)
    }
    if strict and unknown:
        raise UnknownIndicatorsError(indicator_set.id, unknown)
    flags = tuple(f for f in rule.urgent_flags if f in set(urgent))
    unknown_flags = set(urgent) - set(rule.urgent_flags)
    if unknown_flags:
        raise ValueError(f"unknown urgent flags: {', '.join(sorted(unknown_flags))}")
    hits = [
        i for i in indicator_set.indicators if i.id in given or given.intersection(i.equivalent)
    ]
    dimensions = {
        d: _dimension_state(rule, [i for i in hits if i.dimension == d]) for d in DIMENSIONS
    }
    elements = {
        name: {
            "positive": any(dimensions[d].positive for d in dims),
            "dimensions": [d for d in dims if dimensions[d].positive],
        }
        for name, dims in rule.elements.items()
    }
    needed = rule.combination[age_group]
    combination_met = all(elements[name]["positive"] for name in needed)
    positive_elements = sum(1 for e in elements.values() if e["positive"])

    def holds(condition: Mapping[str, Any]) -> dict[str, Any] | None:
        ((name, value),) = condition.items()
        if name == "combination" and combination_met:
            return {"condition": name, "elements": list(needed)}
        if name == "elements_positive" and positive_elements >= value[age_group]:
            return {"condition": name, "at_least": value[age_group], "positive": positive_elements}
        if name == "strong_present":
            strong = sorted(i.id for i in hits if i.dimension in value and i.strength == "strong")
            if strong:
                return {"condition": name, "indicators": strong}
        if name == "any_present" and hits:
            return {"condition": name, "count": len(hits)}
        return None

    outcome, action, fired = "no_indicators", "none", {"condition": "none"}
    for step in rule.ladder:
        conditions = step.get("any_of") or []
        if not conditions:
            outcome, action, fired = step["outcome"], step.get("action", ""), {"condition": "none"}
            break
        match = next((m for c in conditions if (m := holds(c)) is not None), None)
        if match is not None:
            outcome, action, fired = step["outcome"], step.get("action", ""), match
            break

    explanation = []
    for flag in flags:
        explanation.append(f"URGENT: {flag.replace('_', ' ')}.")
    for name, state in dimensions.items():
        if state.positive:
            explanation.append(
                f"{name.replace('_', ' ').capitalize()} is positive "
                f"({_describe_clause(rule, state.clause)}): {', '.join(state.present)}."
            )
        elif state.present:
            explanation.append(
                f"{name.replace('_', ' ').capitalize()} has indicators but is not positive: "
                f"{', '.join(state.present)}."
            )
    explanation.append(
        f"Elements positive: {', '.join(n for n, e in elements.items() if e['positive']) or 'none'}"
        f"; the {age_group} combination needs {', '.join(needed)}"
        f" ({'met' if combination_met else 'not met'})."
    )
    explanation.append(f"Outcome {outcome} by rule step '{fired['condition']}'.")
    return Result(
        set_id=indicator_set.id,
        set_version=indicator_set.version,
        rule_id=rule.id,
        rule_version=rule.version,
        age_group=age_group,
        outcome=outcome,
        action=action,
        fired=fired,
        dimensions=dimensions,
        elements=elements,
        combination_met=combination_met,
        present=tuple(sorted(i.id for i in hits)),
        urgent=flags,
        draft_present=tuple(
            sorted(i.id for i in hits if i.id in set(indicator_set.draft_indicator_ids))
        ),
        explanation=tuple(explanation),
    )

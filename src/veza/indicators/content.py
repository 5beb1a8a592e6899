"""Load and check the versioned content files: indicator sets, decision rules, questionnaires.

    python -m veza.indicators.content check [FILE ...]

checks every file under the content directory (or the files named) and prints each fault. Pure
Python: usable by authors of content without a running Veza.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from veza.indicators.engine import ContentError, IndicatorSet, Rule, parse_rule, parse_set
from veza.indicators.questionnaire import Questionnaire, parse_questionnaire

__all__ = ["Content", "load_content", "load_yaml"]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data"


def load_yaml(path: Path | str, text: str | None = None):
    try:
        return yaml.safe_load(text if text is not None else Path(path).read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContentError(str(Path(path).name), [f"not valid YAML{where}"]) from exc


@dataclass(frozen=True)
class Content:
    sets: dict[str, IndicatorSet]
    rules: dict[str, Rule]
    questionnaires: dict[str, Questionnaire]
    raw: dict[str, dict]


def load_content(directory: Path | str = DEFAULT_DIR) -> Content:
    """Every set, rule and questionnaire in `directory`; ContentError lists all faults at once."""
    directory = Path(directory)
    problems: list[str] = []
    sets, rules, questionnaires, raw = {}, {}, {}, {}
    for path in sorted((directory / "indicators").glob("*.yaml")):
        try:
            data = load_yaml(path)
            parsed = parse_set(data)
            sets[parsed.id] = parsed
            raw[f"set:{parsed.id}"] = data
        except ContentError as exc:
            problems.append(f"{path.name}: {exc}")
    for path in sorted((directory / "rules").glob("*.yaml")):
        try:
            data = load_yaml(path)
            parsed = parse_rule(data)
            rules[parsed.id] = parsed
            raw[f"rule:{parsed.id}"] = data
        except ContentError as exc:
            problems.append(f"{path.name}: {exc}")
    known = {i.id for s in sets.values() for i in s.indicators if s.kind == "primary"}
    flags = {f for r in rules.values() for f in r.urgent_flags}
    for path in sorted((directory / "questionnaires").glob("*.yaml")):
        try:
            data = load_yaml(path)
            parsed = parse_questionnaire(data, known_indicators=known, urgent_flags=flags)
            questionnaires[parsed.id] = parsed
            raw[f"questionnaire:{parsed.id}"] = data
        except ContentError as exc:
            problems.append(f"{path.name}: {exc}")
    if problems:
        raise ContentError(str(directory), problems)
    return Content(sets, rules, questionnaires, raw)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print(__doc__)
        return 2
    try:
        content = load_content()
    except ContentError as exc:
        for problem in exc.problems:
            print(f"FAULT {problem}")
        return 1
    for q in content.questionnaires.values():
        count = len(q.questions)
        print(
            f"ok questionnaire {q.id} v{q.version}: {len(q.sections)} sections, {count} questions"
        )
    for s in content.sets.values():
        print(f"ok set {s.id} v{s.version}: {len(s.indicators)} indicators ({s.provenance})")
    for r in content.rules.values():
        print(f"ok rule {r.id} v{r.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The retention register (`data/privacy/retention.yaml`): loaded, checked and ready to apply.

The register says what Veza holds, why, for whom, how long and what happens at the end; the code
in `veza.privacy.retention` knows how to erase or anonymise each class. A data protection officer
changes periods, overrides and texts; a class the code does not know is refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings

__all__ = [
    "ACTIONS",
    "CASE_LINKED",
    "EVENTS",
    "Period",
    "Register",
    "RegisterError",
    "RetentionClass",
    "load_register",
    "model_coverage",
    "register_path",
]

ACTIONS = ("erase", "anonymise", "keep")
#: Events a period may run from (see the comment at the top of retention.yaml).
EVENTS = (
    "case_closed",
    "screening_done_without_case",
    "booking_ended",
    "profile_deactivated",
    "packet_done",
    "imported",
    "created",
    "account_deactivated",
    "expired",
    "revoked_or_expired",
    "finished",
    "written",
    "released",
)
#: Classes that end, at the latest, when their case is anonymised: their period for a
#: participant may not be longer than the case class's.
CASE_LINKED = ("case_identity", "consents", "referrals", "cross_border_referrals")
_PERIOD = re.compile(r"^\s*(\d{1,4})\s+(day|days|month|months|year|years)\s*$")
_TEXT_FIELDS = ("name", "holds", "purpose", "legal_basis")
_LIST_FIELDS = ("models", "data_subjects", "data_categories", "recipients")
_PARTICIPANT_FIELDS = ("controller", "dpo", "law", "supervisory_authority")


class RegisterError(ValueError):
    """The register file is not valid; `problems` lists every problem with where it is."""

    def __init__(self, path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{Path(path).name}: " + "; ".join(problems))


@dataclass(frozen=True)
class Period:
    count: int
    unit: str  # days, months or years

    @classmethod
    def parse(cls, text) -> Period | None:
        match = _PERIOD.match(str(text)) if isinstance(text, str) else None
        if not match:
            return None
        unit = match.group(2).rstrip("s") + "s"
        return cls(int(match.group(1)), unit)

    def __str__(self) -> str:
        unit = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {unit}"

    @property
    def approx_days(self) -> int:
        return self.count * {"days": 1, "months": 30, "years": 365}[self.unit]

    def before(self, moment: datetime) -> datetime:
        """The moment this period before `moment` (calendar months and years; the 31st of a
        shorter month becomes its last day)."""
        from datetime import timedelta

        if self.unit == "days":
            return moment - timedelta(days=self.count)
        months = self.count * (12 if self.unit == "years" else 1)
        index = moment.year * 12 + moment.month - 1 - months
        year, month = divmod(index, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionClass:
    code: str
    name: str
    models: tuple[str, ...]
    holds: str
    purpose: str
    legal_basis: str
    data_subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    period: Period
    runs_from: str
    action: str
    #: What the action does (the `erase` or `anonymise` text), or why the class is kept.
    action_text: str
    overrides: dict[str, Period] = field(default_factory=dict)
    source: tuple[str, ...] = ()

    def period_for(self, participant_code: str) -> Period:
        return self.overrides.get(participant_code, self.period)


@dataclass(frozen=True)
class Register:
    version: int
    status: str
    participants: dict[str, dict]
    sources: dict[str, str]
    classes: tuple[RetentionClass, ...]
    not_personal: dict[str, str]
    transfers: str
    security_measures: str

    def get(self, code: str) -> RetentionClass:
        for item in self.classes:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def purged(self) -> tuple[RetentionClass, ...]:
        return tuple(c for c in self.classes if c.action != "keep")


def register_path() -> Path:
    configured = getattr(settings, "VEZA_RETENTION_REGISTER", None)
    return Path(configured or Path(settings.VEZA_CONTENT_DIR) / "privacy" / "retention.yaml")


def load_register(path: Path | str | None = None) -> Register:
    """Read and check the register; `RegisterError` names every problem found."""
    path = Path(path) if path else register_path()
    return _load(str(path), path.stat().st_mtime_ns)


@cache
def _load(path: str, _mtime: int) -> Register:
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise RegisterError(path, [f"not valid YAML{where}"]) from exc
    return _parse(path, raw)


def _parse(path: str, raw) -> Register:
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise RegisterError(path, ["the file must be a mapping with version, classes, …"])
    if raw.get("version") != 1:
        problems.append("version: must be 1")
    status = raw.get("status")
    if status not in ("proposal", "confirmed"):
        problems.append("status: must be 'proposal' or 'confirmed'")
    for key in ("transfers", "security_measures"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{key}: a text is required")

    participants = raw.get("participants")
    if not isinstance(participants, dict) or not participants:
        problems.append("participants: a mapping of participant codes is required")
        participants = {}
    for code, entry in participants.items():
        where = f"participants.{code}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        for key in _PARTICIPANT_FIELDS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                problems.append(f"{where}.{key}: a text is required")
        if not isinstance(entry.get("confirmed"), bool):
            problems.append(f"{where}.confirmed: must be true or false")

    sources = raw.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append("sources: must be a mapping of name: citation")
        sources = {}

    classes: list[RetentionClass] = []
    seen_models: dict[str, str] = {}
    items = raw.get("classes")
    if not isinstance(items, list) or not items:
        problems.append("classes: a list of record classes is required")
        items = []
    from veza.privacy.retention import PURGERS

    codes: set[str] = set()
    for index, item in enumerate(items):
        where = f"classes[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = item.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            problems.append(f"{where}.code: a lower-case code is required")
            continue
        where = f"classes[{index}] ({code})"
        if code in codes:
            problems.append(f"{where}.code: used twice")
        codes.add(code)
        for key in _TEXT_FIELDS:
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(f"{where}.{key}: a text is required")
        for key in _LIST_FIELDS:
            value = item.get(key)
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) for v in value)
            ):
                problems.append(f"{where}.{key}: a non-empty list of texts is required")
        for label in item.get("models") or []:
            if not isinstance(label, str):
                continue
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                problems.append(f"{where}.models: no model {label}")
            if label in seen_models:
                problems.append(f"{where}.models: {label} is already in {seen_models[label]}")
            seen_models[label] = code
        period = Period.parse(item.get("period"))
        if period is None:
            problems.append(
                f"{where}.period: {item.get('period')!r} is not 'N days', 'N months' or 'N years'"
            )
        runs_from = item.get("runs_from")
        if runs_from not in EVENTS:
            problems.append(f"{where}.runs_from: must be one of {', '.join(EVENTS)}")
        action = item.get("action")
        text = ""
        if action not in ACTIONS:
            problems.append(f"{where}.action: must be erase, anonymise or keep")
        else:
            text_key = "keep_reason" if action == "keep" else action
            text = item.get(text_key)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}.{text_key}: say what {action} does for this class")
            if action != "keep" and code not in PURGERS:
                problems.append(f"{where}.code: Veza has no purge rule for the class {code}")
            if action != "keep" and code in PURGERS and PURGERS[code].action != action:
                problems.append(f"{where}.action: Veza can only {PURGERS[code].action} this class")
        overrides: dict[str, Period] = {}
        raw_overrides = item.get("overrides") or {}
        if not isinstance(raw_overrides, dict):
            problems.append(f"{where}.overrides: must map participant codes to periods")
            raw_overrides = {}
        for participant, value in raw_overrides.items():
            if participant not in participants:
                problems.append(f"{where}.overrides.{participant}: not a participant of the file")
            parsed = Period.parse(value)
            if parsed is None:
                problems.append(
                    f"{where}.overrides.{participant}: {value!r} is not 'N days|months|years'"
                )
            else:
                overrides[participant] = parsed
        source = item.get("source") or []
        for name in source if isinstance(source, list) else []:
            if name not in sources:
                problems.append(f"{where}.source: {name} is not in sources")
        if period is None or action not in ACTIONS or runs_from not in EVENTS:
            continue
        classes.append(
            RetentionClass(
                code=code,
                name=item.get("name", ""),
                models=tuple(item.get("models") or ()),
                holds=str(item.get("holds", "")).strip(),
                purpose=str(item.get("purpose", "")).strip(),
                legal_basis=str(item.get("legal_basis", "")).strip(),
                data_subjects=tuple(item.get("data_subjects") or ()),
                data_categories=tuple(item.get("data_categories") or ()),
                recipients=tuple(item.get("recipients") or ()),
                period=period,
                runs_from=runs_from,
                action=action,
                action_text=str(text).strip(),
                overrides=overrides,
                source=tuple(source) if isinstance(source, list) else (),
            )
        )

    for code in PURGERS:
        if code not in codes:
            problems.append(f"classes: the class {code} is missing")
    by_code = {c.code: c for c in classes}
    case = by_code.get("case")
    for code in CASE_LINKED:
        linked = by_code.get(code)
        if case is None or linked is None:
            continue
        for participant in ["", *participants]:
            mine = linked.period_for(participant) if participant else linked.period
            cases = case.period_for(participant) if participant else case.period
            if mine.approx_days > cases.approx_days:
                problems.append(
                    f"classes ({code}): {mine} for {participant or 'the default'} is longer than "
                    f"the case's {cases}; it must end when the case is anonymised, or sooner"
                )

    not_personal = raw.get("not_personal") or {}
    if not isinstance(not_personal, dict):
        problems.append("not_personal: must map model labels to a reason")
        not_personal = {}
    for label, reason in not_personal.items():
        try:
            apps.get_model(label)
        except (LookupError, ValueError):
            problems.append(f"not_personal: no model {label}")
        if label in seen_models:
            problems.append(f"not_personal: {label} is also in the class {seen_models[label]}")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"not_personal.{label}: say why it holds no personal data")

    if problems:
        raise RegisterError(path, problems)
    return Register(
        version=1,
        status=status,
        participants=participants,
        sources={str(k): str(v) for k, v in sources.items()},
        classes=tuple(classes),
        not_personal={str(k): str(v) for k, v in not_personal.items()},
        transfers=raw["transfers"].strip(),
        security_measures=raw["security_measures"].strip(),
    )


def model_coverage(register: Register) -> tuple[list[str], list[str]]:
    """(models in no class and not declared free of personal data, models in more than one)."""
    counts: dict[str, int] = {}
    for item in register.classes:
        for label in item.models:
            counts[label] = counts.get(label, 0) + 1
    for label in register.not_personal:
        counts[label] = counts.get(label, 0) + 1
    every = sorted(m._meta.label for m in apps.get_models())
    missing = [label for label in every if label not in counts]
    twice = sorted(label for label, n in counts.items() if n > 1)
    return missing, twice

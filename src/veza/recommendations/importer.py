"""Import of recommendations from a CSV or XLSX file, all or nothing.

Every row is checked before anything is written; if any row is wrong nothing is written and the
person gets every problem with its row number and column (`ImportRejected.rows`). The file's
type is checked against its content, its size and row count are capped, formulas and control
characters are refused, and CSV must be UTF-8 (with or without a byte-order mark). The columns
are documented in `import_template.py` and docs/recommendations.md.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ConflictError
from veza.core.scoping import require_perm_or_operator
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.recommendations.choices import Body, LinkKind, Priority, Theme, Wording
from veza.recommendations.import_read import (
    MAX_BYTES,
    MAX_ROWS,
    ImportRejected,
    RowProblem,
    read_table,
)
from veza.recommendations.import_template import COLUMNS
from veza.recommendations.models import Recommendation, RecommendationLink, Source
from veza.recommendations.services import FIRST_YEAR
from veza.recommendations.topics import topic_codes

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportRejected",
    "ImportResult",
    "RowProblem",
    "read_table",
    "recommendations_import",
]

IMPORT = "recommendations.import_recommendations"
LIMITS = {
    "source_title": 300,
    "source_round": 40,
    "source_url": 500,
    "reference": 40,
    "text": 4000,
    "repeats": 400,
}
BODY_ALIASES = {"ustip": "us_tip", "us_tip_report": "us_tip", "tip": "us_tip"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ImportResult:
    created: int = 0
    sources_created: int = 0
    links_created: int = 0
    participants: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


@dataclass
class _Planned:
    row: int
    participant: Participant
    source_key: tuple[str, str, str]
    source_extra: dict
    values: dict
    repeats: list[tuple[str, int, str]]
    key: tuple[int, str, int, str] = ()
    obj: Recommendation | None = None


def _bad_text(value: str) -> str | None:
    if CONTROL.search(value):
        return _("The cell holds control characters.")
    if value[:1] in ("=", "+", "@") or (value[:1] == "-" and value[1:2] not in ("", " ")):
        return _("The cell starts like a spreadsheet formula; write it as plain text.")
    return None


def _body(value: str) -> str | None:
    code = re.sub(r"[\s\-]+", "_", value.strip().lower())
    code = BODY_ALIASES.get(code, code)
    return code if code in Body.values else None


def _parse_key(text: str) -> tuple[str, int, str] | None:
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[1].strip().isdigit() or not parts[2].strip():
        return None
    body = _body(parts[0])
    if body is None:
        return None
    return body, int(parts[1]), parts[2].strip()


class _Checker:
    """Checks rows one by one, collecting every problem."""

    def __init__(self, actor, participant: Participant | None):
        from veza.recommendations.selectors import national_participants

        self.actor = actor
        self.fixed = participant
        self.national = {
            p.code: p for p in Participant.objects.filter(kind=ParticipantKind.NATIONAL)
        }
        self.allowed = None if isinstance(actor, str) else set(national_participants(actor, IMPORT))
        self.topics = set(topic_codes())
        self.latest_year = timezone.localdate().year + 1
        self.problems: list[RowProblem] = []
        self.seen: dict[tuple, int] = {}

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row, column, message))

    def participant(self, row: int, code: str) -> Participant | None:
        code = code.upper()
        if self.fixed is not None:
            if code and code != self.fixed.code:
                self.add(
                    row,
                    "participant",
                    _("%(code)s is not the participant chosen for this import (%(chosen)s).")
                    % {"code": code, "chosen": self.fixed.code},
                )
                return None
            return self.fixed
        if not code:
            self.add(row, "participant", _("Give the participant's code."))
            return None
        participant = self.national.get(code)
        if participant is None:
            self.add(row, "participant", _("Unknown participant code."))
        elif self.allowed is not None and participant.pk not in self.allowed:
            self.add(row, "participant", _("You may not import for this participant."))
            return None
        return participant

    def row(self, number: int, cells: dict[str, str]) -> _Planned | None:
        before = len(self.problems)
        for column, value in cells.items():
            if value:
                problem = _bad_text(value)
                if problem:
                    self.add(number, column, problem)
            limit = LIMITS.get(column)
            if limit and len(value) > limit:
                self.add(number, column, _("At most %(limit)s characters.") % {"limit": limit})
        for column in COLUMNS:
            if column.required and not cells.get(column.name):
                self.add(number, column.name, _("This cell is required."))
        if len(self.problems) > before:
            return None
        participant = self.participant(number, cells.get("participant", ""))
        body = _body(cells["body"])
        if body is None:
            self.add(number, "body", _("Unknown body; use one of the codes of the template."))
        year = int(cells["year"]) if cells["year"].isdigit() else None
        if year is None or not FIRST_YEAR <= year <= self.latest_year:
            self.add(
                number,
                "year",
                _("A year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": self.latest_year},
            )
        theme = cells["theme"].lower()
        if theme not in Theme.values:
            self.add(number, "theme", _("Use prevention, protection, prosecution or partnership."))
        topics = [
            t.strip().lower() for t in re.split(r"[;,]", cells.get("topics", "")) if t.strip()
        ]
        unknown = [t for t in topics if t not in self.topics]
        if unknown:
            self.add(
                number, "topics", _("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}
            )
        priority = (cells.get("priority") or Priority.OTHER).lower()
        if priority not in Priority.values:
            self.add(number, "priority", _("Unknown priority; use a code of the template."))
        wording = (cells.get("wording") or Wording.OWN_WORDS).lower()
        if wording not in Wording.values:
            self.add(number, "wording", _("Use own_words or published."))
        demo = (cells.get("demo") or "").lower()
        if demo not in ("", "yes", "no", "true", "false", "1", "0"):
            self.add(number, "demo", _("Use yes or leave it empty."))
        published = None
        if cells.get("source_date"):
            try:
                published = datetime.date.fromisoformat(cells["source_date"])
            except ValueError:
                self.add(number, "source_date", _("A date as YYYY-MM-DD."))
        url = cells.get("source_url", "")
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except DjangoValidationError:
                self.add(number, "source_url", _("A web address starting with https://."))
        repeats = []
        for part in (cells.get("repeats") or "").split(";"):
            if not part.strip():
                continue
            key = _parse_key(part)
            if key is None:
                self.add(number, "repeats", _("Write body:year:reference, e.g. greta:2019:112."))
            else:
                repeats.append(key)
        if len(self.problems) > before or participant is None:
            return None
        source_key = (body, cells["source_title"], cells.get("source_round") or str(year))
        reference = cells["reference"]
        duplicate = (participant.pk, source_key, reference)
        if duplicate in self.seen:
            self.add(
                number,
                "reference",
                _("The same recommendation as row %(row)s.") % {"row": self.seen[duplicate]},
            )
            return None
        self.seen[duplicate] = number
        if Recommendation.objects.filter(
            participant=participant,
            source__body=body,
            source__title=source_key[1],
            source__round_or_year=source_key[2],
            reference=reference,
        ).exists():
            self.add(number, "reference", _("This recommendation is in Veza already."))
            return None
        return _Planned(
            row=number,
            participant=participant,
            source_key=source_key,
            source_extra={"published": published, "url": url},
            values={
                "reference": reference,
                "year": year,
                "text": cells["text"],
                "theme": theme,
                "topics": list(dict.fromkeys(topics)),
                "priority": priority,
                "wording": wording,
                "is_demo": demo in ("yes", "true", "1"),
            },
            repeats=repeats,
            key=(participant.pk, body, year, reference),
        )

    def resolve_repeats(self, planned: list[_Planned]) -> list[tuple[_Planned, object]]:
        """(row, earlier) pairs; `earlier` is a planned row or a recommendation in Veza."""
        in_file = {p.key: p for p in planned}
        pairs = []
        for item in planned:
            for body, year, reference in item.repeats:
                target = in_file.get((item.participant.pk, body, year, reference))
                if target is None:
                    found = list(
                        Recommendation.objects.filter(
                            participant=item.participant,
                            source__body=body,
                            year=year,
                            reference=reference,
                        )[:2]
                    )
                    if len(found) > 1:
                        self.add(
                            item.row,
                            "repeats",
                            _("%(key)s names more than one recommendation.")
                            % {"key": f"{body}:{year}:{reference}"},
                        )
                        continue
                    target = found[0] if found else None
                if target is None:
                    self.add(
                        item.row,
                        "repeats",
                        _("%(key)s: no such recommendation to this participant.")
                        % {"key": f"{body}:{year}:{reference}"},
                    )
                elif target is item:
                    self.add(item.row, "repeats", _("A recommendation cannot repeat itself."))
                else:
                    earlier_year = (
                        target.values["year"] if isinstance(target, _Planned) else target.year
                    )
                    if earlier_year > item.values["year"]:
                        self.add(
                            item.row,
                            "repeats",
                            _("%(key)s is later than this recommendation.")
                            % {"key": f"{body}:{year}:{reference}"},
                        )
                    else:
                        pairs.append((item, target))
        return pairs


def recommendations_import(
    *, actor, file_name: str, raw: bytes, participant: Participant | None = None, progress=None
) -> ImportResult:
    """Check every row, then write all of them (sources, recommendations, repeat links) in one
    transaction, or nothing. `participant` (the page's choice or --participant) fills empty
    participant cells and refuses rows of another participant."""
    require_perm_or_operator(actor, IMPORT)
    if participant is not None:
        from veza.recommendations.services import require_for

        require_for(actor, IMPORT, participant.pk)
    rows = read_table(file_name, raw)
    checker = _Checker(actor, participant)
    planned = []
    for index, (number, cells) in enumerate(rows, start=1):
        item = checker.row(number, cells)
        if item is not None:
            planned.append(item)
        if progress and (index % 50 == 0 or index == len(rows)):
            progress(index, len(rows), _("rows checked"))
    pairs = checker.resolve_repeats(planned)
    if checker.problems:
        raise ImportRejected(sorted(checker.problems, key=lambda p: (p.row or 0, p.column)))
    try:
        return _write(actor, planned, pairs, raw, file_name, progress)
    except IntegrityError as exc:
        # Someone saved the same recommendation or source between the check and the write:
        # the transaction rolled back, nothing is half-written.
        raise ConflictError(
            _(
                "Someone saved some of these recommendations meanwhile. Nothing was imported; "
                "try again."
            )
        ) from exc


@transaction.atomic
def _write(actor, planned, pairs, raw, file_name, progress) -> ImportResult:
    result = ImportResult()
    sources: dict[tuple, Source] = {}
    user = None if isinstance(actor, str) else actor
    for index, item in enumerate(planned, start=1):
        source = sources.get(item.source_key)
        if source is None:
            body, title, round_or_year = item.source_key
            source = Source.objects.filter(
                body=body, title=title, round_or_year=round_or_year
            ).first()
            if source is None:
                source = Source.objects.create(
                    body=body,
                    title=title,
                    round_or_year=round_or_year,
                    is_demo=item.values["is_demo"],
                    **item.source_extra,
                )
                result.sources_created += 1
                audit_log(
                    "recommendation.source_add",
                    actor=actor,
                    obj=source,
                    detail={"body": body, "round": round_or_year, "import": True},
                )
            sources[item.source_key] = source
        item.obj = Recommendation.objects.create(
            participant=item.participant, source=source, created_by=user, **item.values
        )
        result.ids.append(item.obj.pk)
        if progress and (index % 50 == 0 or index == len(planned)):
            progress(index, len(planned), _("rows written"))
    made = set()
    for item, target in pairs:
        earlier = target.obj if isinstance(target, _Planned) else target
        if (item.obj.pk, earlier.pk) in made:
            continue
        made.add((item.obj.pk, earlier.pk))
        RecommendationLink.objects.create(
            recommendation=item.obj, earlier=earlier, kind=LinkKind.REPEATS
        )
    result.created = len(planned)
    result.links_created = len(made)
    result.participants = sorted({item.participant.code for item in planned})
    audit_log(
        "recommendation.import",
        actor=actor,
        detail={
            "file": file_name[-100:],
            "sha256": hashlib.sha256(raw).hexdigest(),
            "created": result.created,
            "sources_created": result.sources_created,
            "links": result.links_created,
            "participants": result.participants,
            "ids": result.ids,
        },
    )
    return result

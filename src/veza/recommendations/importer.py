"""Import of recommendations from a CSV or XLSX file, all or nothing.

Every row is checked before anything is written; if any row is wrong nothing is written and the
person gets every problem with its row number and column (`ImportRejected.rows`). The file's
type is checked against its content, its size and row count are capped, formulas and control
characters are refused, and CSV must be UTF-8 (with or without a byte-order mark). The columns
are documented in `import_template.py` and docs/recommendations.md.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.core.scoping import require_perm_or_operator
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.recommendations.choices import Body, LinkKind, Priority, Theme, Wording
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
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
#: A workbook may not unpack to more than this (a small file can hide a huge sheet).
MAX_UNPACKED = 40 * 1024 * 1024
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


@dataclass(frozen=True)
class RowProblem:
    #: Row number as a spreadsheet shows it (the header is row 1); None: the file as a whole.
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        return f"{where}, {self.column or '—'}: {self.message}"


class ImportRejected(ValidationError):
    """The file was refused; `rows` lists every problem found."""

    def __init__(self, problems: list[RowProblem]):
        self.rows = problems
        shown = [str(p) for p in problems[:100]]
        if len(problems) > 100:
            shown.append(_("…and %(count)s more.") % {"count": len(problems) - 100})
        super().__init__(
            _("Nothing was imported: the file has %(count)s problem(s).")
            % {"count": len(problems)},
            fields={"file": shown},
        )

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["rows"] = [
            {"row": p.row, "column": p.column, "problem": p.message} for p in self.rows[:500]
        ]
        return body


@dataclass
class ImportResult:
    created: int = 0
    sources_created: int = 0
    links_created: int = 0
    participants: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


def _refuse(message: str, row: int | None = None, column: str = ""):
    raise ImportRejected([RowProblem(row, column, message)])


def _cell(value) -> str:
    """A spreadsheet cell as text; a formula (or anything that is not a plain value) becomes a
    formula marker so that the row is refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (int, str)):
        return str(value)
    return "=formula"


def _xlsx_rows(raw: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(m.file_size for m in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        _refuse(_("The file is not a readable XLSX workbook."))
    if unpacked > MAX_UNPACKED:
        _refuse(_("The workbook is too large once unpacked."))
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        names = {n.lower(): n for n in book.sheetnames}
        sheet = book[names.get("recommendations", book.sheetnames[0])]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values or ()])
            if len(rows) > MAX_ROWS + 1:
                break
        book.close()
    except Exception:  # openpyxl raises many kinds of error on a damaged workbook
        _refuse(_("The file is not a readable XLSX workbook."))
    return rows


def _csv_rows(raw: bytes) -> list[list[str]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(_("The file is in UTF-16: save it as CSV in UTF-8."))
    if raw.startswith(b"PK\x03\x04"):
        _refuse(_("The file is a workbook, not CSV text: name it .xlsx."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        _refuse(_("The file is not in UTF-8 (line %(line)s).") % {"line": line})
    if "\x00" in text:
        _refuse(_("The file holds binary data, not text."))
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    rows = []
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise ImportRejected(
            [
                RowProblem(
                    len(rows) + 1,
                    "",
                    _("The line cannot be read as CSV: check the quotes and separators."),
                )
            ]
        ) from exc
    return rows


def read_table(file_name: str, raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-empty row; file-level problems refuse."""
    name = (file_name or "").lower()
    if len(raw) > MAX_BYTES:
        _refuse(_("The file is larger than 2 MB."))
    if not raw.strip():
        _refuse(_("The file is empty."))
    if name.endswith(".xlsx"):
        if not raw.startswith(b"PK\x03\x04"):
            _refuse(_("The file is named .xlsx but is not a workbook."))
        table = _xlsx_rows(raw)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(raw)
    else:
        _refuse(_("Upload a .csv or .xlsx file."))
    if not table:
        _refuse(_("The file is empty."))
    header = [unicodedata.normalize("NFC", h).strip().strip("\ufeff").lower() for h in table[0]]
    known = {c.name for c in COLUMNS}
    problems = []
    for column in header:
        if column and column not in known:
            problems.append(RowProblem(1, column, _("Unknown column.")))
    seen = set()
    for column in header:
        if column and column in seen:
            problems.append(RowProblem(1, column, _("The column appears twice.")))
        seen.add(column)
    for column in COLUMNS:
        if column.required and column.name not in header:
            problems.append(RowProblem(1, column.name, _("The column is missing.")))
    if problems:
        raise ImportRejected(problems)
    if len(table) > MAX_ROWS + 1:
        _refuse(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = [unicodedata.normalize("NFC", str(v)).strip() for v in values]
        if not any(cells):
            continue
        extra = cells[len(header) :]
        if any(extra):
            problems.append(RowProblem(number, "", _("More cells than there are columns.")))
        rows.append((number, {h: v for h, v in zip(header, cells, strict=False) if h}))
    if problems:
        raise ImportRejected(problems)
    if not rows:
        _refuse(_("The file has a header but no recommendation."))
    return rows


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
    return _write(actor, planned, pairs, raw, file_name, progress)


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

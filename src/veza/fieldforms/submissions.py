"""Reading the submissions that ODK Central or KoboToolbox export, without Django's models.

Formats read (docs/offline-forms.md says which versions were followed):

- ODK Central: the CSV export (`submissions.csv`, groups joined with "-", e.g. `s_visit-age`,
  `meta-instanceID`, `KEY`, `SubmissionDate`) and the OData JSON feed (`{"value": [...]}`,
  groups as nested objects, `__id`, `__system`);
- KoboToolbox: the CSV export with XML values and headers (groups joined with "/", comma or
  semicolon separated, `_uuid`, `_submission_time`; select-multiple answers may also be split
  into one column per choice) and the JSON of API v2 (`{"results": [...]}`, keys such as
  `s_visit/age`, `meta/instanceID`, `_uuid`).

Every submission becomes a `Submission`: its row (the spreadsheet row, header = 1, or the
record's position in JSON), its instance id (`uuid:…`) and its fields by XLSForm name (the last
part of a group path). File-level problems refuse the whole file (`ImportRejected`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from veza.core.imports import ImportRejected, RowProblem, csv_rows, refuse

__all__ = ["MAX_BYTES", "MAX_SUBMISSIONS", "Submission", "SubmissionFile", "read_submissions"]

MAX_BYTES = 10 * 1024 * 1024
MAX_SUBMISSIONS = 5000
SEPARATORS = re.compile(r"[/\-]")


@dataclass(frozen=True)
class Submission:
    row: int
    instance_id: str
    fields: Mapping[str, object]
    submitted_at: str = ""


@dataclass
class SubmissionFile:
    tool: str  # odk_central, kobotoolbox, or xlsform when the file does not say
    format: str  # csv or json
    submissions: list[Submission] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)


def _name(path: str, multi: set[str]) -> str | None:
    """The XLSForm name a column or key stands for; None for a split select-multiple column
    (`s_visit/exploitation/labour`), which repeats what the joined column says."""
    parts = [p for p in SEPARATORS.split(path.strip()) if p]
    if not parts:
        return None
    if len(parts) >= 2 and parts[-2] in multi:
        return None
    return parts[-1]


def _instance_id(fields: Mapping[str, object]) -> str:
    for key in ("instanceID", "__id", "KEY"):
        value = str(fields.get(key) or "").strip()
        if value:
            return value.split("/", 1)[0]  # a KEY of a repeat is "uuid:…/group[1]"
    uuid = str(fields.get("_uuid") or "").strip()
    return f"uuid:{uuid}" if uuid else ""


def _tool(columns: Iterable[str]) -> str:
    names = set(columns)
    if names & {"KEY", "SubmissionDate", "__id", "__system", "SubmitterID"}:
        return "odk_central"
    if names & {"_uuid", "_submission_time", "_id", "_xform_id_string"}:
        return "kobotoolbox"
    return "xlsform"


def _flatten(record: Mapping, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in record.items():
        path = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def _submitted(fields: Mapping[str, object]) -> str:
    for key in ("end", "SubmissionDate", "_submission_time"):
        if fields.get(key):
            return str(fields[key])
    return ""


def _from_records(records: list[tuple[int, dict[str, object]]], multi: set[str], kind: str):
    result = SubmissionFile(tool="xlsform", format=kind)
    tools = set()
    for row, raw in records:
        fields: dict[str, object] = {}
        for path, value in raw.items():
            if path == "__system":
                continue
            name = _name(path, multi)
            if name is None:
                continue
            if name not in fields or fields[name] in ("", None):
                fields[name] = value
        tools.add(_tool(raw))
        result.columns.update(fields)
        result.submissions.append(Submission(row, _instance_id(fields), fields, _submitted(fields)))
    known = tools - {"xlsform"}
    result.tool = known.pop() if len(known) == 1 else "xlsform"
    return result


def read_submissions(file_name: str, raw: bytes, *, multi: Iterable[str] = ()) -> SubmissionFile:
    """The submissions of an exported file. `multi` names the select-multiple questions (their
    split columns are skipped). Refuses a file that is too large, not UTF-8, not CSV or JSON."""
    multi = set(multi)
    name = (file_name or "").lower()
    if len(raw) > MAX_BYTES:
        refuse(_("The file is larger than 10 MB."))
    if not raw.strip():
        refuse(_("The file is empty."))
    if name.endswith(".json"):
        records = _json_records(raw)
        kind = "json"
    elif name.endswith((".csv", ".txt")):
        records = _csv_records(raw)
        kind = "csv"
    else:
        refuse(_("Upload the CSV or JSON export of ODK Central or KoboToolbox."))
    if not records:
        refuse(_("The file holds no submission."))
    if len(records) > MAX_SUBMISSIONS:
        refuse(
            _("The file has more than %(max)s submissions: export it in parts.")
            % {"max": MAX_SUBMISSIONS}
        )
    return _from_records(records, multi, kind)


def _json_records(raw: bytes) -> list[tuple[int, dict[str, object]]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        refuse(_("The file is not in UTF-8."))
    except (ValueError, RecursionError):
        refuse(_("The file is not valid JSON."))
    if isinstance(data, Mapping):
        data = data.get("value", data.get("results"))
    if not isinstance(data, list):
        refuse(_('The JSON holds no list of submissions ("value" or "results").'))
    records = []
    problems = []
    for number, record in enumerate(data[: MAX_SUBMISSIONS + 1], start=1):
        if not isinstance(record, Mapping):
            problems.append(RowProblem(number, "", _("A submission must be a JSON object.")))
            continue
        try:
            records.append((number, _flatten(record)))
        except RecursionError:
            problems.append(RowProblem(number, "", _("The submission is nested too deeply.")))
    if problems:
        raise ImportRejected(problems)
    return records


def _csv_records(raw: bytes) -> list[tuple[int, dict[str, object]]]:
    table = csv_rows(raw, max_rows=MAX_SUBMISSIONS)
    if not table:
        return []
    header = [h.strip().lstrip("\ufeff") for h in table[0]]
    records = []
    problems = []
    for number, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            problems.append(RowProblem(number, "", _("More cells than there are columns.")))
            continue
        records.append((number, {h: v for h, v in zip(header, values, strict=False) if h}))
    if problems:
        raise ImportRejected(problems)
    return records

"""Submissions written the way ODK Central and KoboToolbox export them, for the import tests.

The layout follows each tool's exports (ODK Central v2024.x: `submissions.csv` with groups joined
by "-" and its system columns, the OData JSON with groups as nested objects; KoboToolbox (KPI
2.024.x): CSV "XML values and headers" with ";" separators, groups joined by "/" and each
select-multiple also split into one 0/1 column per choice, and API v2 JSON `results`). The form's
field paths are read from the exported XLSForm itself, so the test also checks that the export
and the import agree.
"""

from __future__ import annotations

import csv
import io
import json
import uuid

from openpyxl import load_workbook

from veza.indicators.questionnaire import EXPLOITATION_CHOICES

ODK_SYSTEM = [
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
KOBO_SYSTEM = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]


def form_fields(xlsx: bytes) -> tuple[list[tuple[list[str], str, str]], dict[str, str]]:
    """([(group path, name, type)] of every field that holds data, {hidden name: value})."""
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True)["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    groups: list[str] = []
    fields = []
    hidden = {}
    for values in rows[1:]:
        row = dict(zip(header, values, strict=False))
        kind, name = row["type"] or "", row["name"] or ""
        if kind == "begin_group":
            groups.append(name)
        elif kind == "end_group":
            groups.pop()
        elif kind == "note":
            continue
        else:
            fields.append((list(groups), name, kind))
            if kind == "calculate":
                hidden[name] = row["calculation"].strip("'")
    return fields, hidden


def multi_choices(questionnaire) -> dict[str, list[str]]:
    """The choices of each select-multiple question (KoboToolbox splits them into columns)."""
    return {
        q.id: [o.value for o in q.options] if q.type == "multi" else list(EXPLOITATION_CHOICES)
        for q in questionnaire.questions.values()
        if q.type in ("multi", "exploitation")
    }


def _text(value) -> str:
    if isinstance(value, list):
        return " ".join(value)
    return "" if value is None else str(value)


def _records(xlsx: bytes, submissions: list[dict], first: int = 0):
    fields, hidden = form_fields(xlsx)
    for number, values in enumerate(submissions):
        instance = f"uuid:{uuid.UUID(int=first + number + 1 + 10**6 * len(fields))}"
        start = f"2026-11-20T09:{number % 60:02d}:00.000+01:00"
        end = f"2026-11-20T10:{number % 60:02d}:00.000+01:00"
        row = {**hidden, "start": start, "end": end, **values}
        yield number, instance, end, fields, row


def odk_central_csv(xlsx: bytes, submissions: list[dict], *, first: int = 0) -> bytes:
    header = None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _number, instance, end, fields, row in _records(xlsx, submissions, first):
        columns = ["SubmissionDate"] + ["-".join([*g, n]) for g, n, _k in fields]
        if header is None:
            header = [*columns, "meta-instanceID", *ODK_SYSTEM]
            writer.writerow(header)
        cells = [end.replace("+01:00", "Z")]
        cells += [_text(row.get(n)) for _g, n, _k in fields]
        cells += [instance, instance, "5", "field.user", "0", "0", "", "", "", "0", "1"]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def odk_central_json(xlsx: bytes, submissions: list[dict]) -> bytes:
    value = []
    for _number, instance, end, fields, row in _records(xlsx, submissions):
        record: dict = {"__id": instance}
        for groups, name, kind in fields:
            if row.get(name) in (None, ""):
                continue
            target = record
            for group in groups:
                target = target.setdefault(group, {})
            answer = row[name]
            target[name] = int(answer) if kind == "integer" else _text(answer)
        record["meta"] = {"instanceID": instance}
        record["__system"] = {"submissionDate": end, "submitterId": "5", "reviewState": None}
        value.append(record)
    return json.dumps(
        {"@odata.context": "https://central.example/v1/$metadata", "value": value}
    ).encode()


def kobo_csv(xlsx: bytes, submissions: list[dict], *, multi: dict[str, list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    header = None
    for number, instance, end, fields, row in _records(xlsx, submissions):
        columns, cells = [], []
        for groups, name, kind in fields:
            path = "/".join([*groups, name])
            columns.append(path)
            cells.append(_text(row.get(name)))
            if kind.startswith("select_multiple") and name in multi:
                for choice in sorted(multi[name]):
                    columns.append(f"{path}/{choice}")
                    chosen = row.get(name) or []
                    cells.append("1" if choice in chosen else ("0" if chosen else ""))
        if header is None:
            header = [*columns, "meta/instanceID", *KOBO_SYSTEM]
            writer.writerow(header)
        uid = instance.removeprefix("uuid:")
        cells += [
            instance,
            str(1000 + number),
            uid,
            end,
            "",
            "",
            "submitted_via_web",
            "",
            "",
            "",
        ]
        cells.append(str(number + 1))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def kobo_json(xlsx: bytes, submissions: list[dict]) -> bytes:
    results = []
    for number, instance, end, fields, row in _records(xlsx, submissions):
        record: dict = {"_id": 1000 + number}
        for groups, name, _kind in fields:
            if row.get(name) not in (None, ""):
                record["/".join([*groups, name])] = _text(row[name])
        record.update(
            {
                "meta/instanceID": instance,
                "formhub/uuid": "5f0c1d",
                "_uuid": instance.removeprefix("uuid:"),
                "_submission_time": end[:19],
                "_status": "submitted_via_web",
            }
        )
        results.append(record)
    return json.dumps(
        {"count": len(results), "next": None, "previous": None, "results": results}
    ).encode()

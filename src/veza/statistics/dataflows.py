"""Any aggregate dataflow of the regional exchange (irregular arrivals, asylum applications,
returns, interpreters' languages, …): its definition read from an SDMX-ML 2.1 structure, a
participant's table read from CSV, XLSX or SDMX-CSV and checked against it, and the protected,
signed release built from it — the same files, audit and signature as a trafficking release.

No Django model is used here: the callers (services, commands) store what this module returns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from veza.statistics.disclosure import TOTAL, Table, protect
from veza.statistics.release import write_manifest, write_table
from veza.statistics.structure import structure_xml

__all__ = [
    "DataflowError",
    "Definition",
    "build_dataflow_release",
    "read_definitions",
    "read_table",
]

#: Dimensions that every table has and that the participant and the period fill in.
FIXED = {"REF_AREA", "TIME_PERIOD", "FREQ"}
MAX_ROWS = 200_000
MONTH = re.compile(r"^(\d{4})-M?(0[1-9]|1[0-2])$")


class DataflowError(ValueError):
    """A structure or a table that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Definition:
    code: str
    name: str
    version: str
    measure: str
    dimensions: list[str]
    codes: dict[str, list[str]]
    code_names: dict[str, dict[str, str]] = field(default_factory=dict)
    dimension_names: dict[str, str] = field(default_factory=dict)


def _text(value) -> str:
    """An SDMX international string in English, else in whatever language it has."""
    localizations = getattr(value, "localizations", None) or {}
    return str(localizations.get("en") or next(iter(localizations.values()), "") or "")


def read_definitions(data: bytes) -> list[Definition]:
    """One definition per dataflow (or per data structure, when the file declares no dataflow)
    of an SDMX-ML 2.1 structure message. Every dimension other than REF_AREA, TIME_PERIOD and
    FREQ must be coded by a code list that the file itself holds."""
    import sdmx

    try:
        message = sdmx.read_sdmx(io.BytesIO(data))
    except Exception as exc:  # the reader raises many kinds of error on a malformed file
        raise DataflowError([_("The file is not a readable SDMX-ML structure.")]) from exc
    structures = getattr(message, "structure", None)
    if not structures:
        raise DataflowError([_("The file declares no data structure.")])
    flows = list(getattr(message, "dataflow", {}).values()) or []
    pairs = [(flow, flow.structure) for flow in flows if flow.structure is not None]
    if not pairs:
        pairs = [(dsd, dsd) for dsd in structures.values()]
    problems, definitions = [], []
    for named, dsd in pairs:
        # A dataflow may refer to its structure by reference only: use the full one.
        dsd = structures.get(dsd.id, dsd)
        code = re.sub(r"^(DF|DSD)_", "", named.id)
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,29}", code):
            problems.append(
                _("%(id)s: an identifier has 1 to 30 capital letters, digits or _.")
                % {"id": named.id}
            )
            continue
        dimensions, codes, names, dim_names = [], {}, {}, {}
        for dim in dsd.dimensions.components:
            if dim.id in FIXED:
                continue
            enumerated = getattr(getattr(dim, "local_representation", None), "enumerated", None)
            if enumerated is None and getattr(dim, "concept_identity", None) is not None:
                core = getattr(dim.concept_identity, "core_representation", None)
                enumerated = getattr(core, "enumerated", None)
            listed = [c for c in (enumerated or []) if c.id != TOTAL]
            if not listed:
                problems.append(
                    _("%(flow)s: the dimension %(dim)s has no code list in the file.")
                    % {"flow": code, "dim": dim.id}
                )
                continue
            dimensions.append(dim.id)
            codes[dim.id] = [c.id for c in listed]
            names[dim.id] = {c.id: _text(c.name) or c.id for c in listed}
            concept = getattr(dim, "concept_identity", None)
            dim_names[dim.id] = _text(getattr(concept, "name", None)) or dim.id
        if not dimensions:
            problems.append(_("%(flow)s: no coded dimension.") % {"flow": code})
            continue
        measures = list(dsd.measures.components)
        definitions.append(
            Definition(
                code=code,
                name=_text(named.name) or code,
                version=str(getattr(named, "version", "") or "1.0"),
                measure=(_text(measures[0].concept_identity.name) if measures else "")
                or "OBS_VALUE",
                dimensions=dimensions,
                codes=codes,
                code_names=names,
                dimension_names=dim_names,
            )
        )
    if problems:
        raise DataflowError(problems)
    return definitions


def _rows(file_name: str, raw: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded table as text, header names upper-cased."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of error on a bad workbook
            raise DataflowError([_("The file is not a readable XLSX workbook.")]) from exc
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip().upper() for h in next(values, [])]
        rows = []
        for line in values:
            if line is None or all(v in (None, "") for v in line):
                continue
            rows.append(
                {
                    h: ("" if v is None else str(int(v)) if isinstance(v, float) else str(v))
                    for h, v in zip(header, line, strict=False)
                    if h
                }
            )
        return rows
    if not file_name.lower().endswith(".csv"):
        raise DataflowError([_("Upload a .csv or .xlsx file.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataflowError([_("The CSV file is not in UTF-8.")]) from exc
    dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    header = [h.strip().upper() for h in next(reader, [])]
    return [
        {h: v.strip() for h, v in zip(header, line, strict=False) if h}
        for line in reader
        if any(v.strip() for v in line)
    ]


def _period(value: str, year: int, frequency: str) -> str | None:
    value = value.strip()
    if frequency == "M":
        match = MONTH.match(value)
        if match and int(match.group(1)) == year:
            return f"{match.group(1)}-{match.group(2)}"
        return None
    return value if value == str(year) else None


def read_table(
    definition: Definition,
    *,
    frequency: str,
    participant: str,
    year: int,
    file_name: str,
    raw: bytes,
) -> dict[str, dict[tuple[str, ...], int]]:
    """A participant's table for a year, checked against the dataflow: one count per
    combination of codes and period. CSV, XLSX or SDMX-CSV (the SDMX columns STRUCTURE,
    STRUCTURE_ID and ACTION are allowed and ignored). Rows with a total (`_T`) are allowed and
    must equal the sum of their rows; missing combinations count 0. Every problem is reported
    with its row; nothing is returned unless the whole file is right."""
    rows = _rows(file_name, raw)
    if not rows:
        raise DataflowError([_("The file holds no row.")])
    if len(rows) > MAX_ROWS:
        raise DataflowError([_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}])
    header = set(rows[0])
    needed = [*definition.dimensions, "OBS_VALUE"]
    if frequency == "M":
        needed.append("TIME_PERIOD")
    missing = [c for c in needed if c not in header]
    if missing:
        raise DataflowError([_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}])
    problems: list[str] = []
    interior: dict[str, dict[tuple[str, ...], int]] = {}
    totals: list[tuple[int, str, tuple[str, ...], int]] = []
    seen: dict[tuple, int] = {}
    allowed = {d: set(definition.codes[d]) for d in definition.dimensions}
    for number, row in enumerate(rows, start=2):
        where = _("row %(number)s") % {"number": number}
        area = row.get("REF_AREA", "").strip()
        if area and area.upper() != participant:
            problems.append(
                _("%(where)s: REF_AREA %(area)s is not %(participant)s.")
                % {"where": where, "area": area, "participant": participant}
            )
            continue
        period = _period(row.get("TIME_PERIOD") or str(year), year, frequency)
        if period is None:
            problems.append(
                _("%(where)s: the period %(period)s is not in %(year)s.")
                % {"where": where, "period": row.get("TIME_PERIOD", ""), "year": year}
            )
            continue
        key = tuple(row.get(d, "").strip() for d in definition.dimensions)
        wrong = [
            (d, c)
            for d, c in zip(definition.dimensions, key, strict=True)
            if c != TOTAL and c not in allowed[d]
        ]
        if wrong:
            problems.extend(
                _("%(where)s: %(code)s is not a code of %(dim)s.")
                % {"where": where, "code": c or "…", "dim": d}
                for d, c in wrong
            )
            continue
        raw_value = row.get("OBS_VALUE", "").strip()
        if not raw_value.isdigit():
            problems.append(
                _("%(where)s: the value must be a whole number of 0 or more (not “%(value)s”).")
                % {"where": where, "value": raw_value[:20]}
            )
            continue
        if (period, key) in seen:
            problems.append(
                _("%(where)s repeats row %(first)s.") % {"where": where, "first": seen[period, key]}
            )
            continue
        seen[period, key] = number
        if TOTAL in key:
            totals.append((number, period, key, int(raw_value)))
        else:
            interior.setdefault(period, {})[key] = int(raw_value)
    for number, period, key, value in totals:
        computed = sum(
            v
            for k, v in interior.get(period, {}).items()
            if all(t in (TOTAL, c) for t, c in zip(key, k, strict=True))
        )
        if computed != value:
            problems.append(
                _("row %(number)s: the total %(value)s is not the sum of its rows (%(sum)s).")
                % {"number": number, "value": value, "sum": computed}
            )
    if problems:
        raise DataflowError(problems[:50] + ([_("…and more.")] if len(problems) > 50 else []))
    if not interior:
        raise DataflowError([_("The file holds totals only; send the detailed rows.")])
    return interior


def build_dataflow_release(
    definition: Definition,
    *,
    frequency: str,
    participant: str,
    year: int,
    counts: Mapping[str, Mapping[tuple[str, ...], int]],
    out: Path,
    threshold: int = 5,
) -> dict:
    """Protect each period's table (primary and secondary suppression) and write the same
    files as a trafficking release: `CODE.csv` (SDMX-CSV 2.0, every period), `structure.xml`
    and the signed manifest. Returns the manifest."""
    dims = definition.dimensions
    # The codes the participant used (in the dataflow's order), the same for every period so
    # that every period is the full table.
    used = {
        d: [c for c in definition.codes[d] if any(k[i] == c for p in counts.values() for k in p)]
        for i, d in enumerate(dims)
    }
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    primary = secondary = cells = 0
    for period in sorted(counts):
        table = Table.from_records(dims, used, counts[period])
        protected = protect(table, threshold=threshold)
        primary += len(protected.primary)
        secondary += len(protected.secondary)
        cells += len(table.cells)
        rows.extend((period, key, value) for key, value in sorted(protected.published().items()))
    name = f"{definition.code}.csv"
    flow = f"{definition.code}({definition.version})"
    files = {name: write_table(out / name, flow, participant, dims, rows)}
    tables = [
        {
            "id": definition.code,
            "title": definition.name,
            "dimensions": dims,
            "periods": sorted(counts),
            "cells": cells,
            "withheld_primary": primary,
            "withheld_secondary": secondary,
        }
    ]
    structure = structure_xml(
        tables,
        {"REF_AREA": [participant], "CONF_STATUS": ["F", "C"], **used},
        version=definition.version,
    )
    (out / "structure.xml").write_bytes(structure)
    files["structure.xml"] = hashlib.sha256(structure).hexdigest()
    return write_manifest(
        out,
        {
            "participant": participant,
            "year": year,
            "dataflow": definition.code,
            "dataflow_version": definition.version,
            "frequency": frequency,
            "spec": f"dataflow:{definition.code}",
            "spec_version": definition.version,
            "method": "suppression",
            "threshold": threshold,
            "tables": tables,
            "files": files,
        },
    )

"""Reading an import file: the type checked against the content, the size and row count capped,
CSV in UTF-8 (with or without a byte-order mark, comma, semicolon or tab separated) or XLSX
(formulas come out as formulas, so they can be refused). File-level problems refuse the file
with a report (`ImportRejected`); the rows' contents are checked by `importer.py`."""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile

from django.utils.translation import gettext as _

from veza.core.imports import ImportRejected, RowProblem, csv_rows, refuse
from veza.recommendations.import_template import COLUMNS

__all__ = ["MAX_BYTES", "MAX_ROWS", "ImportRejected", "RowProblem", "read_table"]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
#: A workbook may not unpack to more than this (a small file can hide a huge sheet).
MAX_UNPACKED = 40 * 1024 * 1024


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
        refuse(_("The file is not a readable XLSX workbook."))
    if unpacked > MAX_UNPACKED:
        refuse(_("The workbook is too large once unpacked."))
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
        refuse(_("The file is not a readable XLSX workbook."))
    return rows


def read_table(file_name: str, raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-empty row; file-level problems refuse."""
    name = (file_name or "").lower()
    if len(raw) > MAX_BYTES:
        refuse(_("The file is larger than 2 MB."))
    if not raw.strip():
        refuse(_("The file is empty."))
    if name.endswith(".xlsx"):
        if not raw.startswith(b"PK\x03\x04"):
            refuse(_("The file is named .xlsx but is not a workbook."))
        table = _xlsx_rows(raw)
    elif name.endswith((".csv", ".txt")):
        table = csv_rows(raw, max_rows=MAX_ROWS)
    else:
        refuse(_("Upload a .csv or .xlsx file."))
    if not table:
        refuse(_("The file is empty."))
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
        refuse(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
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
        refuse(_("The file has a header but no recommendation."))
    return rows

"""What every importer of files shares: a problem named by row and column, the refusal that
carries every problem (nothing is written), and CSV text read safely (UTF-8 with or without a
byte-order mark; comma, semicolon or tab separated; a row cap)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from veza.core.errors import ValidationError

__all__ = ["ImportRejected", "RowProblem", "csv_rows", "refuse"]


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


def refuse(message: str, row: int | None = None, column: str = ""):
    raise ImportRejected([RowProblem(row, column, message)])


def csv_rows(raw: bytes, *, max_rows: int) -> list[list[str]]:
    """The rows of CSV text; stops reading one row past `max_rows` (the caller refuses)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        refuse(_("The file is in UTF-16: save it as CSV in UTF-8."))
    if raw.startswith(b"PK\x03\x04"):
        refuse(_("The file is a workbook, not CSV text: name it .xlsx."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        refuse(_("The file is not in UTF-8 (line %(line)s).") % {"line": line})
    if "\x00" in text:
        refuse(_("The file holds binary data, not text."))
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    rows = []
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(values)
            if len(rows) > max_rows + 1:
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

"""Fuzzing the GLOTIP import: the small export's workbook with cells, rows and the header broken
in plausible ways, and arbitrary bytes. The answer is an import (bad rows listed as skipped) or a
refusal (ValidationError naming the file's problems) — never another exception — and a refusal
leaves the stored observations as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.factories import xlsx_bytes
from tests.mutations import odd_value
from veza.core.errors import ValidationError
from veza.statistics.hub import glotip_import
from veza.statistics.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures/glotip_small.xlsx"
ROWS = [list(r) for r in load_workbook(FIXTURE).worksheets[0].iter_rows(values_only=True)]
HEADER_AT = 2  # the third row holds the column names
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What a spreadsheet cell can hold (openpyxl refuses lists, dicts and control characters).
CELL = odd_value.filter(lambda v: isinstance(v, (str, int, float, bool)) or v is None).map(
    lambda v: v if not isinstance(v, str) else "".join(c for c in v if c >= " " or c in "\t\n")
)


@st.composite
def broken_rows(draw):
    rows = [list(r) for r in ROWS]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "duplicate", "header"]))
        at = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if kind == "cell":
            column = draw(st.integers(min_value=0, max_value=len(rows[at]) - 1))
            rows[at][column] = draw(CELL)
        elif kind == "drop":
            del rows[at]
        elif kind == "duplicate":
            rows.insert(at, list(rows[at]))
        elif kind == "header" and len(rows) > HEADER_AT:
            column = draw(st.integers(min_value=0, max_value=len(rows[HEADER_AT]) - 1))
            rows[HEADER_AT][column] = draw(st.sampled_from(["", "x", "Year", "Iso3_code"]))
        if not rows:
            break
    return rows


def _state():
    return ImportBatch.objects.count(), sorted(Observation.objects.values_list("pk", flat=True))


def _import(raw: bytes) -> None:
    before = _state()
    try:
        glotip_import(actor="cli:fuzz", file_name="fuzz.xlsx", raw=raw)
    except ValidationError as exc:
        assert exc.fields.get("file") and all(str(p) for p in exc.fields["file"])
        assert _state() == before, "a refused file changed the observations"


@FUZZ
@given(rows=broken_rows())
def test_broken_export_is_imported_or_refused_cleanly(rows):
    try:
        raw = xlsx_bytes(rows)
    except (ValueError, TypeError):  # openpyxl's own refusal of a cell value: nothing to test
        return
    _import(raw)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=500), st.just(b"PK\x03\x04" + b"\x00" * 40)))
def test_arbitrary_bytes_are_refused_cleanly(raw):
    _import(raw)


def test_rows_with_a_wrong_year_or_count_are_skipped_not_a_crash():
    from veza.statistics.glotip import read_glotip

    rows = [list(r) for r in ROWS]
    year, value = rows[HEADER_AT].index("Year"), rows[HEADER_AT].index("txtVALUE")
    rows[3][year], rows[4][year], rows[5][year] = None, " ", 70000
    rows[6][value], rows[7][value] = "1e309", "-3"
    reading = read_glotip(xlsx_bytes(rows))
    assert len(reading.skipped) == 5
    assert {s.split(": ")[1].split(" ")[0] for s in reading.skipped} == {"year", "value"}


def test_a_row_shorter_than_the_header_reads_as_empty_cells():
    from veza.statistics.glotip import read_glotip

    rows = [list(r) for r in ROWS]
    rows[3] = rows[3][:5]  # stops before Year and the value
    reading = read_glotip(xlsx_bytes(rows))
    assert [s.split(":")[0] for s in reading.skipped] == ["row 4"]

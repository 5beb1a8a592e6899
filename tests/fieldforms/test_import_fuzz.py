"""Fuzzing the import of ODK Central and KoboToolbox submissions: the recorded sample exports
(CSV and JSON) broken in plausible ways — values, fields, rows, encodings — and arbitrary bytes.
The answer is an import or a refusal (ImportRejected with its problems, or ValidationError) —
never another exception — and a refusal writes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_organisation
from tests.mutations import ODD_STRINGS, mutated
from veza.core.errors import ValidationError
from veza.core.imports import ImportRejected
from veza.core.models import AuditEntry
from veza.fieldforms.models import SubmissionImport
from veza.fieldforms.services import submissions_import
from veza.screening.models import Screening

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
JSON_SAMPLES = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob("*.json")) if "-" in p.name]
CSV_SAMPLES = [
    list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
    for p in sorted(SAMPLES.glob("*.csv"))
]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def border(db):
    return make_organisation("RS", sector="border_asylum_reception")


def _state():
    return SubmissionImport.objects.count(), Screening.objects.count(), AuditEntry.objects.count()


def _import(organisation, name: str, raw: bytes) -> None:
    before = _state()
    try:
        submissions_import(actor="cli:fuzz", organisation=organisation, file_name=name, raw=raw)
    except ImportRejected as exc:
        assert exc.rows and all(str(p.message) for p in exc.rows)
        assert _state() == before, "a refused file wrote something"
    except ValidationError as exc:
        assert str(exc.message)
        assert _state() == before, "a refused file wrote something"


@st.composite
def broken_table(draw):
    rows = [list(r) for r in draw(st.sampled_from(CSV_SAMPLES))]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["cell", "cell", "drop_row", "drop_column", "duplicate"]))
        if not rows:
            break
        at = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if kind == "cell" and rows[at]:
            column = draw(st.integers(min_value=0, max_value=len(rows[at]) - 1))
            rows[at][column] = draw(st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=20)))
        elif kind == "drop_row":
            del rows[at]
        elif kind == "drop_column" and rows[0]:
            column = draw(st.integers(min_value=0, max_value=len(rows[0]) - 1))
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif kind == "duplicate":
            rows.insert(at, list(rows[at]))
    return rows


def _csv(rows, delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


@FUZZ
@given(data=mutated(JSON_SAMPLES))
def test_broken_json_exports_are_imported_or_refused_cleanly(border, data):
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8", errors="surrogatepass")
    _import(border, "export.json", raw)


@FUZZ
@given(
    rows=broken_table(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1251"]),
)
def test_broken_csv_exports_are_imported_or_refused_cleanly(border, rows, delimiter, encoding):
    text = _csv(rows, delimiter)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", errors="surrogatepass")
    _import(border, "export.csv", raw)


@FUZZ
@given(
    raw=st.binary(max_size=500),
    name=st.sampled_from(["f.csv", "f.json", "f.txt", "f.xlsx", "f"]),
)
def test_arbitrary_bytes_are_refused_cleanly(border, raw, name):
    _import(border, name, raw)

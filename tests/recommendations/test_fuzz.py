"""Fuzzing the importer: whatever the file holds, the answer is an import or a refusal with
reasons (ImportRejected), never another exception, and a refusal writes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.recommendations.test_import import HEADER, counts
from veza.core.errors import ValidationError
from veza.recommendations.importer import ImportRejected, recommendations_import

pytestmark = pytest.mark.django_db

COLUMNS = HEADER.split(",")
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "RS",
            "MK",
            "HUB",
            "greta",
            "us_tip",
            "protection",
            "2023",
            "99999",
            "greta:2023:1",
            "greta::",
            "=1+1",
            "-x",
            "identification;nonsense",
            "\x00",
            "\ufeff",
            '"',
        ]
    ),
    st.text(max_size=40),
)
ROW = st.lists(CELL, min_size=0, max_size=len(COLUMNS) + 2)


def _csv(header, rows, delimiter):
    def quote(cell):
        if any(c in cell for c in (delimiter, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [delimiter.join(quote(c) for c in row) for row in [header, *rows]]
    return "\n".join(lines)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.one_of(st.just(COLUMNS), st.lists(st.sampled_from([*COLUMNS, "x", ""]), max_size=12)),
    rows=st.lists(ROW, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_structured_csv_never_breaks_the_importer(header, rows, delimiter, encoding):
    text = _csv(header, rows, delimiter)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", errors="surrogatepass")
    _run(raw, "fuzz.csv")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=600), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"]))
def test_arbitrary_bytes_never_break_the_importer(raw, name):
    _run(raw, name)


def _run(raw, name):
    before = counts()
    try:
        result = recommendations_import(actor="cli:fuzz", file_name=name, raw=raw)
    except ImportRejected as exc:
        assert exc.rows and all(p.message for p in exc.rows)
        assert counts() == before
    except ValidationError:  # pragma: no cover - ImportRejected is the only refusal expected
        pytest.fail("a refusal without a row report")
    else:
        assert result.created == counts()[0] - before[0]

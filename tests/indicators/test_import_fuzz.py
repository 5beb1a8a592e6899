"""Fuzzing the content import (indicator sets, questionnaires, rules): real shipped files, broken
in plausible ways, and arbitrary bytes. The answer is a new proposed version or a refusal
(ValidationError with the file's problems) — never another exception — and a refusal writes
nothing."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mutations import mutated
from veza.core.errors import ValidationError
from veza.core.models import AuditEntry
from veza.indicators.content import DEFAULT_DIR
from veza.indicators.models import DecisionRule, Indicator, IndicatorSet, Questionnaire
from veza.indicators.services import content_import

pytestmark = pytest.mark.django_db

SHIPPED = [
    yaml.safe_load(path.read_text())
    for folder in ("indicators", "questionnaires", "rules")
    for path in sorted((DEFAULT_DIR / folder).glob("*.yaml"))
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts():
    return tuple(
        m.objects.count()
        for m in (IndicatorSet, Indicator, Questionnaire, DecisionRule, AuditEntry)
    )


def _import(filename: str, raw: bytes) -> None:
    before = _counts()
    try:
        content_import(actor="cli:fuzz", filename=filename, raw=raw)
    except ValidationError as exc:
        assert exc.fields.get("file"), "a refusal names the file's problems"
        assert all(str(p) for p in exc.fields["file"])
        assert _counts() == before, "a refused file wrote something"


def _dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode(
        "utf-8", errors="surrogatepass"
    )


@FUZZ
@given(data=mutated(SHIPPED), version=st.integers(min_value=2, max_value=99))
def test_broken_shipped_content_is_imported_or_refused_cleanly(data, version):
    if isinstance(data, dict) and isinstance(data.get("version"), int):
        data["version"] = version  # a new version, so that a valid file may be imported
    _import("fuzz.yaml", _dump(data))


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
        st.sampled_from([b"!!python/object:os.system {}", b"a: &a [*a]", b"- - - -", b"{"]),
    ),
    name=st.sampled_from(["f.yaml", "f.yml", "f.xlsx", "f.txt", "F.YAML"]),
)
def test_arbitrary_bytes_are_refused_cleanly(raw, name):
    _import(name, raw)


def test_an_indicator_text_that_is_no_text_is_refused():
    data = next(d for d in SHIPPED if "indicators" in d and "sections" not in d)
    data = {**data, "version": 77, "indicators": [{**data["indicators"][0], "text": True}]}
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        content_import(actor="cli:fuzz", filename="fuzz.yaml", raw=_dump(data))
    assert any("'text' must be a text" in p for p in refused.value.fields["file"])
    assert _counts() == before


def test_a_value_of_a_kind_no_parser_expects_is_refused_not_a_crash():
    data = next(d for d in SHIPPED if "sections" in d)
    data = {**data, "version": 77}
    data["sections"] = [{**data["sections"][0]}]
    question = {**data["sections"][0]["questions"][0], "options": [{"value": "x", "text": "X"}]}
    question["options"][0]["indicators"] = True
    data["sections"][0]["questions"] = [question]
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        content_import(actor="cli:fuzz", filename="fuzz.yaml", raw=_dump(data))
    assert refused.value.fields["file"] and _counts() == before


@pytest.mark.parametrize(
    ("title", "escape"), [("Broken \ud800 title", b"\\uD800"), ("Broken \x00 title", b"\\0")]
)
def test_half_a_character_or_a_nul_escaped_in_yaml_is_refused_not_a_crash(title, escape):
    # Found by the fuzz test above: YAML reads "\ud800" in a quoted text as a lone surrogate,
    # which no database (and no checksum) can encode, and "\0" as a NUL, which PostgreSQL
    # refuses in a text.
    data = next(d for d in SHIPPED if "indicators" in d and "sections" not in d)
    data = {**data, "version": 78, "title": title}
    raw = _dump(data)
    assert escape in raw  # the file itself is valid UTF-8: the escape is the trouble
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        content_import(actor="cli:fuzz", filename="fuzz.yaml", raw=raw)
    assert any("not valid" in p for p in refused.value.fields["file"])
    assert _counts() == before

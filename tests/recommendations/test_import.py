"""The import: all or nothing, a row-by-row report, CSV (with or without BOM) and XLSX, the
participant the user may import for, repeats resolved in Veza or in the same file."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import login_verified, xlsx_bytes
from tests.recommendations.helpers import policy_officer, recommendation, source
from veza.core.audit import audit_verify
from veza.core.models import AuditEntry
from veza.organisations.models import Participant
from veza.recommendations.import_template import COLUMNS, template_csv, template_xlsx
from veza.recommendations.importer import ImportRejected, recommendations_import
from veza.recommendations.models import Recommendation, RecommendationLink, Source

pytestmark = pytest.mark.django_db

HEADER = "participant,body,source_title,year,reference,theme,topics,priority,text,repeats"
GOOD = [
    "RS,greta,GRETA report (test),2019,112,protection,identification;screening,urgent,"
    "Screen migrants for signs of trafficking.,",
    "RS,us_tip,TIP report (test),2024,P1,prosecution,investigation,prioritized,"
    "Prosecute under the trafficking article.,",
    'RS,greta,GRETA report 3 (test),2023,45,protection,identification,urgent,"Screen migrants, '
    'again.",greta:2019:112',
]


def csv_bytes(*rows, header=HEADER, bom=False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def counts():
    return (
        Recommendation.objects.count(),
        Source.objects.count(),
        RecommendationLink.objects.count(),
    )


@pytest.mark.parametrize("bom", [False, True])
def test_csv_import_writes_sources_recommendations_and_repeat_links(bom):
    officer = policy_officer("RS")
    result = recommendations_import(
        actor=officer, file_name="recs.csv", raw=csv_bytes(*GOOD, bom=bom)
    )
    assert (result.created, result.sources_created, result.links_created) == (3, 3, 1)
    again = Recommendation.objects.get(reference="45")
    assert again.participant.code == "RS" and again.topics == ["identification"]
    assert again.priority == "urgent" and again.text == "Screen migrants, again."
    link = RecommendationLink.objects.get()
    assert (link.recommendation, link.earlier.reference, link.kind) == (again, "112", "repeats")
    entry = AuditEntry.objects.filter(action="recommendation.import").get()
    assert entry.actor == officer.username and sorted(entry.detail["ids"]) == sorted(result.ids)
    assert audit_verify().ok


def test_xlsx_import_and_repeats_of_a_recommendation_already_in_veza():
    officer = policy_officer("RS")
    earlier = recommendation(
        "RS", src=source("us_tip", year=2024), year=2024, reference="P3", theme="protection"
    )
    header = HEADER.split(",")
    rows = [
        header,
        [
            "RS",
            "US TIP",
            "TIP report 2025 (test)",
            2025,
            "P3",
            "protection",
            "funding",
            "",
            "x y",
            "us_tip:2024:P3",
        ],
        [None] * len(header),  # an empty row is skipped
    ]
    result = recommendations_import(actor=officer, file_name="recs.xlsx", raw=xlsx_bytes(rows))
    assert result.created == 1 and result.links_created == 1
    new = Recommendation.objects.get(pk=result.ids[0])
    assert new.year == 2025 and new.priority == "other"  # an empty priority: as given
    assert RecommendationLink.objects.get().earlier == earlier


def problems_of(raw, name="recs.csv", **kwargs):
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        recommendations_import(
            actor=kwargs.pop("actor", "cli:test"), file_name=name, raw=raw, **kwargs
        )
    assert counts() == before, "a refused file must write nothing"
    return {(p.row, p.column) for p in caught.value.rows}, caught.value


def test_one_bad_row_writes_nothing_and_every_problem_is_reported_by_row_and_column():
    bad = [
        GOOD[0],
        "RS,greta,GRETA report (test),1800,113,protection,,urgent,Text.,",  # year
        "RS,who,X (test),2020,1,welfare,nonsense,maybe,Text.,",  # body, theme, topics, priority
        "RS,greta,GRETA report (test),2019,112,protection,,urgent,Again.,",  # duplicate of row 2
        "RS,greta,GRETA report 3 (test),2023,46,protection,,urgent,,greta:2010:1",  # text missing
        "RS,greta,GRETA report 3 (test),2023,47,protection,,urgent,Text.,greta:2030:1",  # repeats
        "=HYPERLINK(1),greta,T,2020,1,protection,,urgent,Text.,",  # a formula
    ]
    where, exc = problems_of(csv_bytes(*bad))
    assert {
        (3, "year"),
        (4, "body"),
        (4, "theme"),
        (4, "topics"),
        (4, "priority"),
        (5, "reference"),
        (6, "text"),
        (7, "repeats"),
        (8, "participant"),
    } <= where
    assert (2, "") not in where  # the good row is not blamed
    body = exc.as_dict()
    assert body["code"] == "invalid" and {"row": 3, "column": "year"} in [
        {k: r[k] for k in ("row", "column")} for r in body["rows"]
    ]


def test_a_recommendation_already_in_veza_is_refused_not_duplicated():
    officer = policy_officer("RS")
    recommendations_import(actor=officer, file_name="a.csv", raw=csv_bytes(*GOOD))
    where, _exc = problems_of(csv_bytes(*GOOD), actor=officer)
    assert where == {(2, "reference"), (3, "reference"), (4, "reference")}


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (b"", "a.csv", "empty"),
        ("participant,body\n".encode("utf-16"), "a.csv", "UTF-16"),
        (b"\xff\xfe\x00garbage", "a.csv", "UTF-16"),
        (b"participant,body\nRS,\xe8\n", "a.csv", "UTF-8"),
        (b"PK\x03\x04not really", "a.csv", "workbook"),
        (b"participant,body\n", "a.xlsx", "not a workbook"),
        (b"PK\x03\x04broken zip", "a.xlsx", "XLSX"),
        (b"x" * 10, "a.exe", ".csv or .xlsx"),
        (b"a" * (2 * 1024 * 1024 + 1), "a.csv", "2 MB"),
        (csv_bytes(header="participant,colour"), "a.csv", ""),
        (b'body,"unclosed\n', "a.csv", ""),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(raw, name, expected):
    _where, exc = problems_of(raw, name)
    assert expected in " ".join(str(p) for p in exc.rows)


def test_header_problems_name_the_columns():
    where, _exc = problems_of(csv_bytes("RS", header="participant,body,body,colour"))
    assert {(1, "body"), (1, "colour"), (1, "year"), (1, "text")} <= where


def test_the_user_imports_only_for_their_own_participants():
    officer = policy_officer("RS")
    row = GOOD[0].replace("RS,", "MK,", 1)
    where, _exc = problems_of(csv_bytes(row), actor=officer)
    assert where == {(2, "participant")}
    # The chosen participant fills empty cells and refuses another one.
    rs = Participant.objects.get(code="RS")
    where, _exc = problems_of(csv_bytes(GOOD[0].replace("RS,", ",", 1), row), participant=rs)
    assert where == {(3, "participant")}
    result = recommendations_import(
        actor=officer,
        file_name="a.csv",
        raw=csv_bytes(GOOD[0].replace("RS,", ",", 1)),
        participant=rs,
    )
    assert Recommendation.objects.get(pk=result.ids[0]).participant == rs


def test_semicolon_separated_csv_as_spreadsheets_save_it_in_many_locales():
    rows = [r.replace(",", ";") for r in GOOD[:2]]
    rows = [r.replace("identification;screening", "identification,screening") for r in rows]
    result = recommendations_import(
        actor="cli:test",
        file_name="a.csv",
        raw=csv_bytes(*rows, header=HEADER.replace(",", ";")),
    )
    assert result.created == 2


def test_a_formula_cell_in_a_workbook_is_refused():
    header = HEADER.split(",")
    row = ["RS", "greta", "T", 2020, "1", "protection", "", "", "=1+1", ""]
    where, _exc = problems_of(xlsx_bytes([header, row]), "a.xlsx")
    assert where == {(2, "text")}


@pytest.mark.parametrize("maker", [template_csv, template_xlsx])
def test_the_downloadable_template_imports_as_it_is(maker):
    name = "template.xlsx" if maker is template_xlsx else "template.csv"
    result = recommendations_import(actor="cli:test", file_name=name, raw=maker())
    assert result.created == 2 and result.links_created == 1
    assert Recommendation.objects.filter(is_demo=True).count() == 2


def test_the_template_documents_every_column():
    text = template_csv().decode("utf-8-sig").splitlines()[0]
    assert text.split(",") == [c.name for c in COLUMNS]
    docs = (Path(__file__).parents[2] / "docs/recommendations.md").read_text()
    for column in COLUMNS:
        assert f"`{column.name}`" in docs


def test_import_page_shows_the_row_report_and_imports_a_good_file(client):
    officer = policy_officer("RS")
    login_verified(client, officer)
    rs = Participant.objects.get(code="RS")
    page = client.get(reverse("recommendations:import"))
    assert page.status_code == 200 and "source_title" in page.content.decode()
    bad = io.BytesIO(csv_bytes(GOOD[0], "RS,greta,T,2019,9,welfare,,urgent,Text.,"))
    bad.name = "bad.csv"
    refused = client.post(reverse("recommendations:import"), {"participant": rs.pk, "file": bad})
    html = refused.content.decode()
    assert refused.status_code == 400 and "Nothing was imported" in html
    assert '<th scope="row">3</th><td>theme</td>' in html
    assert Recommendation.objects.count() == 0
    good = io.BytesIO(csv_bytes(*GOOD))
    good.name = "good.csv"
    done = client.post(reverse("recommendations:import"), {"participant": rs.pk, "file": good})
    assert done.status_code == 302 and Recommendation.objects.count() == 3
    for kind in ("csv", "xlsx"):
        template = client.get(reverse("recommendations:import-template"), {"format": kind})
        assert template.status_code == 200 and "attachment" in template["Content-Disposition"]


def test_import_page_is_for_those_who_may_import(client):
    from tests.factories import make_organisation, make_user

    coordinator = make_user(role="national_coordinator", organisation=make_organisation("RS"))
    login_verified(client, coordinator)
    assert client.get(reverse("recommendations:import")).status_code == 403
    assert client.get(reverse("recommendations:import-template")).status_code == 403


def test_the_command_imports_with_a_progress_indicator(tmp_path, capsys):
    path = tmp_path / "recs.csv"
    path.write_bytes(csv_bytes(*[r.replace("RS,", ",", 1) for r in GOOD]))
    call_command("recommendations", "import", str(path), "--participant", "RS")
    captured = capsys.readouterr()
    assert "Imported 3 recommendation(s) for RS" in captured.out
    assert "rows checked" in captured.err and "3/3" in captured.err
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("recommendations", "import", str(path), "--participant", "RS")
    assert "This recommendation is in Veza already" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No national participant"):
        call_command("recommendations", "import", str(path), "--participant", "HUB")


def test_the_command_writes_the_template(tmp_path):
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"t.{suffix}"
        call_command("recommendations", "template", "--out", str(out))
        assert out.read_bytes()[:2] in (b"\xef\xbb", b"PK")


def test_a_failure_in_the_middle_of_writing_leaves_nothing_half_written(monkeypatch):
    from django.db import IntegrityError

    from veza.core.errors import ConflictError
    from veza.recommendations import importer

    def fail(*args, **kwargs):
        raise IntegrityError("a concurrent import saved the same row")

    # The recommendations and sources are written, then the repeat link fails.
    monkeypatch.setattr(importer.RecommendationLink.objects, "create", fail)
    before = (*counts(), AuditEntry.objects.count())
    with pytest.raises(ConflictError):
        recommendations_import(actor="cli:test", file_name="a.csv", raw=csv_bytes(*GOOD))
    assert (*counts(), AuditEntry.objects.count()) == before

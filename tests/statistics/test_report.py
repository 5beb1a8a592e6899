"""The regional trends report: HTML and PDF, from the command and from the page."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import login_verified, make_organisation, make_user
from veza.statistics.report import report_context, report_html, report_pdf

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures/glotip_small.xlsx"


@pytest.fixture
def glotip():
    call_command("hub", "import-glotip", str(FIXTURE))


def test_the_report_shows_withheld_values_as_withheld_and_never_sums_them(glotip):
    context = report_context(2022)
    rows = {row["area"]: row for row in context["summary"]}
    assert rows["RS"]["glotip"]["value"] == 52 and rows["RS"]["change"] == "+30 %"
    # Albania 2021 is "<5": no change is computed, and the total is marked incomplete.
    assert rows["AL"]["glotip_before"]["flag"] == "<5" and rows["AL"]["change"] == ""
    assert context["total"] == 1172 and not context["complete"]
    forms = {row["label"]: row["cells"] for row in context["form_rows"]}
    assert [c["value"] for c in forms["RS (GLOTIP)"]] == [None, 11, None]
    assert forms["RS (GLOTIP)"][2]["flag"] == "conflict"
    serbia = {t["area"]: t for t in context["citizenship_tables"]}["RS"]["rows"]
    glotip_column = {row["label"]: row["cells"][1] for row in serbia}
    assert glotip_column["Bosnia and Herzegovina"]["flag"] == "<5"
    assert glotip_column["Own citizens"]["value"] == 45
    # GLOTIP has no total of the breakdown: the sum misses the withheld cell, so "at least".
    assert glotip_column["Total"]["value"] is None and glotip_column["Total"]["minimum"] == 45
    assert glotip_column["Total"]["text"] == "at least 45"
    html = report_html(2022)
    for heading in ("Summary", "Forms of exploitation", "Profiles of victims", "Citizenship flows"):
        assert f"<h2>{heading}</h2>" in html
    assert "<svg" in html and "&lt;5" in html and "conflict" in html
    assert ">0<" not in html.split("<h2>Profiles of victims</h2>")[1].split("</table>")[0]


def test_the_command_writes_a_pdf_with_charts_and_refuses_bad_input(glotip, tmp_path, capsys):
    out = tmp_path / "trends.pdf"
    call_command("hub", "report", "--year", "2022", "--out", str(out))
    assert "Wrote" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
    call_command("hub", "report", "--year", "2022", "--out", str(tmp_path / "trends.html"))
    assert "<svg" in (tmp_path / "trends.html").read_text()
    with pytest.raises(CommandError, match="no observation for 1999"):
        call_command("hub", "report", "--year", "1999", "--out", str(tmp_path / "old.pdf"))
    with pytest.raises(CommandError, match=r"\.pdf or \.html"):
        call_command("hub", "report", "--year", "2022", "--out", str(tmp_path / "x.docx"))
    assert not (tmp_path / "old.pdf").exists() and not (tmp_path / "x.docx").exists()


def test_the_page_offers_the_report_and_its_pdf_to_the_regional_analyst(glotip, client):
    analyst = make_user("analyst", role="regional_analyst", organisation=make_organisation("HUB"))
    login_verified(client, analyst)
    trends = client.get("/hub/trends/").content.decode()
    assert 'action="/hub/report/"' in trends and '<option value="2022">' in trends
    page = client.get("/hub/report/?year=2022")
    assert page.status_code == 200 and "Regional trends report 2022" in page.content.decode()
    pdf = client.get("/hub/report/?year=2022&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.get("/hub/report/?year=abc")
    assert bad.status_code == 400 and "no data for that year" in bad.content.decode()


@pytest.fixture
def release_2022(glotip, tmp_path):
    """Serbia's protected release of 2022, received at the hub beside the GLOTIP fixture."""
    from datetime import UTC, datetime

    from tests.factories import make_case
    from veza.cases.models import Case
    from veza.statistics.release import build_release

    org = make_organisation("RS", sector="social_welfare")
    manager = make_user("report-cm", role="case_manager", organisation=org)
    people = (
        [("female", 30, "RS")] * 14
        + [("female", 30, "UA")] * 6
        + [("male", 40, "RS")] * 9
        + [("male", 35, "UA")] * 6
        + [("female", 15, "RS")] * 6
        + [("male", 16, "AL")] * 5
        + [("unknown", 25, "MD")] * 8
        + [("unknown", 12, "MD")] * 2
        + [("female", 22, "AL")] * 2
        + [("male", None, "XK")]
    )
    for sex, age, citizenship in people:
        make_case(
            org,
            user=manager,
            sex=sex,
            age=age,
            citizenship=citizenship,
            exploitation=["sexual_exploitation"],
        )
    Case.objects.update(created_at=datetime(2022, 6, 1, tzinfo=UTC))  # GLOTIP's year
    build_release("RS", 2022, tmp_path / "release")
    call_command("hub", "receive", str(tmp_path / "release"))


def test_the_report_shows_the_releases_profiles_and_citizenship_beside_glotip(release_2022):
    import xml.etree.ElementTree as ET

    context = report_context(2022)
    profiles = {row["label"]: [c["text"] for c in row["cells"]] for row in context["profile_rows"]}
    # Women, girls, men, boys, other or unknown, total. Men and boys are withheld (never 0);
    # "other or unknown" adds the published 10 of unknown sex to the withheld men of unknown
    # age: at least 10.
    assert profiles["RS (Veza)"] == ["22", "6", "withheld", "withheld", "at least 10", "59"]
    assert profiles["RS (GLOTIP)"][3] == "<5"  # GLOTIP's boys, beside
    serbia = {t["area"]: t for t in context["citizenship_tables"]}["RS"]["rows"]
    assert [(row["label"], [c["text"] for c in row["cells"]]) for row in serbia] == [
        ("Own citizens", ["29", "45"]),
        ("Ukraine", ["12", "—"]),
        ("Moldova", ["10", "—"]),
        ("Albania", ["withheld", "—"]),
        ("Bosnia and Herzegovina", ["—", "<5"]),
        ("Kosovo*", ["withheld", "—"]),
        ("Total", ["59", "at least 45"]),
    ]
    veza, glotip = context["flow_charts"]
    root = ET.fromstring(str(veza["svg"]))  # noqa: S314 - the report's own chart
    bands = {
        (e.get("data-origin"), e.get("data-destination")): int(e.get("data-value"))
        for e in root.iter("{http://www.w3.org/2000/svg}path")
        if e.get("class") == "flow-band"
    }
    assert bands == {
        ("Own citizens", "Serbia"): 29,
        ("Ukraine", "Serbia"): 12,
        ("Moldova", "Serbia"): 10,
    }
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Serbia at least 51" in texts
    assert any("Albania → Serbia, Kosovo* → Serbia" in t for t in texts)
    assert "GLOTIP" in glotip["title"] and "Own citizens → Serbia: 45" in str(glotip["svg"])

    html = report_html(2022)
    section = html.split("<h2>Profiles of victims</h2>")[1].split("<h2>")[0]
    assert "at least 10" in section and "withheld" in section and "RS (Veza)" in section
    assert "Own citizens (Serbia)" in html and html.count('class="chart flow-chart"') == 2
    assert report_pdf(2022).startswith(b"%PDF")  # the flow diagrams render in WeasyPrint


def test_the_trends_page_shows_the_citizenship_flows_of_the_year_asked_for(release_2022, client):
    analyst = make_user("analyst", role="regional_analyst", organisation=make_organisation("HUB"))
    login_verified(client, analyst)
    page = client.get("/hub/trends/").content.decode()  # the latest year with a breakdown
    assert "Citizenship flows, 2022" in page and '<option value="2022" selected>' in page
    assert page.count('class="chart flow-chart"') == 2 and "Own citizens (Serbia)" in page
    asked = client.get("/hub/trends/?year=2022#citizenship-flows").content.decode()
    assert "Citizenship flows, 2022" in asked
    for year in ("2021", "abc"):  # no breakdown that year, or no year: the latest one
        page = client.get(f"/hub/trends/?year={year}").content.decode()
        assert "Citizenship flows, 2022" in page


def test_a_sum_over_withheld_values_is_never_printed_as_if_known():
    from veza.statistics.breakdowns import cell_sum

    assert cell_sum([(3, ""), (4, "")])["text"] == "7"
    partial = cell_sum([(3, ""), (None, "<5"), (0, "")])
    assert partial["value"] is None and partial["minimum"] == 3 and partial["text"] == "at least 3"
    assert cell_sum([(None, "<5")])["text"] == "<5"
    # Three "<5" together may be up to twelve: the sum is withheld, not "<5".
    assert cell_sum([(None, "<5")] * 3)["text"] == "withheld"
    assert cell_sum([])["text"] == "—"


def test_a_case_worker_cannot_open_the_report(glotip, client):
    org = make_organisation("RS", sector="social_welfare")
    login_verified(client, make_user("worker", role="case_manager", organisation=org))
    assert client.get("/hub/report/?year=2022").status_code == 403


def test_the_trends_download_in_xlsx_and_sdmx_keeps_withheld_values_empty(glotip, client):
    import io

    from openpyxl import load_workbook

    analyst = make_user("analyst", role="regional_analyst", organisation=make_organisation("HUB"))
    login_verified(client, analyst)
    book = load_workbook(io.BytesIO(client.get("/hub/trends/?format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("source", "area", "year", "value", "flag")
    assert ("GLOTIP", "AL", 2021, None, "<5") in rows and ("GLOTIP", "RS", 2022, 52, None) in rows
    sdmx = client.get("/hub/trends/?format=sdmx")
    assert sdmx["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    lines = sdmx.content.decode().splitlines()
    assert lines[0].startswith("STRUCTURE,STRUCTURE_ID,ACTION,SOURCE_DATA,REF_AREA,TIME_PERIOD")
    assert "dataflow,VEZA:DF_DETECTED_VICTIMS(1.0),I,GLOTIP,AL,2021,,A,C" in lines
    assert "dataflow,VEZA:DF_DETECTED_VICTIMS(1.0),I,GLOTIP,RS,2022,52,A,F" in lines


def test_the_demo_imports_glotip_once_and_says_so_when_it_is_missing(
    settings, tmp_path, monkeypatch
):
    from veza.statistics.demo import demo_glotip
    from veza.statistics.models import ImportBatch

    assert "observations imported" in demo_glotip()["lines"][0]
    assert "imported already" in demo_glotip()["lines"][0]
    assert ImportBatch.objects.filter(source="glotip").count() == 1
    ImportBatch.objects.all().delete()
    settings.VEZA_GLOTIP_FILE = str(tmp_path / "absent.xlsx")
    monkeypatch.chdir(tmp_path)  # no shared folder beside this directory
    assert "No GLOTIP export found" in demo_glotip()["lines"][0]
    assert not ImportBatch.objects.exists()

"""The regional trends report: HTML and PDF, from the command and from the page."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import login_verified, make_organisation, make_user
from veza.statistics.report import report_context, report_html

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
    flows = {(f["origin"], f["destination"]): f for f in context["flow_rows"]}
    assert flows[("Bosnia and Herzegovina", "RS")]["flag"] == "<5"
    assert flows[("Own nationals", "RS")]["value"] == 45
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

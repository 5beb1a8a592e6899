"""Recommendations on demo data, in a real browser (the issue's "done when"): the policy officer
imports recommendations from the demo file (first a faulty file: nothing imported, a report by
row), links a recommendation to a measure, sees the persistent gaps and the repeated
recommendations on the coverage page, and downloads the draft action plan as DOCX and PDF,
whose contents match the database. Every page passes the accessibility check, on a phone in
Serbian (Cyrillic) too."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_referral_journey import log_in
from veza.core.demo import demo_steps
from veza.recommendations.models import Measure, Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_FILE = Path(settings.VEZA_CONTENT_DIR) / "recommendations/demo-import.csv"
STEPS = ("organisations and accounts", "recommendations and action plans")


def _demo():
    for step in demo_steps():
        if step.name in STEPS:
            step.run()


def _squash(text: str) -> str:
    return "".join(text.split())


def test_import_link_see_gaps_and_download_the_draft_plan(page, tmp_path):
    _demo()
    before = Recommendation.objects.count()
    log_in(page, "rs.policy")
    page.get_by_role("link", name="Recommendations", exact=True).first.click()
    expect(page.get_by_role("heading", name="Recommendations", exact=True)).to_be_visible()
    assert_accessible(page, "recommendations")

    # 1. A faulty file first: nothing is imported, every problem is listed by row.
    page.get_by_role("link", name="Import from a file").click()
    assert_accessible(page, "import")
    bad = tmp_path / "faulty.csv"
    lines = DEMO_FILE.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([lines[0], lines[1].replace(",protection,", ",welfare,")]) + "\n")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("table", name="Problems by row")
    expect(report).to_contain_text("theme")
    assert_accessible(page, "import report")
    assert Recommendation.objects.count() == before

    # 2. The demo file: imported, with its links to the recommendations it repeats.
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(DEMO_FILE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 6 recommendation(s)")).to_be_visible()
    assert Recommendation.objects.count() == before + 6

    # 3. Link the new compensation recommendation to the legal aid measure.
    page.get_by_role("link", name="Action plans").first.click()
    page.get_by_role("link", name="Action plan against trafficking in human beings").click()
    assert_accessible(page, "plan")
    page.get_by_role(
        "link", name="Free legal aid from the first contact with the authorities"
    ).click()
    assert_accessible(page, "measure")
    page.get_by_label("US TIP 2025 · P3", exact=False).check()
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("link", name="US TIP 2025 · P3")).to_be_visible()
    measure = Measure.objects.get(
        title="Free legal aid from the first contact with the authorities"
    )
    assert [r.label for r in measure.recommendations.all()] == ["US TIP 2025 · P3"]

    # 4. Coverage: the persistent gaps and the repeated recommendations now answered.
    page.get_by_role("link", name="Coverage").first.click()
    gaps = page.locator("#gaps")
    expect(gaps).to_contain_text("Persistent gaps")
    gap_sections = page.locator("section.panel")
    expect(gap_sections.filter(has_text="US TIP 2025 · P2")).to_contain_text("GRETA 2017 · 154")
    expect(page.locator("#repeated + ul")).to_contain_text("US TIP 2025 · P3")
    expect(page.locator("#overdue + .table-wrap")).to_contain_text("Guidance for prosecutors")
    assert page.locator("svg.chart").count() >= 3
    assert_accessible(page, "coverage")

    # 5. The draft plan, DOCX and PDF, read back.
    page.get_by_role("link", name="Action plans").first.click()
    page.get_by_role("link", name="Action plan against trafficking in human beings").click()
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Draft plan (DOCX)").click()
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Draft plan (PDF)").click()
    document = Document(io.BytesIO(Path(docx_download.value.path()).read_bytes()))
    docx_text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for row in t.rows for c in row.cells]
    )
    reader = PdfReader(io.BytesIO(Path(pdf_download.value.path()).read_bytes()))
    pdf_text = "\n".join(p.extract_text() for p in reader.pages)
    plan_measures = Measure.objects.filter(objective__strategy__participant__code="RS")
    for text in (docx_text, pdf_text):
        flat = _squash(text)
        assert "Democontent" in flat
        for m in plan_measures:
            assert _squash(m.title) in flat, m.title
        for label in ("US TIP 2025 · P3", "US TIP 2025 · P2", "GRETA 2017 · 154"):
            assert _squash(label) in flat, label


def test_recommendation_pages_on_a_phone_in_cyrillic(phone):
    _demo()
    log_in(phone, "rs.policy")
    with phone.expect_navigation():
        phone.locator("#language-select").select_option("sr")
    measure = Measure.objects.filter(objective__strategy__participant__code="RS").first()
    recommendation = Recommendation.objects.filter(participant__code="RS").first()
    for url in (
        "/recommendations/",
        f"/recommendations/{recommendation.pk}/",
        "/recommendations/new/",
        "/recommendations/import/",
        "/recommendations/sources/",
        "/recommendations/coverage/",
        "/action-plans/",
        f"/action-plans/{measure.objective.strategy_id}/",
        f"/action-plans/{measure.objective.strategy_id}/measures/new/",
        f"/action-plans/measures/{measure.pk}/",
    ):
        phone.goto(url)
        assert phone.locator("html").get_attribute("lang") == "sr"
        assert_accessible(phone, f"{url} [phone, sr]")
        # Nothing but the scrolling table regions may be wider than the screen.
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, overflow)

"""The victim information sheet in Arabic, in a real browser: the professional opens the sheets,
chooses Arabic (named in Arabic) with their own language beside; the Arabic column runs right to
left and holds no English text; the page is accessible and fits a small phone screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_referral_journey import log_in
from veza.core.demo import demo_steps
from veza.information.sheets import load_sheets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rights_in_arabic_right_to_left(page):
    for step in demo_steps():
        if step.name == "organisations and accounts":
            step.run()
    log_in(page, "rs.police")
    page.get_by_role("link", name="Information for victims").first.click()
    assert_accessible(page, "choose a language")
    page.get_by_role("link", name="العربية").click()
    arabic = page.locator("article[lang=ar]")
    expect(arabic).to_be_visible()
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    english = page.locator("article[lang=en]")
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"
    shown = arabic.inner_text()
    sheets = load_sheets()
    for sheet in sheets.in_language("ar"):
        assert sheet.title in shown
    for sheet in sheets.in_language("en"):
        assert sheet.title not in shown
        for section in sheet.sections:
            assert section.heading not in shown
    assert_accessible(page, "information sheets in Arabic")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Print (PDF)").click()
    assert download.value.suggested_filename == "veza-information-ar-en.pdf"

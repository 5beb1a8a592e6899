"""The public self-check in a real browser, as a person with no account on a small phone: they
open /self-check/, choose Shqip and Albania, answer, and see the result with Albania's numbers;
the pages are accessible, fit 320 px, and the browser holds no cookie afterwards."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from veza.prevention.models import SelfCheckUse
from veza.prevention.selfcheck import load_selfcheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_completes_the_self_check_in_albanian(page):
    selfcheck = load_selfcheck()
    ui = selfcheck.labels("sq")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/self-check/")
    assert_accessible(page, "self-check language picker")
    page.get_by_label("Show the help numbers of (optional)").select_option("AL")
    page.get_by_role("button", name="Shqip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui["title"])
    assert page.evaluate("document.documentElement.lang") == "sq"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page, "self-check questions in Albanian")
    expect(page.get_by_role("link", name=ui["leave"])).to_be_visible()
    questions = selfcheck.questions("sq")
    for question in questions:
        group = page.get_by_role("group", name=question.text)
        answer = ui["yes"] if question.id == "papers" else ui["no"]
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name=ui["submit"]).click()
    expect(page.get_by_role("status")).to_have_text(ui["level_serious"])
    papers = next(q for q in questions if q.id == "papers")
    expect(page.get_by_text(papers.advice)).to_be_visible()
    numbers = page.locator(".selfcheck-numbers")
    expect(numbers).to_contain_text("116 006")
    expect(numbers).to_contain_text("129")
    assert "/self-check/sq/" in page.url and "papers" not in page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page, "self-check result in Albanian")
    assert page.context.cookies() == []
    assert SelfCheckUse.objects.get().count == 1

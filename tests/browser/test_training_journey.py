"""A trainee signs in, opens practice, screens two written cases with the real questionnaires,
reads each comparison, and downloads the certificate of the module."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import login, shot
from tests.factories import make_organisation, make_user
from veza.training.models import Certificate, PracticeAttempt
from veza.training.practice import load_practice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer(page, case):
    """Fill the one-page questionnaire with the case's expected answers."""
    for question, value in case.answers.items():
        block = page.locator(f"#q-{question}")
        if question == "age":
            block.locator("input[type=number]").fill(str(value))
        elif isinstance(value, list):
            for choice in value:
                block.locator(f"input[value='{choice}']").check()
        else:
            block.locator(f"input[value='{value}']").check()


def test_a_trainee_passes_two_cases_and_downloads_the_certificate(page):
    police = make_organisation("RS", name="Police station (test)", sector="police")
    trainee = make_user("pavle", role="frontline_professional", organisation=police)
    module = next(iter(load_practice().modules.values()))
    login(page, trainee)
    page.get_by_role("link", name="Training", exact=True).first.click()
    page.get_by_role("link", name="Open the practice cases").click()
    expect(page.get_by_role("heading", name="Practice cases")).to_be_visible()
    for case_id in module.cases:
        case = load_practice().cases[case_id]
        page.get_by_role("link", name=case.title["en"]).click()
        expect(page.get_by_text(case.scenario["en"][:40])).to_be_visible()
        _answer(page, case)
        shot(page, f"training-{case_id}")
        page.get_by_role("button", name="Submit and compare").click()
        expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()
        expect(page.get_by_text(re.compile("Score 100 %"))).to_be_visible()
        expect(page.get_by_text("Potential victim").first).to_be_visible()
        page.get_by_role("link", name="Back to the practice cases").click()
    assert PracticeAttempt.objects.filter(user=trainee, passed=True).count() == 2
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").first.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Certificate.objects.filter(user=trainee, module_id=module.id).exists()

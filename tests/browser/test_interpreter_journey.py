"""The interpreter pool on demo data, in a real browser: a police officer asks for a Pashto
interpreter for tomorrow, the pool suggests ranked interpreters with reasons, the officer asks
the first, who confirms on their own page; a second request for the same slot cannot take the
same person; the pool's coordinator sees the use of the pool (charts) and the support named for
the interpreters."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_referral_journey import log_in
from veza.core.demo import demo_steps
from veza.interpreters.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ask(page, tomorrow):
    page.goto("/interpreters/new/")
    page.get_by_label("The person's language(s)").fill("pus")
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Setting").select_option("police_interview")
    page.get_by_label("Place").fill("Police station, Beograd")
    page.get_by_role("button", name="Find an interpreter").click()
    expect(page.get_by_role("heading", name="Interpreter for pus")).to_be_visible()


def test_request_rank_confirm_and_no_double_booking(page):
    for step in demo_steps():
        if step.name in ("organisations and accounts", "interpreter pool"):
            step.run()
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    if tomorrow.weekday() >= 5:  # the demo's interpreters are surely available on weekdays
        tomorrow += timezone.timedelta(days=7 - tomorrow.weekday())

    log_in(page, "rs.police")
    _ask(page, tomorrow)
    suggestions = page.locator("ol.ranked > li")
    expect(suggestions.first).to_contain_text("Zarmina H. (demo)")
    expect(suggestions.first).to_contain_text("speaks pus at level 5 of 5")
    assert suggestions.count() >= 2
    assert_accessible(page, "suggestions")
    page.get_by_role("button", name="Ask Zarmina H. (demo)").click()
    expect(page.get_by_role("heading", name="Booked interpreter")).to_be_visible()

    log_in(page, "rs.interpreter")
    page.get_by_role("link", name="My assignments").first.click()
    expect(page.get_by_text("You are asked to interpret: confirm or decline")).to_be_visible()
    assert_accessible(page, "my assignments")
    page.get_by_role("button", name="Confirm").first.click()
    expect(page.get_by_text("confirmed").first).to_be_visible()
    assert Booking.objects.filter(status="confirmed").count() == 1

    log_in(page, "rs.police")
    _ask(page, tomorrow)
    expect(page.locator("ol.ranked")).not_to_contain_text("Zarmina")
    page.get_by_text("do not fit").click()
    expect(page.locator("details")).to_contain_text("Zarmina H. (demo): already booked")

    log_in(page, "rs.interpreters")
    page.goto("/interpreters/pool/")
    expect(page.get_by_role("table", name="Requests and bookings by language")).to_contain_text(
        "pus"
    )
    expect(
        page.get_by_role("img", name="Requests by language: booked and not booked")
    ).to_be_visible()
    assert_accessible(page, "pool")
    page.get_by_role("link", name="Add an interpreter").click()
    assert_accessible(page, "add an interpreter")
    page.goto("/interpreters/new/")
    assert_accessible(page, "ask for an interpreter")
    page.goto("/interpreters/pool/")
    page.get_by_role("link", name="Support for interpreters").click()
    expect(
        page.get_by_role("heading", name="Debriefing line for interpreters (demo)")
    ).to_be_visible()
    assert_accessible(page, "support for interpreters")

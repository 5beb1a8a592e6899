"""Emergency mode on demo data, in a real browser: the coordinator of Serbia follows the live count
of the demo area (the figures change without reloading the page, and the updates can be paused),
starts a second area and ends it; the police officer in the area finds the quick screen chosen
and the urgent screenings at the top of the worklist. WCAG 2.1 AA on a desktop and a phone."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_login_journey import shot
from tests.browser.test_referral_journey import log_in
from tests.factories import make_screening
from veza.core.demo import demo_steps
from veza.organisations.models import EmergencyArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo():
    for step in demo_steps():
        if step.name in ("organisations and accounts", "emergency area"):
            step.run()
    return EmergencyArea.objects.get(is_demo=True)


def test_live_count_start_and_end_an_area(page):
    area = _demo()
    log_in(page, "rs.coordinator")
    page.get_by_role("link", name="Emergency mode").first.click()
    expect(page.get_by_role("heading", name="Emergency mode", exact=True)).to_be_visible()
    assert_accessible(page, "emergency areas")
    shot(page, "emergencies")
    page.get_by_role("link", name=area.name).click()
    expect(page.get_by_role("heading", name=area.name)).to_be_visible()
    started = page.locator('[data-count="total.started"]')
    before = int(started.inner_text())
    assert before >= 16
    toggle = page.get_by_role("button", name="Pause live updates")
    expect(toggle).to_be_visible()  # the script runs
    assert_accessible(page, "live count")
    shot(page, "emergency-live-count")

    police = area.organisations.get(sector="police")
    officer = get_user_model().objects.get(username="rs.police")
    make_screening(police, user=officer, complete=True)
    # The next update comes within 30 seconds; a return to the tab asks at once.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(started).to_have_text(str(before + 1))
    toggle.click()
    expect(page.get_by_role("button", name="Resume live updates")).to_be_visible()

    page.goto("/emergencies/")
    page.get_by_label("Name of the area").fill("Belgrade bus station")
    page.get_by_label("Safe House Belgrade (demo)").check()
    page.get_by_role("button", name="Start emergency mode").click()
    expect(page.get_by_role("heading", name="Belgrade bus station")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End emergency mode").click()
    expect(page.get_by_text("Emergency mode has ended for Belgrade bus station.")).to_be_visible()
    assert EmergencyArea.objects.get(name="Belgrade bus station").ended_at is not None
    expect(page.get_by_role("button", name="Pause live updates")).to_have_count(0)


def test_the_officer_in_the_area_and_the_coordinator_on_a_phone(phone):
    _demo()
    log_in(phone, "rs.police")
    phone.goto("/screenings/new/")
    expect(phone.get_by_text("the quick screen is the default")).to_be_visible()
    expect(phone.get_by_role("radio", name="Emergency quick screen")).to_be_checked()
    assert_accessible(phone, "start a screening in an area [phone]")
    phone.goto("/worklist/")
    expect(phone.get_by_text("screenings with urgent flags come first")).to_be_visible()
    expect(phone.get_by_role("heading", name="Screenings to act on")).to_be_visible()
    assert_accessible(phone, "worklist in an area [phone]")
    shot(phone, "emergency-worklist-phone")

    log_in(phone, "rs.coordinator")
    phone.goto("/emergencies/")
    assert_accessible(phone, "emergency areas [phone]")
    phone.get_by_role("link", name="Northern border and Subotica reception point (demo)").click()
    expect(phone.locator('[data-count="total.started"]')).to_be_visible()
    assert_accessible(phone, "live count [phone]")
    shot(phone, "emergency-live-count-phone")

"""The first journey of every user in a real browser: log in with TOTP, switch language, log out."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, current_code, make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("VEZA_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def login(page, user):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(current_code(user))
    page.get_by_role("button", name="Log in").click()


def test_login_with_totp_switch_language_and_log_out(page):
    organisation = make_organisation("RS", name="Dom zdravlja Demo")
    user = make_user("dana", role="frontline_professional", organisation=organisation)

    login(page, user)
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    expect(page.get_by_text("Dom zdravlja Demo")).to_be_visible()
    shot(page, "home-en")

    # Choosing a language applies at once (script) and is remembered on the account.
    page.get_by_label("Language").select_option("sr")
    expect(page.locator("html")).to_have_attribute("lang", "sr")
    shot(page, "home-sr")
    user.refresh_from_db()
    assert user.language == "sr"

    page.locator("form[action='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/"))


def test_wrong_code_shows_a_clear_message(page):
    user = make_user("ivo", role="case_manager", organisation=make_organisation("MK"))
    page.goto("/login/")
    page.get_by_label("User name").fill("ivo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    wrong = "123456" if current_code(user) != "123456" else "654321"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("This code is not right or has already been used.")).to_be_visible()
    field = page.get_by_label("Code from your authenticator app")
    expect(field).to_have_attribute("aria-invalid", "true")


def test_keyboard_only_login_and_skip_link(page):
    user = make_user("kai", role="service_provider", organisation=make_organisation("AL"))
    page.goto("/login/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_label("User name").focus()
    page.keyboard.type("kai")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    page.get_by_label("Code from your authenticator app").focus()
    page.keyboard.type(current_code(user))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


def test_home_fits_a_small_phone_screen(phone):
    user = make_user("mira", role="national_coordinator", organisation=make_organisation("ME"))
    login(phone, user)
    expect(phone.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    shot(phone, "home-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone screen"
    phone.goto("/organisations/")
    overflow = phone.evaluate("document.body.scrollWidth - window.innerWidth")
    assert overflow <= 0

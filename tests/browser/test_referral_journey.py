"""The referral journey on demo data, in a real browser, across four organisations.

A health worker screens a person (potential victim), opens a case with consent and refers for
formal identification; the identification officer accepts and records "identified"; a shelter
receives a referral that shows only the shared fields and accepts; the reflection period counts
down; the national coordinator sees it all, and an overdue item.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_login_journey import shot
from tests.factories import current_code
from veza.cases.models import Case
from veza.core.demo import demo_steps
from veza.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "veza-demo-2026"


def log_in(page, username):
    user = get_user_model().objects.get(username=username)
    # Each code works once: let this account use the current one even if it logged in a moment ago.
    TOTPDevice.objects.filter(user=user).update(last_t=-1, throttling_failure_count=0)
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_code").fill(current_code(user))
    page.locator("main button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    # Demo accounts open in their participant's language; this journey reads English.
    if page.locator("html").get_attribute("lang") != "en":
        with page.expect_navigation():
            page.locator("#language-select").select_option("en")


def _option(page, starts_with):
    """The full label of the service option that begins with an organisation's name."""
    labels = page.locator("#id_service option").all_inner_texts()
    return next(label for label in labels if label.startswith(starts_with))


def test_screen_refer_identify_shelter_and_oversee(page):
    for step in demo_steps():
        step.run()

    # 1. A health worker screens a patient: someone else holds her passport → potential victim.
    log_in(page, "rs.frontline")
    page.goto("/screenings/new/")
    page.get_by_role("button", name="Start").click()
    page.locator("#q-age input[type=number]").fill("27")
    page.locator("#q-exploitation input[value='labour']").check()
    page.get_by_role("button", name="Save and continue").click()
    for _ in range(3):
        page.get_by_role("button", name="Save and continue").click()
    page.locator("#q-documents input[value='someone_else']").check()
    while page.get_by_role("button", name="Save and continue").count():
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Finish and see the outcome").click()
    expect(page.locator("#outcome-h")).to_have_text("Potential victim")

    # 2. She opens a case from the outcome, records consent and refers for identification.
    page.get_by_role("link", name="Open a case").click()
    page.locator("#id_sex").select_option("female")
    page.locator("#id_citizenship").fill("UA")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Case RS-"))).to_be_visible()
    case = Case.objects.exclude(is_demo=True).get()
    body = "Victim Identification Team (demo)"
    shelter = "Safe House Belgrade (demo)"
    for recipient in (body, shelter):
        page.get_by_role("link", name="Record consent").click()
        page.locator("#id_purpose").select_option("referral")
        page.locator("#id_recipient").select_option(label=recipient)
        page.locator("#id_information_version").fill("info-2026-1")
        page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Refer for formal identification").click()
    page.locator("#id_service").select_option(label=_option(page, body))
    page.locator("#id_reason").fill("Passport held by the employer; identification needed.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Sent — waiting for an answer")).to_be_visible()

    # ... and refers to a shelter, sharing only sex, age and child status.
    page.goto(f"/cases/{case.pk}/refer/?service_type=shelter")
    page.locator("#id_service").select_option(label=_option(page, shelter))
    page.locator("#id_urgency").select_option("immediate")
    page.locator("#id_reason").fill("Needs a safe place tonight.")
    page.locator("input[name=shared_fields][value=exploitation]").uncheck()
    page.get_by_role("button", name="Send the referral").click()
    shot(page, "journey-1-referred")

    # 3. The identification officer accepts and records "identified".
    log_in(page, "rs.identification")
    page.goto("/worklist/")
    page.get_by_role("link", name=case.code).first.click()
    page.get_by_role("button", name="Accept").click()
    page.locator("#id_status").select_option("Actual")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Done.")).to_be_visible()
    case.refresh_from_db()
    assert case.trafficking_status == "Actual"

    # 4. The shelter sees only what was shared, and accepts.
    log_in(page, "rs.provider")
    page.goto("/worklist/")
    page.get_by_role("link", name=case.code).first.click()
    shared = page.get_by_role("region", name="What you may see about the person").or_(
        page.locator("section[aria-labelledby=shared-h]")
    )
    expect(shared).to_contain_text("27")
    expect(shared).not_to_contain_text("Forms of exploitation")
    assert page.goto(f"/cases/{case.pk}/").status == 404
    page.go_back()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted").first).to_be_visible()
    shot(page, "journey-2-shelter")
    assert Referral.objects.filter(case=case, status="accepted").count() == 2

    # 5. Back with the health worker: the reflection period counts down.
    log_in(page, "rs.frontline")
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text(re.compile(r"30 of 30 days left"))).to_be_visible()
    expect(page.get_by_text("Identified victim").first).to_be_visible()
    shot(page, "journey-3-case")

    # 6. The national coordinator sees the case and an overdue item; not the identity.
    log_in(page, "rs.coordinator")
    page.goto("/cases/")
    expect(page.get_by_role("link", name=case.code)).to_be_visible()
    page.goto("/worklist/")
    overdue = page.locator("section[aria-labelledby=overdue-h] li").first
    expect(overdue).to_contain_text("late")
    shot(page, "journey-4-coordinator")
    assert page.goto(f"/cases/{case.pk}/identity/").status == 403


def test_another_participant_sees_none_of_it(page):
    for step in demo_steps():
        step.run()
    rs_case = Case.objects.filter(participant__code="RS").first()
    log_in(page, "ba.coordinator")
    page.goto("/cases/")
    expect(page.get_by_text(rs_case.code)).to_have_count(0)
    assert page.goto(f"/cases/{rs_case.pk}/").status == 404
    referral = Referral.objects.filter(case=rs_case).first()
    if referral is not None:
        assert page.goto(f"/referrals/{referral.pk}/").status == 404

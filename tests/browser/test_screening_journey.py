"""A health worker screens a patient on a phone, section by section, and reads the explanation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import login, shot
from tests.factories import make_organisation, make_user
from veza.screening.models import Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_yes_no(page, question_id, value="yes"):
    page.locator(f"#q-{question_id} input[value='{value}']").check()


def tick(page, question_id, *values):
    for value in values:
        page.locator(f"#q-{question_id} input[value='{value}']").check()


def next_part(page):
    page.get_by_role("button", name=re.compile("Save and continue|Review")).click()


def test_health_screening_on_a_phone_ends_with_the_explanation(phone):
    clinic = make_organisation("MK", name="Emergency department (test)", sector="health")
    nurse = make_user("nurse", role="frontline_professional", organisation=clinic)
    login(phone, nurse)
    phone.get_by_role("link", name="Screenings").first.click()
    phone.get_by_role("link", name="Start a screening").click()
    expect(phone.get_by_label("Screening in health care")).to_be_checked()  # the sector's own
    phone.get_by_label("Your own reference (optional)").fill("ED-2291")
    phone.get_by_role("button", name="Start").click()

    # 1 — the visit
    expect(phone.get_by_text("Part 1 of 7")).to_be_visible()
    phone.locator("#q-age input[type=number]").fill("24")
    tick(phone, "exploitation", "sexual")
    tick(phone, "companion", "answers_for_patient")
    shot(phone, "screen-health-1")
    next_part(phone)
    # 2 — safety first: the child-only question is not asked of an adult
    expect(phone.locator("#q-child_alone")).to_have_count(0)
    answer_yes_no(phone, "danger_now", "no")
    answer_yes_no(phone, "medical_now", "yes")
    next_part(phone)
    # 3 — how it started
    answer_yes_no(phone, "job_deceived")
    tick(phone, "other_promises", "pay")
    answer_yes_no(phone, "debt_from_start")
    next_part(phone)
    # 4 — work and living; try leaving it for later, then come back
    answer_yes_no(phone, "long_hours")
    tick(phone, "pay", "little_nothing")
    phone.get_by_role("button", name="Save and finish later").click()
    expect(phone.get_by_text(re.compile("You can continue screening SCR-MK-"))).to_be_visible()
    screening = Screening.objects.get(person_ref="ED-2291")
    assert screening.is_draft and screening.answers["long_hours"] == "yes"
    phone.get_by_role("link", name=re.compile(screening.reference)).click()
    expect(phone.get_by_text("Part 4 of 7")).to_be_visible()
    expect(phone.locator("#q-long_hours input[value='yes']")).to_be_checked()
    next_part(phone)
    # 5 — control now
    phone.locator("#q-documents input[value='someone_else']").check()
    answer_yes_no(phone, "debt_now")
    tick(phone, "forced_acts", "tasks_clients")
    next_part(phone)
    next_part(phone)  # 6 — nothing to add
    # 7 — clinical signs
    answer_yes_no(phone, "ownership_mark")
    next_part(phone)

    expect(phone.get_by_role("heading", name="Check the answers, then finish")).to_be_visible()
    phone.get_by_role("button", name="Finish and see the outcome").click()

    expect(phone.get_by_role("heading", name=re.compile("Outcome of screening"))).to_be_visible()
    expect(phone.locator("#outcome-h")).to_have_text("Presumed victim")
    expect(phone.get_by_role("heading", name="Urgent — act first")).to_be_visible()
    expect(phone.get_by_text("Needs emergency medical care")).to_be_visible()
    why = phone.get_by_text(re.compile("every element of the definition is positive"))
    expect(why).to_be_visible()
    coercion = phone.get_by_role("heading", name=re.compile("Coercion at destination — positive"))
    expect(coercion).to_be_visible()
    expect(phone.get_by_text(re.compile("Draft list — under review")).first).to_be_visible()
    shot(phone, "screen-health-outcome")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screening.refresh_from_db()
    assert screening.outcome == "presumed_victim"
    assert {s.code for s in screening.sets.all()} == {"ilo-ec-2009-adult-sexual"}


def test_skip_logic_shows_follow_up_questions_only_when_they_apply(page):
    post = make_organisation("RS", name="Border point (test)", sector="border_asylum_reception")
    officer = make_user("officer", role="frontline_professional", organisation=post)
    login(page, officer)
    page.goto("/screenings/new/")
    expect(page.get_by_label(re.compile("border", re.IGNORECASE))).to_be_checked()
    page.get_by_role("button", name="Start").click()
    follow_up = page.locator("#q-debt_paid_by_work")
    expect(follow_up).to_be_hidden()
    answer_yes_no(page, "owes_journey", "yes")
    expect(follow_up).to_be_visible()
    answer_yes_no(page, "owes_journey", "no")
    expect(follow_up).to_be_hidden()

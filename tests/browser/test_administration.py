"""The administration site in a real browser: reachable by administrators, strict CSP holds."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_journey import login, shot
from tests.factories import make_organisation, make_user
from veza.core.models import AuditEntry
from veza.organisations.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_adds_an_organisation_and_it_is_audited(page):
    hub = make_organisation("HUB", name="Hub office")
    admin = make_user("chief", role="administrator", organisation=hub)
    login(page, admin)
    page.get_by_role("link", name="Administration").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    shot(page, "admin-index")
    page.goto("/admin/organisations/organisation/add/")
    page.locator("#id_participant").select_option(label="Serbia (RS)")
    page.locator("#id_name").fill("Centre for Social Work Niš")
    page.locator("#id_sector").select_option("social_welfare")
    page.locator("#id_type").select_option("public_body")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    organisation = Organisation.objects.get(name="Centre for Social Work Niš")
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(organisation.pk))
    assert entry.actor_id == admin.pk and entry.detail["via"] == "admin"
    page.goto("/admin/organisations/membership/add/")
    expect(page.locator("#id_role")).to_be_visible()


def test_non_administrator_is_refused_the_administration_site(page):
    user = make_user("frontliner", role="frontline_professional", organisation=make_organisation())
    login(page, user)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()

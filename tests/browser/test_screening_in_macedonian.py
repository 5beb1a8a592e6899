"""A nurse in North Macedonia works in Macedonian: the health screening's questions, help and
options come from the questionnaire's own Macedonian texts, the interface from the catalogue, and
no English is left on the page."""

import re

import pytest
import yaml
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_login_journey import login
from tests.factories import make_organisation, make_user
from veza.indicators.content import DEFAULT_DIR
from veza.indicators.text import localized

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _health():
    return yaml.safe_load((DEFAULT_DIR / "questionnaires/health.yaml").read_text())


def test_the_health_screening_in_macedonian(page):
    clinic = make_organisation("MK", name="Ургентен центар (тест)", sector="health")
    nurse = make_user("nurse-mk", role="frontline_professional", organisation=clinic)
    nurse.language = "mk"
    nurse.save(update_fields=["language"])
    login(page, nurse)
    expect(page.locator("html")).to_have_attribute("lang", "mk")
    page.goto("/screenings/new/")
    health = _health()
    expect(page.get_by_label(localized(health["title"], "mk"))).to_be_checked()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#q-age")).to_be_visible()
    section = health["sections"][0]
    main = page.locator("main")
    shown = main.inner_text()
    assert localized(section["title"], "mk") in shown
    for question in section["questions"]:
        assert localized(question["text"], "mk") in shown
        assert localized(question["text"], "en") not in shown  # no English question left
    # No English interface text either: every word of Latin script on the page is the product's
    # name, an acronym or a language named in itself (the choice of the person's language).
    latin_words = {w for w in re.findall(r"\b[A-Za-z]{4,}\b", shown) if not w.isupper()}
    names = set(settings.LANGUAGE_NATIVE_NAMES.values())  # the languages, each in itself
    assert not latin_words - {"Veza"} - names, latin_words
    assert_accessible(page, "health screening in Macedonian")

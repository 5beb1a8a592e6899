"""Every main page renders in every shipped language with nothing left in English: no text of the
interface catalogue appears untranslated on a page shown in another language."""

import html
import re

import polib
import pytest
from django.conf import settings

from tests.factories import login_verified, make_organisation, make_user

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def _folder(code):
    language, _sep, script = code.partition("-")
    return f"{language}_{script.capitalize()}" if script else language


def _english_phrases():
    """Catalogue texts long enough to be unmistakable, translated differently in every language."""
    catalogues = [
        polib.pofile(f"{settings.LOCALE_PATHS[0]}/{_folder(code)}/LC_MESSAGES/django.po")
        for code in LANGUAGES
    ]
    translated = [{e.msgid: e.msgstr for e in po if e.msgstr} for po in catalogues]
    return sorted(
        {
            msgid
            for msgid in translated[0]
            if len(msgid) >= 18
            and " " in msgid
            and "%" not in msgid
            and "{" not in msgid
            and all(t.get(msgid, msgid) != msgid for t in translated)
        }
    )


PHRASES = _english_phrases()

PAGES = {
    "case_manager": [
        "/",
        "/account/",
        "/screenings/",
        "/screenings/new/",
        "/cases/",
        "/worklist/",
        "/services/",
        "/interpreters/",
        "/interpreters/new/",
        "/information/",
        "/information/ar/",
        "/forms/",
        "/training/",
        "/training/practice/",
        "/training/practice/emergency_visit/",
        "/feedback/offer/",
        "/self-check/",
        "/library/",
    ],
    "policy_officer": ["/recommendations/", "/recommendations/coverage/", "/action-plans/"],
    "interpreter_coordinator": ["/interpreters/pool/", "/interpreters/support/"],
    "national_coordinator": [
        "/emergencies/",
        "/privacy/subject-access/",
        "/cases/break-glass/log/",
        "/guidance/",
        "/guidance/new/",
        "/training/courses/",
        "/training/courses/new/",
        "/training/coverage/",
        "/training/certificates/verify/?code=AAAA-BBBB-CCCC",
        "/feedback/summary/",
        "/prevention/self-check-uses/",
    ],
    "administrator": ["/translations/", "/organisations/"],
}


def _visible_text(page: str) -> str:
    body = page.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_leave_no_english(client, language):
    assert len(PHRASES) > 300  # the check has teeth
    organisation = make_organisation("RS", name="Test organisation")
    for role, paths in PAGES.items():
        user = make_user(f"{role}-{language}", role=role, organisation=organisation)
        user.language = language
        user.save(update_fields=["language"])
        login_verified(client, user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, (path, response.status_code)
            page = response.content.decode()
            assert f'lang="{language}"' in page, path
            text = _visible_text(page)
            left = [phrase for phrase in PHRASES if phrase in text]
            assert not left, (language, path, left[:5])

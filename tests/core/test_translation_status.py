"""The administrators' translation status page: every shipped language at 100 %, counted from the
catalogues themselves (a missing or fuzzy string shows)."""

import shutil

import polib
import pytest
from django.conf import settings

from tests.factories import login_verified, make_organisation, make_user
from veza.core.translations import catalogue_status

pytestmark = pytest.mark.django_db


def test_administrators_see_every_language_complete(client):
    admin = make_user("admin-t", role="administrator", organisation=make_organisation("RS"))
    login_verified(client, admin)
    page = client.get("/translations/")
    assert page.status_code == 200
    text = page.content.decode()
    for code, _name in settings.LANGUAGES:
        if code != "en":
            assert f"({code})" in text
    interface = text.split("Questionnaires and indicator lists", 1)[0]
    assert interface.count("<strong>100</strong>") == len(settings.LANGUAGES) - 1
    assert "<svg" in text
    assert "Questionnaires and indicator lists" in text and "Screening in health care" in text
    worker = make_user("cm-t", role="case_manager", organisation=make_organisation("RS"))
    login_verified(client, worker)
    assert client.get("/translations/").status_code == 403


def test_a_missing_and_a_fuzzy_string_are_counted(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(settings.LOCALE_PATHS[0], locale)
    path = locale / "mk" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    entries = [e for e in po if e.msgid and not e.msgid_plural]
    entries[0].msgstr = ""
    entries[1].flags.append("fuzzy")
    po.save(str(path))
    status = {row.language: row for row in catalogue_status(locale)}
    mk = status["mk"]
    assert (mk.missing, mk.fuzzy, mk.translated) == (1, 1, mk.total - 2)
    assert not mk.complete and mk.percent < 100
    assert status["sq"].complete and status["sq"].percent == 100

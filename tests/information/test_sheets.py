"""The victim information sheets: the data file holds every text in every language (Serbian Latin
the letter-for-letter transliteration of Cyrillic), the pages show them right to left where the
script is, with the professional's language beside, and the PDF carries the same text."""

import io
import os
import re
import shutil
import subprocess

import pytest
import yaml
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import login_verified, make_organisation, make_user
from tests.scripts import serbian_latin
from veza.information.sheets import (
    DATA,
    SHEET_IDS,
    SheetsError,
    all_texts,
    load_contacts,
    load_sheets,
    parse_sheets,
)

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def _raw():
    return yaml.safe_load((DATA / "sheets.yaml").read_text(encoding="utf-8"))


def test_every_text_is_in_every_language():
    sheets = load_sheets()
    assert [s.id for s in sheets.in_language("en")] == list(SHEET_IDS)
    regional = {"sq", "sr", "sr-latn", "bs", "hr", "mk"}
    on_the_move = {"ar", "fa", "ps", "ur", "ckb", "bn", "fr", "tr"}
    assert {"en"} | regional | on_the_move <= set(sheets.languages)
    assert {"ar", "fa", "ps", "ur", "ckb"} <= sheets.rtl
    for text in all_texts(_raw()):
        assert serbian_latin(text["sr"]) == text["sr-latn"]
        for code in sheets.rtl:
            assert ARABIC_SCRIPT.search(text[code]), (code, text[code])


def test_a_text_missing_a_language_is_refused():
    data = _raw()
    del data["sheets"][1]["sections"][0]["heading"]["mk"]
    with pytest.raises(SheetsError):
        parse_sheets(data)
    data = _raw()
    data["sheets"] = data["sheets"][:3]
    with pytest.raises(SheetsError):
        parse_sheets(data)


def test_every_hotline_names_where_it_comes_from():
    contacts = load_contacts()
    assert {"AL", "BA", "ME", "MK", "RS", "XK"} <= set(contacts)
    for entry in contacts.values():
        assert entry.police.isdigit() and entry.ambulance.isdigit()
        assert all(h["source"].startswith("https://") for h in entry.hotlines)


@pytest.fixture
def officer(client, db):
    user = make_user(
        "info-officer",
        role="frontline_professional",
        organisation=make_organisation("RS", sector="police"),
    )
    login_verified(client, user)
    return user


def test_the_sheets_right_to_left_with_the_professional_language_beside(client, officer):
    index = client.get(reverse("information:index")).content.decode()
    assert 'lang="ar" dir="rtl"' in index and 'lang="mk" dir="ltr"' in index
    page = client.get(reverse("information:sheet", args=["ar"]), {"beside": "sr-latn"})
    text = page.content.decode()
    assert page.status_code == 200
    assert '<article class="sheet-column" lang="ar" dir="rtl">' in text
    assert '<article class="sheet-column" lang="sr-latn" dir="ltr">' in text
    sheets = load_sheets()
    for sheet in sheets.in_language("ar"):
        assert sheet.title in text
    arabic = text.split('lang="ar" dir="rtl">', 1)[1].split("</article>", 1)[0]
    for sheet in sheets.in_language("en"):  # no English left in the Arabic column
        assert sheet.title not in arabic
        for section in sheet.sections:
            assert section.heading not in arabic
    # The numbers of the officer's own participant, the hotline among them.
    assert ">192<" in arabic and ">+381 11 785 0000<" in arabic
    assert sheets.label("ask_for_hotline", "ar") not in arabic
    kosovo = client.get(reverse("information:sheet", args=["sq"]), {"participant": "XK"})
    assert "0800 1111 2" in kosovo.content.decode()
    # Where no hotline is listed, the sheet asks the professional to find the national one.
    bosnia = client.get(reverse("information:sheet", args=["ar"]), {"participant": "BA"})
    assert sheets.label("ask_for_hotline", "ar") in bosnia.content.decode()
    assert client.get(reverse("information:sheet", args=["xx"])).status_code == 404


def test_the_printed_sheets_carry_the_same_text(client, officer):
    response = client.get(reverse("information:sheet-pdf", args=["fr"]), {"beside": "mk"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for language in ("fr", "mk"):
        for sheet in load_sheets().in_language(language):
            assert sheet.title in flat, (language, sheet.title)
    if (
        not shutil.which("fc-list")
        or "Noto Naskh Arabic"
        not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    ):
        if os.environ.get("VEZA_REQUIRE_BROWSER") == "1":
            pytest.fail("fonts-noto-core is required in CI")
        pytest.skip("the Arabic-script fonts (fonts-noto-core) are not installed")
    arabic = client.get(reverse("information:sheet-pdf", args=["ar"]))
    fonts = set()
    for page in PdfReader(io.BytesIO(arabic.content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Arabic" in name for name in fonts), fonts


def test_only_people_who_meet_victims_open_the_sheets(client, db):
    analyst = make_user(
        "info-analyst", role="regional_analyst", organisation=make_organisation("HUB")
    )
    login_verified(client, analyst)
    assert client.get(reverse("information:index")).status_code == 403

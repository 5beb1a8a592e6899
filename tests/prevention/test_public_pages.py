"""The public self-check through real HTTP, as an anonymous visitor: Albanian from the language
picker to the result with Albania's numbers, no cookie and no session, nothing stored but one
count, the rights sheets (with a language choice where the sheets lack the person's), and the
printed leaflet."""

import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from veza.core.models import AuditEntry
from veza.information.sheets import load_sheets
from veza.prevention.models import SelfCheckUse
from veza.prevention.selfcheck import load_selfcheck

pytestmark = pytest.mark.django_db


def _answers(**given):
    answers = dict.fromkeys((q.id for q in load_selfcheck().questions("en")), "no")
    return {**answers, **given}


def test_the_picker_names_each_language_in_itself_and_leads_to_the_questions(client):
    page = client.get(reverse("prevention:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="sq" class="button button--secondary" lang="sq" dir="ltr">Shqip<' in text
    assert 'lang="ar" dir="rtl">العربية<' in text and ">Romani ćhib<" in text
    chosen = client.get(reverse("prevention:index"), {"lang": "sq", "participant": "AL"})
    assert chosen.status_code == 302 and chosen["Location"] == "/self-check/sq/?participant=AL"
    assert not page.cookies and not chosen.cookies


def test_a_person_completes_the_check_in_albanian_without_logging_in(client):
    selfcheck = load_selfcheck()
    ui = selfcheck.labels("sq")
    form = client.get("/self-check/sq/?participant=AL")
    text = form.content.decode()
    assert form.status_code == 200
    assert '<html lang="sq" dir="ltr">' in text
    for question in selfcheck.questions("sq"):
        assert question.text in text
    assert ui["leave"] in text and 'rel="noreferrer"' in text
    assert '<option value="AL" selected>' in text
    assert "<script" not in text and "csrfmiddlewaretoken" not in text
    before = AuditEntry.objects.count()
    result = client.post(
        "/self-check/sq/", _answers(papers="yes", pay="dont_know", participant="AL")
    )
    shown = result.content.decode()
    assert result.status_code == 200
    assert ui["level_serious"] in shown
    papers = next(q for q in selfcheck.questions("sq") if q.id == "papers")
    pay = next(q for q in selfcheck.questions("sq") if q.id == "pay")
    assert papers.advice in shown and pay.advice in shown
    assert ">116 006<" in shown and ">129<" in shown  # Albania's hotline and police
    assert "+381" not in shown  # not another participant's numbers
    for tip in selfcheck.tips("sq"):
        assert tip in shown
    assert "/self-check/sq/rights/?participant=AL" in shown
    assert "you are a victim" not in shown.lower()
    # Nothing about the person: no cookie, no session, no audit entry; one count only.
    assert not form.cookies and not result.cookies and not client.cookies
    assert Session.objects.count() == 0
    assert AuditEntry.objects.count() == before
    assert result["Cache-Control"] == "no-store" and form["Cache-Control"] == "no-store"
    use = SelfCheckUse.objects.get()
    assert (use.language, use.participant.code, use.count) == ("sq", "AL", 1)
    client.post("/self-check/sq/", _answers(participant="AL"))
    assert SelfCheckUse.objects.get().count == 2


def test_the_levels_and_the_not_chosen_participant(client):
    ui = {k: escape(v) for k, v in load_selfcheck().labels("fr").items()}
    calm = client.post("/self-check/fr/", _answers()).content.decode()
    assert ui["level_none"] in calm and ui["what_to_check"] not in calm
    # Not chosen: every participant's numbers, so there is always one to call.
    assert "116 006" in calm and "0800 11111" in calm and ui["no_hotline"] in calm
    some = client.post("/self-check/fr/", _answers(pay="yes")).content.decode()
    assert ui["level_some"] in some
    rtl = client.post("/self-check/ar/", _answers(participant="RS")).content.decode()
    assert '<html lang="ar" dir="rtl">' in rtl
    uses = {(u.language, u.participant_id): u.count for u in SelfCheckUse.objects.all()}
    assert uses[("fr", None)] == 2 and len(uses) == 2


def test_bad_input_is_refused_and_nothing_is_written(client):
    bad = client.post("/self-check/sq/", _answers(pay="maybe"))
    assert bad.status_code == 400
    assert client.post("/self-check/sq/", _answers(participant="HUB")).status_code == 400
    assert client.post("/self-check/sq/", _answers(participant="ZZ")).status_code == 400
    assert client.get("/self-check/xx/").status_code == 404
    assert client.post("/self-check/xx/", _answers()).status_code == 404
    assert not SelfCheckUse.objects.exists()


def test_the_answers_never_reach_a_url_or_a_log(client, caplog):
    response = client.post("/self-check/sq/", _answers(papers="yes", lie="yes"), follow=False)
    assert response.status_code == 200  # rendered directly, no redirect carrying answers
    assert "papers=yes" not in response.content.decode()
    assert not any("papers" in record.getMessage() for record in caplog.records)


def test_the_rights_sheets_for_the_public(client):
    sheets = load_sheets()
    albanian = client.get("/self-check/sq/rights/", {"participant": "AL"}).content.decode()
    titles = {s.id: s.title for s in sheets.in_language("sq")}
    assert titles["rights"] in albanian and titles["get_help"] in albanian
    assert titles["confidentiality"] not in albanian  # only the two public sheets
    assert "116 006" in albanian
    # Romani: the sheets lack it, so the person chooses; English until they do.
    romani = client.get("/self-check/rom/rights/")
    text = romani.content.decode()
    assert romani.status_code == 200 and '<html lang="rom" dir="ltr">' in text
    assert load_selfcheck().labels("rom")["sheets_language"] in text
    assert sheets.in_language("en")[0].title in text
    chosen = client.get("/self-check/rom/rights/", {"sheets": "sr-latn"}).content.decode()
    assert sheets.in_language("sr-latn")[0].title in chosen
    assert '<article class="sheet-column" lang="sr-latn" dir="ltr">' in chosen
    assert not client.cookies


def test_the_leaflet_is_a_pdf_with_the_albanian_text_and_numbers(client):
    response = client.get("/self-check/sq/leaflet.pdf", {"participant": "AL"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    selfcheck = load_selfcheck()
    assert selfcheck.labels("sq")["title"] in text
    for question in selfcheck.questions("sq")[:3]:
        assert question.text in text
    assert "116 006" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert round(float(width) / 72 * 25.4) == 148 and round(float(height) / 72 * 25.4) == 210
    assert not SelfCheckUse.objects.exists()  # printing is not completing a check

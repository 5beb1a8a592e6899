"""The public form: opened from a signed link with no login, no session and no cookie; an altered
link is refused with a clear page and nothing kept; an empty form keeps nothing; an answer keeps
exactly participant, service type, month, language and answers."""

import datetime
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from veza.feedback.models import FeedbackResponse
from veza.feedback.services import SALT, feedback_link_read, feedback_submit, link_token

pytestmark = pytest.mark.django_db


def _url(token, lang=None):
    return reverse("feedback:form", args=[token]) + (f"?lang={lang}" if lang else "")


def test_the_token_names_only_the_participant_and_the_service_type(token):
    # Two parts only (no timestamp part, as signing.dumps would add): the value and its signature.
    assert token.count(":") == 1
    assert signing.Signer(salt=SALT).unsign_object(token) == ["RS", "shelter"]
    assert token == link_token(participant_code="RS", service_type="shelter")  # no date in it
    link = feedback_link_read(token)
    assert (link.participant.code, link.service_type) == ("RS", "shelter")


def _tampered(token):
    _payload, _sep, signature = token.partition(":")
    other = link_token(participant_code="AL", service_type="shelter").partition(":")[0]
    return [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        f"{other}:{signature}",  # another participant with this link's signature
        token[: len(token) // 2],  # cut short
        signing.Signer(salt="another.salt").sign_object(["RS", "shelter"]),  # another salt
        signing.Signer().sign_object(["RS", "shelter"]),  # no salt
        signing.dumps(["RS", "shelter"], salt=SALT),  # with a timestamp: not our shape
        signing.Signer(salt=SALT).sign_object({"p": "RS", "s": "shelter"}),  # not our shape
        link_token(participant_code="RS", service_type="massage"),  # not a service type
        link_token(participant_code="ZZ", service_type="shelter"),  # no such participant
        link_token(participant_code="HUB", service_type="shelter"),  # not a national one
        "offer-me",
    ]


def test_an_altered_link_is_refused_and_nothing_is_kept(client, token):
    for bad in _tampered(token):
        page = client.get(_url(bad, "fr"))
        assert page.status_code == 404, bad
        text = page.content.decode()
        assert "Ce lien ne fonctionne pas" in text and "Rien n&#x27;a été enregistré" in text
        posted = client.post(_url(bad), {"lang": "en", "q_safe": "yes"})
        assert posted.status_code == 404
        assert "This link does not work" in posted.content.decode()
        assert not posted.cookies
    assert not FeedbackResponse.objects.exists()


def test_the_form_in_the_person_language_with_no_cookie(client, token):
    page = client.get(_url(token, "ar"))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in text
    assert "كل سؤال اختياري" in text  # every question is optional
    assert 'lang="mk" dir="ltr"' in text and 'lang="ckb" dir="rtl"' in text
    assert "Romani čhib" in text and "Српски (ћирилица)" in text
    assert len(re.findall(r'type="radio"', text)) == 6 * 4
    assert "required" not in text
    assert "<textarea" not in text and 'type="text"' not in text
    assert "<script" not in text and "csrfmiddlewaretoken" not in text
    assert 'class="public-leave" href="https://' in text
    assert "no-store" in page["Cache-Control"]
    assert not page.cookies
    assert not client.cookies


def test_an_empty_form_keeps_nothing_and_thanks(client, token):
    response = client.post(_url(token), {"lang": "sq"})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:thanks") + "?lang=sq"
    thanks = client.get(response["Location"])
    assert "Faleminderit" in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]
    assert not response.cookies and not thanks.cookies and not client.cookies
    assert not FeedbackResponse.objects.exists()


def test_an_answer_keeps_exactly_what_the_summary_counts(client, token):
    response = client.post(
        _url(token),
        {"lang": "sr-latn", "q_safe": "yes", "q_needs": "partly", "q_respect": ""},
        HTTP_USER_AGENT="Mozilla/5.0 (Test phone)",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302 and not response.cookies and not client.cookies
    row = FeedbackResponse.objects.values().get()
    assert set(row) == {"id", "participant_id", "service_type", "month", "language", "answers"}
    assert row["service_type"] == "shelter" and row["language"] == "sr-latn"
    assert row["month"] == timezone.localdate().replace(day=1)
    assert row["answers"] == {"safe": "yes", "needs": "partly"}
    fields = {f.name for f in FeedbackResponse._meta.get_fields()}
    assert fields == {"id", "participant", "service_type", "month", "language", "answers"}
    stored = " ".join(str(v) for v in row.values())
    assert "203.0.113.9" not in stored and "Mozilla" not in stored


def test_unknown_answers_are_refused_whole(client, token):
    for data in (
        {"lang": "en", "q_safe": "yes", "q_needs": "maybe"},
        {"lang": "xx", "q_safe": "yes"},
    ):
        response = client.post(_url(token), data)
        # An unknown language falls back to English for the page; an unknown answer is refused.
        assert response.status_code in (302, 400)
    assert FeedbackResponse.objects.count() == 1  # only the second, in English
    assert FeedbackResponse.objects.get().language == "en"
    with pytest.raises(Exception):  # noqa: B017 (the service's own check)
        feedback_submit(token=token, language="xx", answers={"safe": "yes"})
    with pytest.raises(Exception):  # noqa: B017
        feedback_submit(token=token, language="en", answers={"story": "yes"})
    assert FeedbackResponse.objects.count() == 1


def test_the_month_is_never_finer_than_its_first_day(token):
    response = feedback_submit(token=token, language="en", answers={"safe": "no"})
    assert response.month.day == 1
    with pytest.raises(Exception):  # noqa: B017 (the database refuses a finer date)
        FeedbackResponse.objects.filter(pk=response.pk).update(month=datetime.date(2026, 3, 14))


def test_the_form_is_public_and_offers_no_session(client, token):
    page = client.get(_url(token))
    assert page.status_code == 200
    assert "sessionid" not in page.cookies and "csrftoken" not in page.cookies
    assert "Set-Cookie" not in str(page.serialize_headers())

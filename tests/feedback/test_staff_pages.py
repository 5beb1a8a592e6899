"""The worker's offer page and card, and the summary: who may reach them, and the summary's
disclosure control (no withheld cell can be worked out from what is published)."""

import pytest
from django.urls import reverse

from tests.factories import login_verified, make_organisation, make_user
from veza.feedback.demo import DEMO_RESPONSES, demo_feedback
from veza.feedback.models import FeedbackResponse
from veza.feedback.selectors import THRESHOLD, summary_for
from veza.feedback.services import feedback_link_read, feedback_submit, link_token
from veza.statistics.disclosure import TOTAL, audit, relations

pytestmark = pytest.mark.django_db


def _answers(n, participant="RS", service="shelter", answer="yes"):
    token = link_token(participant_code=participant, service_type=service)
    for _ in range(n):
        feedback_submit(token=token, language="en", answers={"safe": answer, "needs": "no"})


def test_a_worker_gets_a_link_and_a_card_for_the_service(provider_client):
    page = provider_client.get(reverse("feedback:offer"))
    assert page.status_code == 200 and "Make the link" in page.content.decode()
    made = provider_client.get(reverse("feedback:offer"), {"service_type": "legal_aid"})
    text = made.content.decode()
    assert made.status_code == 200 and "<svg" in text
    url = text.split('id="feedback-link" class="secret" type="text" readonly value="')[1]
    url = url.split('"')[0]
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = feedback_link_read(token)
    assert (link.participant.code, link.service_type) == ("RS", "legal_aid")
    assert "Shelter" not in url  # the organisation is not in the link
    card = provider_client.get(reverse("feedback:card"), {"service_type": "legal_aid"})
    card_text = card.content.decode()
    assert card.status_code == 200 and url in card_text and "@media print" not in card_text
    assert 'lang="ar" dir="rtl"' in card_text and "Tumaro gndipe" in card_text
    assert provider_client.get(url).status_code == 200


def test_a_worker_cannot_make_a_link_for_another_organisation(provider_client):
    other = make_organisation("AL")
    page = provider_client.get(
        reverse("feedback:offer"), {"service_type": "shelter", "organisation": other.pk}
    )
    assert page.status_code == 200 and "<svg" not in page.content.decode()  # not a choice
    assert "feedback-link" not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "offer", "summary"),
    [
        ("frontline_professional", 200, 403),
        ("case_manager", 200, 403),
        ("service_provider", 200, 403),
        ("national_coordinator", 403, 200),
        ("policy_officer", 403, 403),
        ("interpreter_coordinator", 403, 403),
    ],
)
def test_who_reaches_the_staff_pages(client, role, offer, summary):
    login_verified(client, make_user(f"fb-{role}", role=role, organisation=make_organisation()))
    assert client.get(reverse("feedback:offer")).status_code == offer
    assert client.get(reverse("feedback:summary")).status_code == summary


def test_anonymous_visitors_reach_only_the_form(client):
    for name in ("feedback:offer", "feedback:card", "feedback:summary"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def _published_and_safe(summary):
    for table in summary.tables:
        published = table.published()
        assert audit(published, relations(table.protected.table), width=THRESHOLD) == {}
        # No count below the threshold is shown, margins included.
        assert all(v is None or v == 0 or v >= THRESHOLD for v in published.values())


def test_the_national_summary_protects_small_counts(client):
    _answers(12, service="shelter")
    _answers(8, service="legal_aid")
    _answers(3, service="health")  # below the threshold
    _answers(7, participant="AL", service="shelter")  # another participant: not shown
    coordinator = make_user("fb-co", role="national_coordinator", organisation=make_organisation())
    summary = summary_for(user=coordinator, year=FeedbackResponse.objects.first().month.year)
    assert not summary.regional and summary.responses == 23
    assert set(summary.codes["service"]) == {"health", "legal_aid", "shelter"}
    safe = next(t for t in summary.tables if t.question == "safe")
    published = safe.published()
    assert published[("health", "yes")] is None  # 3: withheld (primary)
    assert ("health", "yes") in safe.protected.primary
    # ...and not recoverable from the column total: another cell of the column is withheld too
    assert safe.protected.secondary
    column = [published[(s, "yes")] for s in ("legal_aid", "shelter")] + [published[(TOTAL, "yes")]]
    assert None in column
    assert published[("shelter", "yes")] == 12 or published[("legal_aid", "yes")] == 8
    _published_and_safe(summary)

    login_verified(client, coordinator)
    text = client.get(reverse("feedback:summary")).content.decode()
    assert "protected" in text and "<svg" in text and "Albania" not in text
    first = text.split('<h2 id="q1-h">')[1].split("</table>")[0]  # "Felt safe"
    assert '<td class="num">3</td>' not in first and "protected" in first


def test_the_regional_summary_is_per_participant_and_protected(client):
    _answers(9, participant="RS")
    _answers(2, participant="AL")
    _answers(6, participant="BA", service="legal_aid")
    analyst = make_user(
        "fb-analyst", role="regional_analyst", organisation=make_organisation("HUB")
    )
    summary = summary_for(user=analyst, year=FeedbackResponse.objects.first().month.year)
    assert summary.regional and summary.codes["participant"] == ("AL", "BA", "RS")
    safe = next(t for t in summary.tables if t.question == "safe")
    published = safe.published()
    assert published[("AL", "shelter", "yes")] is None  # 2: withheld
    assert published[("AL", TOTAL, TOTAL)] is None  # and every cell it could be derived from
    _published_and_safe(summary)
    login_verified(client, analyst)
    page = client.get(reverse("feedback:summary"))
    assert page.status_code == 200 and "All participants" in page.content.decode()


def test_the_attacker_cannot_solve_a_withheld_cell_when_protection_is_skipped():
    """The audit has teeth: with primary suppression alone, the totals give the cell away."""
    _answers(12, service="shelter")
    _answers(3, service="health")
    coordinator = make_user("fb-co2", role="national_coordinator", organisation=make_organisation())
    summary = summary_for(user=coordinator, year=FeedbackResponse.objects.first().month.year)
    table = next(t for t in summary.tables if t.question == "safe").protected
    primary_only = {k: (None if k in table.primary else v) for k, v in table.table.cells.items()}
    assert audit(primary_only, relations(table.table), width=THRESHOLD)


def test_the_demo_shows_protected_counts(client):
    first = demo_feedback()
    assert "anonymous answers" in first["lines"][0]
    planned = sum(sum(services.values()) for services in DEMO_RESPONSES.values())
    assert FeedbackResponse.objects.count() == planned
    assert {r.month.day for r in FeedbackResponse.objects.all()} == {1}
    again = demo_feedback()  # idempotent
    assert "exist already" in again["lines"][0]
    assert FeedbackResponse.objects.count() == planned
    analyst = make_user("fb-demo", role="regional_analyst", organisation=make_organisation("HUB"))
    summary = summary_for(user=analyst, year=FeedbackResponse.objects.first().month.year)
    assert any(t.protected.primary for t in summary.tables)
    assert any(v for t in summary.tables for v in t.published().values())
    _published_and_safe(summary)

"""`veza demo --scale N`: the generated national data set (veza.core.scale and the apps' scale
steps)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from veza.cases.models import Case, CaseEvent, Consent, Identity, TraffickingDecision
from veza.cases.services import identity_read
from veza.core.audit import audit_verify
from veza.core.scale import scale_generate
from veza.interpreters.models import (
    BookingStatus,
    InterpreterRequest,
    RequestStatus,
    Skill,
)
from veza.organisations.demo import demo_load
from veza.referrals.demo import demo_referrals
from veza.referrals.models import Deadline, Referral
from veza.screening.models import Screening

from .factories import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """The demo organisations, accounts and service directory (what `veza demo` makes first)."""
    demo_load()
    demo_referrals()


def scale_cases():
    return Case.objects.filter(created_by__username__startswith="scale.")


def digest() -> str:
    """A digest of the deterministic columns (not ids, not times) of the generated data."""
    rows = []
    for case in scale_cases().order_by("code").prefetch_related("screenings"):
        identity = Identity.objects.filter(case=case).first()
        rows.append(
            [
                case.code,
                case.organisation.name,
                case.created_by.username,
                case.age,
                case.sex,
                case.citizenship,
                case.exploitation,
                case.case_status,
                case.trafficking_status,
                [(s.reference, s.outcome, s.answers) for s in case.screenings.all()],
                [identity.given_names, identity.family_name] if identity else None,
                sorted(
                    (r.to_organisation.name, r.status, r.urgency, r.decline_reason)
                    for r in Referral.objects.filter(case=case)
                ),
            ]
        )
    others = sorted(
        Screening.objects.filter(created_by__username__startswith="scale.", cases=None).values_list(
            "reference", "outcome", "status"
        )
    )
    interpreting = sorted(
        [
            r.reference,
            r.languages,
            r.target_language,
            r.setting,
            r.status,
            sorted((b.interpreter.name, b.status) for b in r.bookings.all()),
        ]
        for r in scale_requests().prefetch_related("bookings__interpreter")
    )
    text = json.dumps([rows, others, interpreting], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def wipe() -> None:
    scale_requests().delete()
    Referral.objects.filter(case__in=scale_cases()).delete()
    Screening.objects.filter(created_by__username__startswith="scale.").delete()
    scale_cases().delete()


def test_counts_proportions_and_consistency(directory):
    result = scale_generate(n=300, seed=3)
    counts = result["counts"]
    assert scale_cases().count() == 300 == counts["cases"]
    cases = list(scale_cases())
    # Every case has the screening that led to it, its consent and a timeline.
    for case in cases:
        screenings = list(case.screenings.all())
        assert len(screenings) == 1
        assert screenings[0].outcome in ("potential_victim", "presumed_victim")
        assert screenings[0].organisation_id == case.organisation_id
        assert Consent.objects.filter(case=case, purpose="assistance").exists()
        assert CaseEvent.objects.filter(case=case, kind="case.opened").exists()
        assert case.is_demo and case.version >= 1
    # Roughly the documented proportions.
    assert 0.35 <= Identity.objects.filter(case__in=cases).count() / 300 <= 0.65
    assert 0.25 <= TraffickingDecision.objects.filter(case__in=cases).count() / 300 <= 0.55
    per_case = Referral.objects.filter(case__in=cases).count() / 300
    assert 1.0 <= per_case <= 1.6
    assert 3 <= CaseEvent.objects.filter(case__in=cases).count() / 300 <= 12
    further = Screening.objects.filter(created_by__username__startswith="scale.", cases=None)
    assert 0.6 <= further.count() / 300 <= 1.4
    assert further.filter(status="draft").exists() and further.filter(mode="quick").exists()
    # Statuses consistent with the workflow.
    referrals = Referral.objects.filter(case__in=cases)
    assert {r.status for r in referrals} >= {"sent", "accepted", "declined", "completed"}
    for referral in referrals:
        assert referral.consent is not None and referral.consent.recipient_id == (
            referral.to_organisation_id
        )
        assert referral.to_organisation_id != referral.from_organisation_id
        if referral.status == "declined":
            assert referral.decline_reason and referral.responded_at and referral.closed_at
        if referral.status in ("accepted", "in_progress", "completed"):
            assert referral.responded_by_id and referral.responded_at >= referral.created_at
        if referral.status in ("completed", "declined", "withdrawn"):
            assert referral.closed_at is not None
        else:
            assert referral.closed_at is None
        assert Deadline.objects.filter(referral=referral, kind="first_contact").count() == 1
    for case in cases:
        if case.is_closed:
            assert case.closed_at is not None
            assert not Referral.objects.live().filter(case=case).exists()
        decision = TraffickingDecision.objects.filter(case=case).first()
        assert case.trafficking_status == (decision.status if decision else "Possible")
    # The audit chain verifies.
    assert audit_verify().ok


def test_identities_decrypt_and_pages_of_a_scale_user_work(directory):
    scale_generate(n=120, seed=5)
    identity = Identity.objects.filter(case__in=scale_cases()).select_related("case").first()
    assert identity is not None
    owner = identity.case.organisation
    reader = next(
        m.user
        for m in owner.memberships.select_related("user")
        if m.user.has_perm("cases.view_identity", identity.case)
    )
    read = identity_read(actor=reader, case=identity.case)
    assert read.given_names and read.family_name
    assert Identity.objects.filter(full_name_index=identity.full_name_index).exists()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    case = scale_cases().filter(organisation__sector="social_welfare").first()
    manager = User.objects.get(username="scale.social.1")
    coordinator = User.objects.get(username="scale.coordination.1")
    for user, paths in (
        (manager, ["/cases/", f"/cases/{case.pk}/", "/worklist/"]),
        (coordinator, ["/", "/cases/", f"/cases/{case.pk}/", "/worklist/"]),
    ):
        client = login_verified(Client(), user)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, (user.username, path)
    assert audit_verify().ok


def test_reproducible_and_resumable(directory):
    scale_generate(n=250, seed=7)
    first = digest()
    wipe()
    scale_generate(n=150, seed=7)  # interrupted after part of the first batch …
    result = scale_generate(n=250, seed=7)  # … and resumed: only the missing are added
    assert result["counts"]["cases"] == 100
    assert digest() == first
    wipe()
    scale_generate(n=250, seed=8)
    assert digest() != first
    assert audit_verify().ok


def test_refused_in_production_and_for_no_cases(settings, directory):
    for bad in ("0", "-3", "many"):
        with pytest.raises(CommandError, match="positive whole number"):
            call_command("demo", scale=bad)
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        call_command("demo", scale="10")
    assert not scale_cases().exists()


def scale_requests():
    return InterpreterRequest.objects.filter(reference__in=scale_cases().values("code"))


def test_interpreter_requests_bookings_and_pool(directory):
    from collections import Counter
    from itertools import pairwise

    from django.contrib.auth import get_user_model

    from veza.core.models import AuditEntry
    from veza.interpreters.models import HOLDING, Booking, Interpreter
    from veza.interpreters.scale_pool import PEOPLE_LANGUAGES
    from veza.interpreters.selectors import suggest

    counts = scale_generate(n=1000, seed=11)["counts"]
    requests = list(scale_requests().select_related("organisation", "requester"))
    bookings = list(
        Booking.objects.filter(request__in=requests).select_related("interpreter", "request")
    )
    assert counts["interpreter requests"] == len(requests)
    assert counts["bookings"] == len(bookings)
    assert 0.05 <= len(requests) / 1000 <= 0.11
    # A pool of about one generated interpreter per 500 cases, every language spoken.
    generated = Interpreter.objects.filter(name__contains="(scale ")
    assert generated.count() == counts["interpreters"] >= 2
    spoken = set(Skill.objects.values_list("language", flat=True))
    assert {x for options in PEOPLE_LANGUAGES.values() for x, _w in options} <= spoken
    # Every state of the workflow, with the versions the services reach.
    assert {b.status for b in bookings} == set(BookingStatus.values)
    assert {r.status for r in requests} == set(RequestStatus.values)
    versions = {"proposed": 1, "confirmed": 2, "declined": 2, "done": 3, "no_show": 3}
    for booking in bookings:
        request = booking.request
        if booking.status in versions:
            assert booking.version == versions[booking.status], booking.status
        assert (booking.start, booking.end) == (request.start, request.end)
        assert booking.created_at >= request.created_at
        levels = {s.language: s.proficiency for s in booking.interpreter.skills.all()}
        assert any(levels.get(x, 0) >= request.min_proficiency for x in request.languages)
        assert request.target_language in booking.interpreter.target_languages
        assert booking.interpreter.remote if request.remote else booking.interpreter.on_site
        if booking.status in ("confirmed", "done", "no_show"):
            assert booking.confirmed_by_id and booking.confirmed_at <= booking.start
    for request in requests:
        assert request.requester.has_perm(
            "interpreters.add_interpreterrequest", request.organisation
        )
        statuses = Counter(b.status for b in bookings if b.request_id == request.pk)
        assert statuses["proposed"] + statuses["confirmed"] <= 1
        if request.status == "done":
            assert statuses["done"] == 1
        if request.status == "booked":
            assert statuses["confirmed"] == 1
    # No interpreter is held twice at the same time.
    held = sorted(
        (b.interpreter_id, b.start, b.end) for b in Booking.objects.filter(status__in=HOLDING)
    )
    for (a, _s, end), (b, start, _e) in pairwise(held):
        assert a != b or start >= end
    # One audit entry for each service call.
    actions = Counter(
        AuditEntry.objects.filter(action__startswith="interpreter.").values_list(
            "action", flat=True
        )
    )
    assert actions["interpreter.request"] == len(requests)
    assert actions["interpreter.booking_propose"] == len(bookings)
    assert actions["interpreter.booking_done"] == sum(b.status == "done" for b in bookings)
    assert actions["interpreter.add"] == generated.count()
    assert audit_verify().ok
    # Run again: nothing is added.
    again = scale_generate(n=1000, seed=11)["counts"]
    assert again.get("interpreter requests", 0) == again.get("interpreters", 0) == 0
    assert scale_requests().count() == len(requests)
    # Matching and the pages work on the generated data.
    coming = scale_requests().filter(status="open").first()
    assert coming is not None
    ranked, excluded = suggest(coming)
    assert ranked or excluded
    User = get_user_model()
    coordinator = User.objects.get(username="rs.interpreters")
    for user, paths in (
        (coming.requester, ["/interpreters/", f"/interpreters/requests/{coming.pk}/"]),
        (coordinator, ["/interpreters/pool/", f"/interpreters/requests/{coming.pk}/"]),
    ):
        client = login_verified(Client(), user)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, (user.username, path)

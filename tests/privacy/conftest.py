"""A case with data in every app, made through Veza's services where they exist."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import UTC

import pytest
import time_machine

from tests.factories import make_organisation, make_screening, make_service, make_user

#: When the test case is made and closed.
OPENED_AT = dt.datetime(2026, 3, 17, 10, 30, tzinfo=UTC)
CLOSED_AT = dt.datetime(2026, 4, 20, 15, 45, tzinfo=UTC)
GIVEN, FAMILY = "Ana", "Petrović"


def build_case(organisation, *, close: bool = True, given=GIVEN, family=FAMILY):
    """Open at OPENED_AT, close at CLOSED_AT (or leave open): identity, consents (one withdrawn),
    a screening, a decision, a referral with its deadlines and notice, a cross-border referral,
    an interpreter booking and a timeline."""
    from veza.cases.models import Case
    from veza.cases.services import (
        case_close,
        case_open,
        consent_record,
        consent_withdraw,
        decision_record,
        identity_write,
    )
    from veza.federation.models import CrossBorderReferral, Peer
    from veza.interpreters.models import Booking, Interpreter, InterpreterRequest
    from veza.referrals.services import referral_send

    with time_machine.travel(OPENED_AT, tick=False):
        manager = make_user(role="identification_officer", organisation=organisation)
        screening = make_screening(organisation, complete=True)
        case = case_open(actor=manager, organisation=organisation, screening=screening)
        Case.objects.filter(pk=case.pk).update(
            sex="female", age=24, citizenship="UA", exploitation=["forced_labour"]
        )
        identity_write(
            actor=manager,
            case=case,
            given_names=given,
            family_name=family,
            date_of_birth="2001-02-03",
            contacts=["+381 60 123 4567"],
            languages=["ukr"],
        )
        other = make_organisation(organisation.participant.code)
        service = make_service(other)
        consent_record(
            actor=manager,
            case=case,
            purpose="referral",
            recipient=other,
            information_version="2026-01",
            child_views="Wants to stay near her sister",
        )
        research = consent_record(
            actor=manager, case=case, purpose="research", information_version="2026-01"
        )
        consent_withdraw(actor=manager, consent=research, note="Changed her mind on the phone")
        referral = referral_send(
            actor=manager,
            case=case,
            service=service,
            reason="Needs a safe shelter after leaving the farm",
            urgency="urgent",
        )
        decision_record(
            actor=manager,
            case=case,
            status="Actual",
            organisation=organisation,
            decided_on=OPENED_AT.date(),
            note="Interview at the police station",
        )
        peer, _created = Peer.objects.get_or_create(
            instance="veza-ba",
            defaults={
                "name": "Veza BA",
                "participant": "BA",
                "role": "national",
                "base_url": "https://veza-ba.example",
                "status": "active",
            },
        )
        CrossBorderReferral.objects.create(
            reference=uuid.uuid4(),
            direction="out",
            peer=peer,
            case=case,
            organisation=organisation,
            counterpart={"organisation": "Shelter Sarajevo", "participant": "BA"},
            reason="Return to her family in Tuzla",
            urgency="routine",
            shared_fields=["given_names", "family_name"],
            shared_data={"given_names": given, "family_name": family},
            risk_assessment="Family is supportive; no threat known",
        )
        interpreter, _created = Interpreter.objects.get_or_create(
            name="Iryna Interpreter",
            defaults={
                "participant": organisation.participant,
                "gender": "female",
                "target_languages": ["srp"],
            },
        )
        request = InterpreterRequest.objects.create(
            requester=manager,
            organisation=organisation,
            participant=organisation.participant,
            reference=case.code,
            languages=["ukr"],
            target_language="srp",
            start=OPENED_AT + dt.timedelta(days=1),
            end=OPENED_AT + dt.timedelta(days=1, hours=2),
            setting="counselling",
        )
        Booking.objects.create(
            request=request, interpreter=interpreter, start=request.start, end=request.end
        )
    if close:
        with time_machine.travel(CLOSED_AT, tick=False):
            case = Case.objects.get(pk=case.pk)
            case_close(actor=manager, case=case, expected_version=case.version)
    case = Case.objects.get(pk=case.pk)
    case.referral = referral
    case.manager = manager
    return case


@pytest.fixture
def closed_case(organisation):
    return build_case(organisation)


@pytest.fixture
def register_file(tmp_path, settings):
    """A copy of the shipped register that a test may change (`edit(text) -> text`)."""
    from veza.privacy.register import register_path

    original = register_path().read_text("utf-8")
    path = tmp_path / "retention.yaml"

    def write(edit=lambda text: text):
        path.write_text(edit(original), "utf-8")
        settings.VEZA_RETENTION_REGISTER = str(path)
        return path

    return write

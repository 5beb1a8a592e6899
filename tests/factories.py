"""Test data made through Veza's own services, so that tests see what real use produces."""

from __future__ import annotations

import itertools
import time

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.middleware import LOGIN_AT
from veza.organisations.choices import OrganisationType, Sector
from veza.organisations.models import Participant, Role
from veza.organisations.services import membership_create, organisation_create

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)


def make_organisation(participant_code: str = "RS", *, sector=Sector.HEALTH, name=None):
    participant = Participant.objects.get(code=participant_code)
    return organisation_create(
        actor="test",
        participant=participant,
        name=name or f"Test organisation {next(_seq)} ({participant_code})",
        sector=sector,
        type=OrganisationType.PUBLIC_BODY,
    )


def make_user(username=None, *, role: str | None = None, organisation=None, totp: bool = True):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=PASSWORD
    )
    if totp:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    if role:
        membership_create(
            actor="test",
            user=user,
            organisation=organisation or make_organisation(),
            role=Role.objects.get(code=role),
        )
    return user


def current_code(user, offset_steps: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def login_verified(client, user):
    """A session as after a full login with the second factor (for tests of other things)."""
    client.force_login(user, backend="veza.organisations.backends.MembershipBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session[LOGIN_AT] = time.time()
    session.save()
    return client


def step_up(client):
    """A session whose second factor was just confirmed again (core.stepup), for tests of exports
    that are not about step-up itself."""
    from veza.core.stepup import STEP_UP_AT

    session = client.session
    session[STEP_UP_AT] = time.time()
    session.save()
    return client


QUICK_POTENTIAL = {
    "danger_now": "no",
    "medical_now": "no",
    "age": 30,
    "documents_held": "yes",
    "unpaid": "yes",
}


def make_screening(organisation, *, questionnaire="quick", answers=None, complete=False, user=None):
    """A screening in `organisation`, made through the services by a member who may screen."""
    from veza.screening.services import screening_complete, screening_save, screening_start

    if user is None:
        user = make_user(role="frontline_professional", organisation=organisation)
    screening = screening_start(
        actor=user, organisation=organisation, questionnaire_code=questionnaire
    )
    if answers is None and questionnaire == "quick":
        answers = QUICK_POTENTIAL
    if answers:
        screening = screening_save(
            actor=user, screening=screening, answers=answers, expected_version=screening.version
        )
    if complete:
        screening = screening_complete(
            actor=user, screening=screening, expected_version=screening.version
        )
    return screening


def make_case(organisation, *, user=None, **facts):
    """A case in `organisation`, opened through the service by a case manager."""
    from veza.cases.services import case_open

    if user is None:
        user = make_user(role="case_manager", organisation=organisation)
    return case_open(actor=user, organisation=organisation, **facts)


def make_service(organisation, service_type="shelter", **values):
    from veza.referrals.services import service_save

    user = make_user(role="service_provider", organisation=organisation)
    values.setdefault("capacity_total", 10)
    values.setdefault("capacity_free", 3)
    return service_save(actor=user, organisation=organisation, service_type=service_type, **values)


def make_referral(case, *, manager, service=None, shared_fields=(), **values):
    """A referral of `case` to `service` (a new shelter of the case's participant by default),
    with the person's consent for it — and for sharing data, when identity fields are shared."""
    from veza.cases.services import IDENTITY_FIELDS, consent_record
    from veza.referrals.services import referral_send

    if service is None:
        service = make_service(
            make_organisation(case.participant.code, sector="shelter_protection")
        )
    purposes = ["referral"]
    if set(shared_fields) & set(IDENTITY_FIELDS):
        purposes.append("data_sharing")
    for purpose in purposes:
        consent_record(
            actor=manager,
            case=case,
            purpose=purpose,
            recipient=service.organisation,
            information_version="v1",
        )
    values.setdefault("reason", "A safe bed tonight")
    values.setdefault("urgency", "urgent")
    return referral_send(
        actor=manager, case=case, service=service, shared_fields=list(shared_fields), **values
    )


def xlsx_bytes(rows=()) -> bytes:
    """A workbook of one sheet with these rows, as uploaded."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

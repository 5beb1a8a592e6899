"""Subject access (SECURITY.md row 17): everything held about the person of a case, JSON and PDF,
audited; on the command line and on a page for those who may."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import current_code, login_verified, make_organisation, make_user
from tests.privacy.conftest import FAMILY, GIVEN, build_case
from veza.core.models import AuditEntry
from veza.privacy.subject_access import subject_access_data

URL = "/privacy/subject-access/"


def pdf_text(raw: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)


@pytest.fixture
def coordinator(organisation):
    return make_user(role="national_coordinator", organisation=make_organisation("RS"))


@pytest.mark.django_db
def test_the_export_holds_every_part_from_every_app(closed_case):
    data = subject_access_data(closed_case)
    assert data["format"] == "veza-subject-access/1"
    assert data["case"]["caseId"] == closed_case.code and data["case"]["citizenship"] == "UA"
    assert (data["identity"]["givenName"], data["identity"]["familyName"]) == (GIVEN, FAMILY)
    assert data["identity"]["contacts"] == ["+381 60 123 4567"]
    assert {e["kind"] for e in data["timeline"]} >= {"case.opened", "case.closed"}
    assert [d["note"] for d in data["decisions"]] == ["Interview at the police station"]
    consents = {c["purpose"]: c for c in data["consents"]}
    assert consents["referral"]["childViews"] == "Wants to stay near her sister"
    assert consents["research"]["withdrawnAt"] and consents["research"]["withdrawalNote"]
    (screening,) = data["screenings"]
    assert screening["answers"]["unpaid"] == "yes" and screening["outcome"]
    (referral,) = data["referrals"]
    assert referral["reason"].startswith("Needs a safe shelter")
    assert referral["deadlines"] and referral["sharedFields"]
    (abroad,) = data["crossBorderReferrals"]
    assert abroad["sharedData"] == {"given_names": GIVEN, "family_name": FAMILY}
    assert abroad["peer"]["participant"] == "BA" and abroad["riskAssessment"]
    (booking,) = data["interpreterBookings"]
    assert booking["languages"] == ["ukr"]
    assert booking["bookings"][0]["interpreter"] == "Iryna Interpreter"
    assert data["notifications"][0]["kind"] == "referral.received"
    actions = {e["action"] for e in data["audit"]}
    assert {"case.open", "identity.update", "consent.record", "referral.send"} <= actions
    assert all(e["by"] for e in data["audit"])  # professionals by username
    json.dumps(data)  # every value is plain JSON


@pytest.mark.django_db
def test_the_command_writes_json_and_a_pdf_with_the_name_and_audits(closed_case, tmp_path):
    out = tmp_path / "sar"
    call_command("subject_access", "export", closed_case.code, "--out", str(out), "--lang", "sr")
    data = json.loads((out / f"{closed_case.code}.json").read_text("utf-8"))
    assert data["identity"]["familyName"] == FAMILY
    pdf = (out / f"{closed_case.code}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert f"{GIVEN} {FAMILY}" in text and "Iryna Interpreter" in text
    entry = AuditEntry.objects.get(action="subject_access.export")
    assert entry.object_id == str(closed_case.pk) and entry.actor.startswith("cli")
    assert entry.detail["case"] == closed_case.pk
    assert FAMILY not in json.dumps(entry.detail, ensure_ascii=False)


@pytest.mark.django_db
def test_the_command_finds_a_case_by_its_id_too(closed_case, tmp_path):
    call_command("subject_access", "export", str(closed_case.pk), "--out", str(tmp_path))
    assert (tmp_path / f"{closed_case.code}.json").exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_case_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="No such case"):
        call_command("subject_access", "export", "RS-2026-NOSUCH", "--out", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
    assert not AuditEntry.objects.filter(action="subject_access.export").exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_language(closed_case, tmp_path):
    with pytest.raises(CommandError, match="No language"):
        call_command(
            "subject_access", "export", closed_case.code, "--out", str(tmp_path), "--lang", "xx"
        )


@pytest.mark.django_db
def test_the_coordinator_downloads_the_pdf_with_a_fresh_code(client, closed_case, coordinator):
    login_verified(client, coordinator)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        {
            "case": closed_case.code,
            "format": "pdf",
            "language": "en",
            "step_up-code": current_code(coordinator),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert closed_case.code in response["Content-Disposition"]
    assert f"{GIVEN} {FAMILY}" in pdf_text(response.content)
    assert AuditEntry.objects.filter(
        action="subject_access.export", actor_id=coordinator.pk, object_id=str(closed_case.pk)
    ).exists()


@pytest.mark.django_db
def test_the_json_download(client, closed_case, coordinator):
    login_verified(client, coordinator)
    response = client.post(
        URL,
        {
            "case": closed_case.code,
            "format": "json",
            "language": "en",
            "step_up-code": current_code(coordinator),
        },
    )
    assert json.loads(response.content)["identity"]["givenName"] == GIVEN
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_wrong_code_downloads_nothing(client, closed_case, coordinator):
    login_verified(client, coordinator)
    form = {"case": closed_case.code, "format": "json", "language": "en"}
    asked = client.post(URL, form)
    assert asked.status_code == 403 and 'name="step_up-code"' in asked.content.decode()
    response = client.post(URL, {**form, "step_up-code": "000000"})
    assert response.status_code == 400
    assert GIVEN.encode() not in response.content + asked.content
    assert not AuditEntry.objects.filter(action="subject_access.export").exists()
    assert AuditEntry.objects.filter(
        action="auth.step_up_failed", detail__for="privacy.subject_access"
    ).exists()


@pytest.mark.django_db
def test_a_case_of_another_participant_is_not_found(client, coordinator):
    elsewhere = build_case(make_organisation("BA"))
    login_verified(client, coordinator)
    response = client.post(
        URL,
        {
            "case": elsewhere.code,
            "format": "json",
            "language": "en",
            "step_up-code": current_code(coordinator),
        },
    )
    assert response.status_code == 404
    assert GIVEN.encode() not in response.content
    assert not AuditEntry.objects.filter(action__startswith="subject_access").exists()


@pytest.mark.django_db
def test_those_without_the_permission_are_refused(client, closed_case):
    manager = closed_case.manager  # works on the case, but may not export everything
    login_verified(client, manager)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"case": closed_case.code, "format": "json", "language": "en"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_permission_comes_with_the_national_coordinator_role():
    from veza.organisations.models import Role

    role = Role.objects.get(code="national_coordinator")
    assert role.permissions.filter(content_type__app_label="privacy", codename="subject_access")
    assert reverse("privacy:subject_access") == URL

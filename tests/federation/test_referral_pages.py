"""Referrals between participants in the pages: refer a case from its page (consent needed),
answer a referral received, withdraw one sent; both timelines and the outbox show it."""

import pytest

from tests.factories import login_verified, make_case, make_organisation, make_service, make_user
from veza.cases.models import CaseEvent
from veza.cases.services import consent_record
from veza.core.models import AuditEntry
from veza.federation.models import CrossBorderReferral, Packet, RemoteService

pytestmark = pytest.mark.django_db

INBOX = "/federation/inbox/"


def _post(client, raw):
    return client.generic("POST", INBOX, raw, content_type="application/vnd.veza.packet+json")


@pytest.fixture
def rs_directory(client, remote):
    """The remote (RS) publishes its directory: a shelter and a return service."""
    payload = {
        "participant": "RS",
        "published_at": "2026-11-25T10:00:00+00:00",
        "services": [
            {
                "id": 7,
                "organisation": "Shelter Belgrade",
                "city": "Beograd",
                "service_type": "shelter",
            },
            {
                "id": 8,
                "organisation": "IOM Belgrade",
                "city": "Beograd",
                "service_type": "return_assistance",
            },
        ],
    }
    assert _post(client, remote.packet("directory.publish", payload)[1]).status_code == 202
    return {s.service_type: s for s in RemoteService.objects.all()}


@pytest.fixture
def worker_case(db):
    organisation = make_organisation("MK", name="CSW Skopje", sector="social_welfare")
    worker = make_user("mk-cm", role="case_manager", organisation=organisation)
    case = make_case(
        organisation, user=worker, sex="female", age=19, exploitation=["sexual_exploitation"]
    )
    return worker, case


def test_refer_a_case_to_another_participant(
    client, remote, rs_directory, worker_case, django_capture_on_commit_callbacks
):
    worker, case = worker_case
    login_verified(client, worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Refer to another participant" in page
    form = {
        "service": rs_directory["shelter"].pk,
        "reason": "Wants to be near her sister",
        "urgency": "urgent",
        "shared_fields": ["sex", "age", "exploitation"],
    }
    refused = client.post(f"/federation/cases/{case.pk}/refer/", form)
    assert (
        refused.status_code == 400
        and "no consent for a referral to another country" in refused.content.decode()
    )
    assert not CrossBorderReferral.objects.exists()
    assert not Packet.objects.filter(direction="out").exists()
    consent_record(actor=worker, case=case, purpose="cross_border", information_version="v1")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/federation/cases/{case.pk}/refer/", form)
    referral = CrossBorderReferral.objects.get(direction="out")
    assert sent.status_code == 302 and sent["Location"] == f"/federation/referrals/{referral.pk}/"
    packet = Packet.objects.get(direction="out", packet_type="referral.offer")
    _header, payload = remote.read(packet)
    assert payload["service"] == 7 and payload["shared"] == {
        "sex": "female",
        "age": 19,
        "exploitation": ["sexual_exploitation"],
    }
    assert payload["from"]["case_code"] == case.code
    assert packet.status == "pending" and packet.attempts == 1  # RS does not answer in this test
    assert CaseEvent.objects.filter(case=case, kind="referral.cross_border_offered").exists()
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert (
        "Referred to a service in RS" in timeline and "Referrals between participants" in timeline
    )
    # RS accepts: the answer arrives at the inbox and shows on the case.
    answer = remote.packet(
        "referral.response",
        {
            "reference": str(referral.reference),
            "status": "accepted",
            "case_code": "RS-2026-XYZ123",
            "reason": "",
        },
    )[1]
    assert _post(client, answer).status_code == 202
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.remote_case_code == "RS-2026-XYZ123"
    # A return needs its risk assessment.
    returned = client.post(
        f"/federation/cases/{case.pk}/refer/",
        {**form, "service": rs_directory["return_assistance"].pk},
    )
    assert returned.status_code == 400 and "risk assessment" in returned.content.decode()
    # Withdrawn by the sender: the other side is told.
    client.post(f"/federation/referrals/{referral.pk}/", {"status": "withdrawn"})
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert Packet.objects.filter(direction="out", packet_type="referral.update").exists()


def test_answer_a_referral_received(client, remote, django_capture_on_commit_callbacks):
    organisation = make_organisation("MK", name="Shelter Ohrid", sector="shelter_protection")
    service = make_service(organisation, "shelter")
    provider = make_user("mk-prov", role="service_provider", organisation=organisation)
    offer = {
        "reference": "2b0f5a52-3c5e-4b8e-9a55-1f8f0c0e9d11",
        "service": service.pk,
        "from": {
            "organisation": "Police Novi Sad",
            "participant": "RS",
            "case_code": "RS-2026-AAAAAA",
        },
        "reason": "Safe accommodation",
        "urgency": "immediate",
        "shared": {"sex": "male", "age": 16, "is_child": True, "given_names": "Marko"},
    }
    assert _post(client, remote.packet("referral.offer", offer)[1]).status_code == 202
    referral = CrossBorderReferral.objects.get(direction="in")
    login_verified(client, provider)
    listing = client.get("/federation/referrals/").content.decode()
    assert referral.case.code in listing
    page = client.get(f"/federation/referrals/{referral.pk}/").content.decode()
    assert "Marko" in page and "Police Novi Sad" in page
    assert AuditEntry.objects.filter(action="federation.read_shared_identity").exists()
    refused = client.post(f"/federation/referrals/{referral.pk}/", {"status": "declined"})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/federation/referrals/{referral.pk}/", {"status": "accepted"})
        client.post(f"/federation/referrals/{referral.pk}/", {"status": "in_progress"})
    referral.refresh_from_db()
    assert referral.status == "in_progress"
    kinds = [
        remote.read(p)[1]["status"] for p in Packet.objects.filter(direction="out").order_by("pk")
    ]
    assert kinds == ["accepted", "in_progress"]
    # Another organisation of the same participant does not see it.
    stranger = make_user(
        "mk-other", role="service_provider", organisation=make_organisation("MK", name="Other")
    )
    login_verified(client, stranger)
    assert client.get(f"/federation/referrals/{referral.pk}/").status_code == 404

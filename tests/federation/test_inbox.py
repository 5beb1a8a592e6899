"""The inbox of this instance over real HTTP (Django's test client): a referral offer from
another participant opens a linked case; every bad packet is refused, logged and changes nothing;
a packet is processed once."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_organisation, make_service, make_user
from veza.cases.models import Case, CaseEvent
from veza.core.models import AuditEntry
from veza.federation import services
from veza.federation.envelope import Identity
from veza.federation.models import CrossBorderReferral, Packet, RejectedPacket
from veza.federation.referrals import referral_update

pytestmark = pytest.mark.django_db

INBOX = "/federation/inbox/"


@pytest.fixture
def shelter(db):
    organisation = make_organisation("MK", name="Shelter Skopje", sector="shelter_protection")
    return make_service(organisation, "shelter")


def _offer(shelter, reference=None):
    return {
        "reference": str(reference or uuid.uuid4()),
        "service": shelter.pk,
        "from": {
            "organisation": "Centre for Social Work (RS)",
            "participant": "RS",
            "case_code": "RS-2026-ABCDEF",
        },
        "reason": "Needs a safe place near the family",
        "urgency": "urgent",
        "shared": {
            "sex": "female",
            "age": 24,
            "exploitation": ["forced_labour"],
            "given_names": "Ana",
        },
        "risk_assessment": "",
        "consent": {"purpose": "cross_border", "recorded_at": "2026-11-20T10:00:00+00:00"},
    }


def _post(client, raw):
    return client.generic("POST", INBOX, raw, content_type="application/vnd.veza.packet+json")


def test_an_offer_opens_a_linked_case_once(client, remote, shelter):
    responder = make_user("mk-shelter", role="service_provider", organisation=shelter.organisation)
    packet_id, raw = remote.packet("referral.offer", _offer(shelter))
    answer = _post(client, raw)
    assert answer.status_code == 202 and answer.json() == {"status": "processed", "id": packet_id}
    referral = CrossBorderReferral.objects.get(direction="in")
    case = referral.case
    assert case.code.startswith("MK-") and case.organisation == shelter.organisation
    assert (case.sex, case.age, case.exploitation) == ("female", 24, ["forced_labour"])
    assert (
        referral.shared_data["given_names"] == "Ana"
        and referral.remote_case_code == "RS-2026-ABCDEF"
    )
    assert CaseEvent.objects.filter(case=case, kind="referral.cross_border_received").exists()
    assert responder.notifications.filter(kind="referral.received").exists()
    # The same packet again is not processed again, and is logged as a replay.
    again = _post(client, raw)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Case.objects.count() == 1 and CrossBorderReferral.objects.count() == 1
    assert RejectedPacket.objects.get().reason == "replayed"
    # The identity fields are sealed at rest: not in the database in clear.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT shared_data FROM federation_crossborderreferral")
        assert "Ana" not in cursor.fetchone()[0]


def test_the_answer_goes_back_and_waits_when_the_peer_is_down(
    client, remote, shelter, django_capture_on_commit_callbacks
):
    responder = make_user("mk-shelter2", role="service_provider", organisation=shelter.organisation)
    _post(client, remote.packet("referral.offer", _offer(shelter))[1])
    referral = CrossBorderReferral.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        referral_update(actor=responder, referral=referral, status="accepted")
    packet = Packet.objects.get(direction="out", packet_type="referral.response")
    # The remote's address does not answer: the packet stays in the outbox for later.
    assert packet.status == "pending" and packet.attempts == 1 and packet.last_error
    assert packet.next_attempt_at > packet.created_at
    _header, payload = remote.read(packet)
    assert payload == {
        "reference": str(referral.reference),
        "status": "accepted",
        "case_code": referral.case.code,
        "reason": "",
    }
    # A step that does not fit is refused.
    from veza.core.errors import ValidationError

    with pytest.raises(ValidationError):
        referral_update(actor=responder, referral=referral, status="declined", reason="x")


def _tamper(raw, change):
    packet = json.loads(raw)
    change(packet)
    return json.dumps(packet).encode()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda r, s: _tamper(
                r.packet("referral.offer", _offer(s))[1], lambda p: p["header"].update(urgency="x")
            ),
            "bad_signature",
        ),
        (
            lambda r, s: r.packet("referral.offer", _offer(s), ttl=timedelta(seconds=-1))[1],
            "expired",
        ),
        (lambda r, s: r.packet("referral.offer", _offer(s), recipient="veza-al")[1], "not_for_us"),
        (
            lambda r, s: r.packet(
                "referral.offer",
                _offer(s),
                recipient_encryption_key=Identity.generate().encryption_public,
            )[1],
            "undecryptable",
        ),
        (lambda r, s: r.packet("referral.offer", {"nothing": True})[1], "bad_payload"),
        (lambda r, s: b"<html>not a packet</html>", "malformed"),
    ],
)
def test_bad_packets_are_refused_logged_and_change_nothing(client, remote, shelter, make, reason):
    answer = _post(client, make(remote, shelter))
    assert answer.status_code == 400 and answer.json() == {"status": "rejected", "reason": reason}
    assert RejectedPacket.objects.get().reason == reason
    assert AuditEntry.objects.filter(action="federation.packet_rejected").exists()
    assert not Case.objects.exists() and not Packet.objects.filter(direction="in").exists()


def test_unknown_and_suspended_senders_are_refused(client, remote, shelter):
    stranger = type(remote)(instance="veza-xx", participant="XK")
    answer = _post(client, stranger.packet("referral.offer", _offer(shelter))[1])
    assert answer.json()["reason"] == "unknown_sender"
    services.peer_set_status(actor="test", peer=remote.peer, status="suspended")
    answer = _post(client, remote.packet("referral.offer", _offer(shelter))[1])
    assert answer.json()["reason"] == "suspended_sender"
    assert not Case.objects.exists()
    # Trusted again, it is heard again.
    services.peer_set_status(actor="test", peer=remote.peer, status="active")
    assert _post(client, remote.packet("referral.offer", _offer(shelter))[1]).status_code == 202


def test_a_rotated_key_is_used_only_once_confirmed(client, remote, shelter):
    old = remote.identity
    remote.identity = Identity.generate()
    peer, key = services.peer_import(actor="test", raw=remote.card())
    assert peer.key.signing_key != key.signing_key  # still the old one until confirmed
    assert (
        _post(client, remote.packet("referral.offer", _offer(shelter))[1]).json()["reason"]
        == "bad_signature"
    )
    from veza.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.peer_confirm(actor="test", peer=peer, fingerprint="0000 " * 8)
    assert "does not match" in str(caught.value.fields)
    services.peer_confirm(actor="test", peer=peer, fingerprint=key.fingerprint)
    assert _post(client, remote.packet("referral.offer", _offer(shelter))[1]).status_code == 202
    remote.identity = old
    assert (
        _post(client, remote.packet("referral.offer", _offer(shelter))[1]).json()["reason"]
        == "bad_signature"
    )
    assert peer.keys.count() == 2 and peer.keys.filter(retired_at__isnull=False).count() == 1


def test_a_packet_travels_as_a_file_too(remote, shelter, tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "offer.packet"
    path.write_bytes(remote.packet("referral.offer", _offer(shelter))[1])
    call_command("federation", "import", str(path))
    assert CrossBorderReferral.objects.count() == 1
    call_command("federation", "import", str(path))  # again: not processed twice
    assert "duplicate" in capsys.readouterr().out and CrossBorderReferral.objects.count() == 1
    assert RejectedPacket.objects.get().transport == "file"
    path.write_bytes(b"{}")
    with pytest.raises(CommandError, match="malformed"):
        call_command("federation", "import", str(path))


def test_expired_outbox_packets_are_given_up(remote):
    packet = services.packet_queue(
        peer=remote.peer, packet_type="directory.publish", payload={"services": []}
    )
    later = datetime.now(UTC) + timedelta(days=15)
    services.outbox_flush(now=later, force=True)
    packet.refresh_from_db()
    assert packet.status == "expired"


def test_the_inbox_takes_packets_only(client, db, settings, tmp_path):
    from veza.federation import services

    settings.VEZA_KEYS_DIR = tmp_path / "none"
    services.identity.cache_clear()
    assert client.get(INBOX).status_code == 405
    assert _post(client, b"{}").status_code == 503  # no identity yet: no packet taken
    services.identity.cache_clear()
    # A form is no packet (its parts are read before the view, where a full disk is caught).
    response = client.post(INBOX, {"packet": "x"})
    assert response.status_code == 400
    assert response.json() == {"status": "rejected", "reason": "malformed"}
    assert not Packet.objects.exists() and not RejectedPacket.objects.exists()


def test_a_card_changes_nothing_before_its_fingerprint_is_checked(remote):
    forged = type(remote)()  # same instance name, another key, another address
    peer, key = services.peer_import(actor="test", raw=forged.card(base_url="https://evil.example"))
    peer.refresh_from_db()
    assert peer.base_url == "http://127.0.0.1:9" and peer.key.fingerprint != key.fingerprint
    services.peer_confirm(actor="test", peer=peer, fingerprint=key.fingerprint)
    peer.refresh_from_db()
    assert peer.base_url == "https://evil.example"  # only once an administrator confirmed it


def test_packets_sealed_to_the_old_key_open_after_a_rotation(client, remote, shelter):
    old_key = services.identity().encryption_public
    services.identity_init(actor="test", rotate=True)
    assert services.identity().encryption_public != old_key
    _id, raw = remote.packet("referral.offer", _offer(shelter), recipient_encryption_key=old_key)
    assert _post(client, raw).status_code == 202


def test_a_reused_reference_is_refused_not_taken_for_a_replay(client, remote, shelter):
    reference = uuid.uuid4()
    assert (
        _post(client, remote.packet("referral.offer", _offer(shelter, reference))[1]).status_code
        == 202
    )
    again = _post(client, remote.packet("referral.offer", _offer(shelter, reference))[1])
    assert again.status_code == 400 and again.json()["reason"] == "bad_payload"
    assert CrossBorderReferral.objects.count() == 1

"""The administrator's federation page: own card and fingerprint, add a peer from its card,
check the fingerprint, suspend and trust again, send the directory."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import login_verified
from tests.federation.conftest import Remote
from veza.core.models import AuditEntry
from veza.federation.envelope import card_read
from veza.federation.models import Packet, Peer

pytestmark = pytest.mark.django_db


def test_add_check_suspend_and_publish(client, instance, admin_user):
    login_verified(client, admin_user)
    page = client.get("/federation/").content.decode()
    assert instance.fingerprint in page
    own = client.get("/federation/?card=download")
    assert card_read(own.content)["fingerprint"] == instance.fingerprint
    remote = Remote(instance="veza-al", participant="AL")
    card = SimpleUploadedFile("card.json", remote.card())
    added = client.post("/federation/", {"action": "import", "card-card": card})
    assert added.status_code == 302
    peer = Peer.objects.get()
    assert peer.status == "pending" and peer.key is None
    bad = client.post(
        "/federation/", {"action": "confirm", "peer": peer.pk, "confirm-fingerprint": "AAAA " * 8}
    )
    assert bad.status_code == 400 and "does not match" in bad.content.decode()
    fingerprint = remote.identity.fingerprint.lower()  # read aloud: case and spaces do not matter
    client.post(
        "/federation/", {"action": "confirm", "peer": peer.pk, "confirm-fingerprint": fingerprint}
    )
    peer.refresh_from_db()
    assert peer.status == "active" and peer.key.fingerprint == remote.identity.fingerprint
    client.post("/federation/", {"action": "publish"})
    assert Packet.objects.filter(
        direction="out", packet_type="directory.publish", peer=peer
    ).exists()
    client.post("/federation/", {"action": "suspend", "peer": peer.pk})
    peer.refresh_from_db()
    assert peer.status == "suspended"
    client.post("/federation/", {"action": "activate", "peer": peer.pk})
    peer.refresh_from_db()
    assert peer.status == "active"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "federation.peer_import",
        "federation.peer_confirm",
        "federation.peer_suspended",
    } <= actions
    garbage = client.post(
        "/federation/", {"action": "import", "card-card": SimpleUploadedFile("c.json", b"x")}
    )
    assert garbage.status_code == 400 and "not a valid Veza peer card" in garbage.content.decode()


def test_only_the_administrator_manages_peers(client, instance, member):
    login_verified(client, member)
    assert client.get("/federation/").status_code == 403

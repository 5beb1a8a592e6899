"""An instance (this test's database, as MK) and another one in the test itself (RS: only its
keys), trusted both ways as after the fingerprint check."""

import base64

import pytest

from veza.federation import services
from veza.federation.envelope import Identity, card_write, seal


class Remote:
    """The other instance, reduced to what this one sees of it: its keys and its packets."""

    def __init__(self, instance="veza-rs", participant="RS", role="national"):
        self.instance, self.participant, self.role = instance, participant, role
        self.identity = Identity.generate()

    def card(self, base_url="http://127.0.0.1:9"):
        return card_write(
            self.identity,
            instance=self.instance,
            name=f"Veza {self.participant}",
            participant=self.participant,
            role=self.role,
            base_url=base_url,
        )

    def packet(self, packet_type, payload, **changes):
        args = {
            "sender": self.instance,
            "recipient": "veza-mk",
            "recipient_encryption_key": services.identity().encryption_public,
            "packet_type": packet_type,
            "payload": payload,
        }
        args.update(changes)
        return seal(self.identity, **args)

    def read(self, packet):
        """Open a packet this instance queued for the remote."""
        from veza.federation.envelope import open_packet

        return open_packet(
            packet.body.encode(),
            identity=self.identity,
            me=self.instance,
            sender_key=lambda _s: services.identity().signing_public,
        )


@pytest.fixture
def instance(settings, tmp_path):
    settings.VEZA_KEYS_DIR = tmp_path / "keys"
    settings.VEZA_INSTANCE_ID = "veza-mk"
    settings.VEZA_INSTANCE_PARTICIPANT = "MK"
    settings.VEZA_INSTANCE_NAME = "Veza MK (test)"
    settings.VEZA_BASE_URL = "http://127.0.0.1:9"
    settings.VEZA_FEDERATION_TIMEOUT = 2
    services.identity.cache_clear()
    services.identity_init(actor="test")
    yield services.identity()
    services.identity.cache_clear()


@pytest.fixture
def remote(instance, db):
    remote = Remote()
    peer, key = services.peer_import(actor="test", raw=remote.card())
    remote.peer = services.peer_confirm(actor="test", peer=peer, fingerprint=key.fingerprint)
    return remote


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

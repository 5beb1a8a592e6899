"""The outbox towards a suspended peer: nothing leaves while the peer is suspended; the packets
wait (until they expire) and go once it is trusted again."""

import pytest

from veza.federation import services
from veza.federation.models import Packet

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_to_a_suspended_peer(remote):
    packet = services.packet_queue(
        peer=remote.peer, packet_type="directory.publish", payload={"services": []}
    )
    services.peer_set_status(actor="test", peer=remote.peer, status="suspended")
    assert services.outbox_flush(force=True) == {"delivered": 0, "waiting": 1}
    packet.refresh_from_db()
    assert (packet.status, packet.attempts) == (Packet.Status.PENDING, 0)
    # Trusted again, the packet is tried again (the test peer's address does not answer).
    services.peer_set_status(actor="test", peer=remote.peer, status="active")
    services.outbox_flush(force=True)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.PENDING and packet.attempts == 1

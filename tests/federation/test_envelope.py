"""The packet envelope and peer cards, without Django: every refusal has its reason."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veza.federation.envelope import (
    Identity,
    PacketError,
    card_read,
    card_write,
    open_packet,
    seal,
)

RS, MK = Identity.generate(), Identity.generate()
KEYS = {"rs": RS.signing_public, "mk": MK.signing_public}


def known(sender):
    if sender not in KEYS:
        raise PacketError("unknown_sender", sender)
    return KEYS[sender]


def _seal(**changes):
    args = {
        "sender": "rs",
        "recipient": "mk",
        "recipient_encryption_key": MK.encryption_public,
        "packet_type": "referral.offer",
        "payload": {"reference": "RS-2026-0001", "services": ["shelter"]},
    }
    args.update(changes)
    return seal(RS, **args)


def _open(raw, *, identity=MK, me="mk", now=None):
    return open_packet(raw, identity=identity, me=me, sender_key=known, now=now)


def test_a_packet_opens_for_its_recipient_only():
    packet_id, raw = _seal()
    header, payload = _open(raw)
    assert header["id"] == packet_id and header["type"] == "referral.offer"
    assert payload == {"reference": "RS-2026-0001", "services": ["shelter"]}
    assert b"RS-2026-0001" not in raw  # encrypted, not merely encoded
    with pytest.raises(PacketError) as caught:
        _open(raw, identity=RS, me="rs")
    assert caught.value.reason == "not_for_us"


def _tamper(raw, change):
    packet = json.loads(raw)
    change(packet)
    return json.dumps(packet).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p["header"].update(recipient="al"), "bad_signature"),
        (lambda p: p["header"].update(expires="2999-01-01T00:00:00+00:00"), "bad_signature"),
        (lambda p: p.update(ciphertext=p["ciphertext"][:-8] + "AAAAAAA="), "bad_signature"),
        (lambda p: p["header"].update(sender="xx"), "unknown_sender"),
        (lambda p: p["header"].pop("nonce"), "malformed"),
        (lambda p: p["header"].update(type="referral.steal"), "malformed"),
        (lambda p: p.update(signature="%%%"), "malformed"),
    ],
)
def test_altered_packets_are_refused_with_their_reason(change, reason):
    _id, raw = _seal()
    with pytest.raises(PacketError) as caught:
        _open(_tamper(raw, change))
    assert caught.value.reason == reason


def test_expired_and_wrongly_encrypted_packets_are_refused():
    _id, raw = _seal(ttl=timedelta(minutes=5))
    with pytest.raises(PacketError) as caught:
        _open(raw, now=datetime.now(UTC) + timedelta(minutes=6))
    assert caught.value.reason == "expired"
    # Signed correctly by RS but encrypted to another key: MK cannot read it.
    _id, raw = _seal(recipient_encryption_key=Identity.generate().encryption_public)
    with pytest.raises(PacketError) as caught:
        _open(raw)
    assert caught.value.reason == "undecryptable"


def test_a_forged_sender_cannot_sign_for_another():
    mallory = Identity.generate()
    _id, raw = seal(
        mallory,
        sender="rs",
        recipient="mk",
        recipient_encryption_key=MK.encryption_public,
        packet_type="referral.offer",
        payload={},
    )
    with pytest.raises(PacketError) as caught:
        _open(raw)
    assert caught.value.reason == "bad_signature"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_refused_cleanly(raw):
    with pytest.raises(PacketError):
        _open(raw)


def test_peer_cards_verify_and_carry_the_fingerprint():
    raw = card_write(
        MK, instance="mk", name="Veza MK", participant="MK", role="national", base_url="https://mk"
    )
    card = card_read(raw)
    assert card["fingerprint"] == MK.fingerprint and card["encryption_key"] == MK.encryption_public
    assert len(card["fingerprint"].split()) == 8
    forged = json.loads(raw)
    forged["card"]["base_url"] = "https://evil"
    with pytest.raises(ValueError, match="signature"):
        card_read(json.dumps(forged).encode())
    with pytest.raises(ValueError, match="not a Veza peer card"):
        card_read(b"{}")

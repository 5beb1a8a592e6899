"""The one envelope for everything that crosses instances, and the instance's identity.

Pure Python over `cryptography`; no Django, no database (the callers keep peers, the outbox and the
inbox). Wire format (JSON, UTF-8):

    {"header": {...}, "ciphertext": base64, "signature": base64}

`header` holds the protocol version, the packet id, its type, the sender's and the recipient's
instance ids, the creation and expiry times (UTC, ISO 8601), the sender's ephemeral X25519 public
key and the AEAD nonce. The payload (JSON) is encrypted to the recipient: an ephemeral X25519 key
agreement with the recipient's encryption key, HKDF-SHA256 into a ChaCha20-Poly1305 key, the
canonical header as associated data (the header cannot change without the decryption failing).
The sender's Ed25519 key signs the canonical header and the ciphertext together. A recipient
checks, in this order: shape, sender known and active, signature, addressed to it, not expired,
decrypts, payload shape; the caller then refuses a packet id it has processed already (replay).

A peer card is an instance's public identity (name, participant, role, base URL, the two public
keys) signed by its own signing key; its fingerprint — SHA-256 over both public keys — is read
over the phone before the card is trusted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "PACKET_TYPES",
    "Identity",
    "PacketError",
    "card_read",
    "card_write",
    "fingerprint",
    "open_packet",
    "seal",
]

VERSION = 1
PACKET_TYPES = frozenset(
    {
        "referral.offer",
        "referral.response",
        "referral.update",
        "release.submit",
        "release.receipt",
        "directory.publish",
    }
)
MAX_PACKET = 25 * 1024 * 1024
INFO = b"veza-packet-v1"


class PacketError(ValueError):
    """Why a packet is refused: `reason` is one of malformed, unknown_sender, suspended_sender,
    bad_signature, not_for_us, expired, undecryptable, bad_payload, replayed."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode(), validate=True)


def _raw(key) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(signing_key: bytes, encryption_key: bytes) -> str:
    """Both public keys in one fingerprint, as eight groups of four to read aloud."""
    digest = hashlib.sha256(b"veza-peer" + signing_key + encryption_key).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class Identity:
    """An instance's private keys (kept outside the database by the caller)."""

    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def generate(cls) -> Identity:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, signing: bytes, encryption: bytes) -> Identity:
        return cls(
            Ed25519PrivateKey.from_private_bytes(signing),
            X25519PrivateKey.from_private_bytes(encryption),
        )

    def private_bytes(self) -> tuple[bytes, bytes]:
        fmt = (
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return self.signing.private_bytes(*fmt), self.encryption.private_bytes(*fmt)

    @property
    def signing_public(self) -> bytes:
        return _raw(self.signing.public_key())

    @property
    def encryption_public(self) -> bytes:
        return _raw(self.encryption.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)


CARD_FIELDS = ("instance", "name", "participant", "role", "base_url")


def card_write(identity: Identity, **fields: str) -> bytes:
    """The instance's signed peer card (JSON)."""
    missing = [f for f in CARD_FIELDS if not fields.get(f)]
    if missing:
        raise ValueError(f"a peer card needs {', '.join(missing)}")
    body = {
        **{f: str(fields[f]) for f in CARD_FIELDS},
        "signing_key": _b64(identity.signing_public),
        "encryption_key": _b64(identity.encryption_public),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": VERSION,
    }
    return canonical({"card": body, "signature": _b64(identity.signing.sign(canonical(body)))})


def card_read(raw: bytes) -> dict:
    """A peer card's fields with its keys as bytes and its fingerprint; ValueError when it is
    malformed or its signature does not verify (a card is signed by its own key: it proves the
    sender holds the key, and the fingerprint read over the phone proves whose key it is)."""
    try:
        document = json.loads(raw)
        body, signature = document["card"], _unb64(document["signature"])
        signing_key, encryption_key = _unb64(body["signing_key"]), _unb64(body["encryption_key"])
        Ed25519PublicKey.from_public_bytes(signing_key).verify(signature, canonical(body))
        X25519PublicKey.from_public_bytes(encryption_key)
        fields = {f: str(body[f]) for f in CARD_FIELDS}
    except InvalidSignature as exc:
        raise ValueError("the card's signature does not verify") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError("the file is not a Veza peer card") from exc
    if not fields["base_url"].startswith(("https://", "http://")):
        raise ValueError("the card's base URL is not an http(s) address")
    return {
        **fields,
        "signing_key": signing_key,
        "encryption_key": encryption_key,
        "fingerprint": fingerprint(signing_key, encryption_key),
        "created": body.get("created", ""),
    }


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=INFO).derive(
        shared
    )


def seal(
    identity: Identity,
    *,
    sender: str,
    recipient: str,
    recipient_encryption_key: bytes,
    packet_type: str,
    payload: Mapping,
    ttl: timedelta = timedelta(days=7),
    packet_id: str | None = None,
    now: datetime | None = None,
) -> tuple[str, bytes]:
    """Encrypt `payload` to the recipient and sign the whole; returns (packet id, packet bytes)."""
    if packet_type not in PACKET_TYPES:
        raise ValueError(f"unknown packet type {packet_type}")
    now = now or datetime.now(UTC)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_encryption_key))
    nonce = os.urandom(12)
    header = {
        "v": VERSION,
        "id": packet_id or str(uuid.uuid4()),
        "type": packet_type,
        "sender": sender,
        "recipient": recipient,
        "created": now.isoformat(timespec="seconds"),
        "expires": (now + ttl).isoformat(timespec="seconds"),
        "ephemeral_key": _b64(ephemeral_public),
        "nonce": _b64(nonce),
    }
    aad = canonical(header)
    ciphertext = ChaCha20Poly1305(_key(shared, ephemeral_public, recipient_encryption_key)).encrypt(
        nonce, canonical(dict(payload)), aad
    )
    signature = identity.signing.sign(aad + ciphertext)
    packet = {"header": header, "ciphertext": _b64(ciphertext), "signature": _b64(signature)}
    return header["id"], canonical(packet)


def peek(raw: bytes) -> dict:
    """The header of a packet, unverified (for logging and routing only)."""
    try:
        header = json.loads(raw)["header"]
        if not isinstance(header, dict):
            raise TypeError
        return header
    except (ValueError, KeyError, TypeError) as exc:
        raise PacketError("malformed", "not a Veza packet") from exc


def open_packet(
    raw: bytes,
    *,
    identity: Identity,
    me: str,
    sender_key: Callable[[str], bytes],
    now: datetime | None = None,
) -> tuple[dict, dict]:
    """Check and decrypt a packet addressed to `me`. `sender_key(sender)` returns the sender's
    Ed25519 public key, or raises PacketError (unknown or suspended sender). Returns (header,
    payload); raises PacketError with the first reason found."""
    if len(raw) > MAX_PACKET:
        raise PacketError("malformed", "too large")
    try:
        packet = json.loads(raw)
        header = packet["header"]
        ciphertext, signature = _unb64(packet["ciphertext"]), _unb64(packet["signature"])
        fields = {k: header[k] for k in ("id", "type", "sender", "recipient", "created")}
        expires = datetime.fromisoformat(header["expires"])
        ephemeral, nonce = _unb64(header["ephemeral_key"]), _unb64(header["nonce"])
        if header.get("v") != VERSION or fields["type"] not in PACKET_TYPES:
            raise ValueError("unknown version or type")
        if expires.tzinfo is None:
            raise ValueError("expiry without a time zone")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PacketError("malformed", str(exc)[:200]) from exc
    key = sender_key(str(fields["sender"]))
    aad = canonical(header)
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, aad + ciphertext)
    except (InvalidSignature, ValueError) as exc:
        raise PacketError("bad_signature") from exc
    if fields["recipient"] != me:
        raise PacketError("not_for_us", str(fields["recipient"])[:100])
    if expires <= (now or datetime.now(UTC)):
        raise PacketError("expired", header["expires"])
    try:
        shared = identity.encryption.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        plaintext = ChaCha20Poly1305(_key(shared, ephemeral, identity.encryption_public)).decrypt(
            nonce, ciphertext, aad
        )
    except (InvalidTag, ValueError) as exc:
        raise PacketError("undecryptable") from exc
    try:
        payload = json.loads(plaintext)
        if not isinstance(payload, dict):
            raise TypeError
    except (ValueError, TypeError) as exc:
        raise PacketError("bad_payload") from exc
    return header, payload

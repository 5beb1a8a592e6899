"""Writes of the federation: the instance's identity, peers and their keys, the outbox and its
delivery, the inbox and what it does with each packet. Every change is audited in its own
transaction; a refused packet is logged and changes nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core import exchange
from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.core.keys import key_path
from veza.core.scoping import require_perm_or_operator
from veza.federation.envelope import (
    Identity,
    PacketError,
    card_read,
    card_write,
    open_packet,
    peek,
    seal,
)
from veza.federation.models import Packet, Peer, PeerKey, PeerStatus, RejectedPacket

__all__ = [
    "deliver",
    "identity",
    "identity_init",
    "my_card",
    "outbox_flush",
    "packet_queue",
    "packet_receive",
    "peer_confirm",
    "peer_import",
    "peer_set_status",
]

log = logging.getLogger("veza.federation")

SIGNING, ENCRYPTION = "federation-signing", "federation-encryption"
INBOX_PATH = "/federation/inbox/"
#: Seconds before the n-th retry: 10 s, 20 s, 40 s … at most an hour.
BACKOFF_MAX = 3600


# --- The instance's identity -------------------------------------------------------------------


def identity_init(*, actor, rotate: bool = False) -> Identity:
    """Create the instance's signing and encryption keys (files in VEZA_KEYS_DIR, mode 0600).
    An existing identity is kept unless `rotate`: then the old files are kept beside the new
    ones (suffix .retired-TIMESTAMP), so that history stays verifiable."""
    signing, encryption = key_path(SIGNING), key_path(ENCRYPTION)
    if signing.exists() and not rotate:
        return identity()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    new = Identity.generate()
    signing.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path, raw in zip((signing, encryption), new.private_bytes(), strict=True):
        if path.exists():
            path.rename(path.with_name(f"{path.name}.retired-{stamp}"))
        path.write_text(raw.hex())
        path.chmod(0o600)
    identity.cache_clear()
    with transaction.atomic():
        audit_log(
            "federation.rotate" if rotate else "federation.init",
            actor=actor,
            detail={"fingerprint": new.fingerprint},
        )
    return new


@cache
def identity() -> Identity:
    signing, encryption = key_path(SIGNING), key_path(ENCRYPTION)
    if not signing.exists() or not encryption.exists():
        raise ImproperlyConfigured(
            "This instance has no federation identity yet: run `veza federation init`."
        )
    return Identity.from_bytes(
        bytes.fromhex(signing.read_text().strip()), bytes.fromhex(encryption.read_text().strip())
    )


def my_card() -> bytes:
    return card_write(
        identity(),
        instance=settings.VEZA_INSTANCE_ID,
        name=settings.VEZA_INSTANCE_NAME,
        participant=settings.VEZA_INSTANCE_PARTICIPANT,
        role=settings.VEZA_INSTANCE_ROLE,
        base_url=settings.VEZA_BASE_URL,
    )


# --- Peers ---------------------------------------------------------------------------------------


@transaction.atomic
def peer_import(*, actor, raw: bytes) -> tuple[Peer, PeerKey]:
    """Add a peer from its signed card, or a new key of a known peer (a rotation). Nothing is
    trusted until the fingerprint is confirmed (`peer_confirm`)."""
    require_perm_or_operator(actor, "federation.manage_peers")
    try:
        card = card_read(raw)
    except ValueError as exc:
        raise ValidationError(fields={"card": [_("This is not a valid Veza peer card.")]}) from exc
    if card["instance"] == settings.VEZA_INSTANCE_ID:
        raise ValidationError(fields={"card": [_("This is this instance's own card.")]})
    peer, created = Peer.objects.select_for_update().get_or_create(
        instance=card["instance"][:60],
        defaults={
            "name": card["name"][:200],
            "participant": card["participant"][:4],
            "role": "hub" if card["role"] == "hub" else "national",
            "base_url": card["base_url"][:300],
        },
    )
    if not created and peer.participant != card["participant"][:4]:
        raise ValidationError(
            fields={"card": [_("A known instance cannot change its participant.")]}
        )
    signing, encryption = (
        base64.b64encode(card[k]).decode() for k in ("signing_key", "encryption_key")
    )
    key = peer.keys.filter(signing_key=signing, encryption_key=encryption).first()
    if key is None:
        key = PeerKey.objects.create(
            peer=peer,
            signing_key=signing,
            encryption_key=encryption,
            fingerprint=card["fingerprint"],
            card_created=card["created"][:40],
            name=card["name"][:200],
            base_url=card["base_url"][:300],
        )
    audit_log(
        "federation.peer_import",
        actor=actor,
        obj=peer,
        detail={"instance": peer.instance, "fingerprint": key.fingerprint, "new": created},
    )
    return peer, key


def _normal(fingerprint: str) -> str:
    return "".join(fingerprint.split()).upper()


@transaction.atomic
def peer_confirm(*, actor, peer: Peer, fingerprint: str) -> Peer:
    """Trust the peer's newest key once the fingerprint read over the phone matches it; an
    older key is retired (kept for the record)."""
    require_perm_or_operator(actor, "federation.manage_peers")
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    key = peer.keys.filter(confirmed_at__isnull=True, retired_at__isnull=True).first()
    if key is None:
        raise ValidationError(fields={"fingerprint": [_("No key of this peer waits for a check.")]})
    if _normal(fingerprint) != _normal(key.fingerprint):
        raise ValidationError(
            fields={
                "fingerprint": [
                    _("The fingerprint does not match the card: do not trust this card.")
                ]
            }
        )
    now = timezone.now()
    peer.keys.filter(confirmed_at__isnull=False, retired_at__isnull=True).update(retired_at=now)
    key.confirmed_at = now
    key.save(update_fields=["confirmed_at"])
    if peer.status == PeerStatus.PENDING:
        peer.status = PeerStatus.ACTIVE
    peer.confirmed_at, peer.confirmed_by = now, actor if getattr(actor, "pk", None) else None
    # Only a checked card changes where packets go and what the peer is called.
    peer.name, peer.base_url = key.name or peer.name, key.base_url or peer.base_url
    peer.save(update_fields=["status", "confirmed_at", "confirmed_by", "name", "base_url"])
    audit_log(
        "federation.peer_confirm",
        actor=actor,
        obj=peer,
        detail={"instance": peer.instance, "fingerprint": key.fingerprint},
    )
    return peer


@transaction.atomic
def peer_set_status(*, actor, peer: Peer, status: str) -> Peer:
    """Suspend a peer (its packets are refused, nothing is sent to it) or make it active again."""
    require_perm_or_operator(actor, "federation.manage_peers")
    if status not in (PeerStatus.ACTIVE, PeerStatus.SUSPENDED):
        raise ValidationError(fields={"status": [_("Choose active or suspended.")]})
    if status == PeerStatus.ACTIVE and peer.key is None:
        raise ValidationError(fields={"status": [_("Check the peer's fingerprint first.")]})
    peer.status = status
    peer.save(update_fields=["status"])
    audit_log(
        "federation.peer_" + status, actor=actor, obj=peer, detail={"instance": peer.instance}
    )
    return peer


# --- Outbox --------------------------------------------------------------------------------------


def _peer_for(recipient: str) -> Peer:
    """A peer by instance id, or the regional hub by "hub"."""
    peers = Peer.objects.filter(status=PeerStatus.ACTIVE)
    peer = (
        peers.filter(role="hub") if recipient == "hub" else peers.filter(instance=recipient)
    ).first()
    if peer is None or peer.key is None:
        raise ValidationError(
            fields={
                "peer": [
                    _("No trusted peer %(name)s: add and check it first.") % {"name": recipient}
                ]
            }
        )
    return peer


def packet_queue(
    *, peer: Peer | str, packet_type: str, payload: dict, ttl: timedelta = timedelta(days=14)
) -> Packet:
    """Seal a packet for a peer and put it in the outbox, in the caller's transaction; it is
    sent once the transaction commits (and again later until delivered or expired)."""
    if isinstance(peer, str):
        peer = _peer_for(peer)
    key = peer.key
    if peer.status != PeerStatus.ACTIVE or key is None:
        raise ValidationError(fields={"peer": [_("This peer is not trusted at the moment.")]})
    now = datetime.now(UTC)
    packet_id, body = seal(
        identity(),
        sender=settings.VEZA_INSTANCE_ID,
        recipient=peer.instance,
        recipient_encryption_key=base64.b64decode(key.encryption_key),
        packet_type=packet_type,
        payload=payload,
        ttl=ttl,
        now=now,
    )
    packet = Packet.objects.create(
        direction=Packet.Direction.OUT,
        packet_id=packet_id,
        peer=peer,
        packet_type=packet_type,
        status=Packet.Status.PENDING,
        body=body.decode(),
        expires_at=now + ttl,
        next_attempt_at=timezone.now(),
    )
    audit_log(
        "federation.packet_queued",
        actor="federation",
        obj=packet,
        detail={"type": packet_type, "peer": peer.instance, "packet": packet_id},
    )
    log.info("queued %s %s for %s", packet_type, packet_id, peer.instance)
    transaction.on_commit(lambda: _deliver_soon(packet.pk))
    return packet


def _deliver_soon(packet_pk: int) -> None:
    from veza.federation.tasks import deliver_task

    deliver_task.enqueue(packet_pk)


def _post(url: str, body: bytes) -> tuple[int, dict]:
    # Only the peer's own address (checked to be http(s) when its card was read) is opened.
    if not url.startswith(("https://", "http://")):
        raise ValueError("not an http(s) address")
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/vnd.veza.packet+json", "User-Agent": "Veza"},
    )
    timeout = settings.VEZA_FEDERATION_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read() or b"{}")
        except ValueError:
            detail = {}
        return exc.code, detail


def deliver(packet: Packet, *, now=None) -> bool:
    """Try to hand one packet to its peer's inbox. A refusal or a network error leaves it in
    the outbox with the next try later (back-off); an expired packet is given up."""
    now = now or timezone.now()
    if packet.status != Packet.Status.PENDING:
        return packet.status == Packet.Status.DELIVERED
    if packet.expires_at <= now:
        Packet.objects.filter(pk=packet.pk).update(status=Packet.Status.EXPIRED, done_at=now)
        log.warning(
            "expired %s %s for %s", packet.packet_type, packet.packet_id, packet.peer.instance
        )
        return False
    if packet.peer.status != PeerStatus.ACTIVE:
        return False  # nothing goes to a suspended peer: it waits until trusted again (or expires)
    url = packet.peer.base_url.rstrip("/") + INBOX_PATH
    try:
        status, answer = _post(url, packet.body.encode())
        error = "" if 200 <= status < 300 else f"HTTP {status} {answer.get('reason', '')}".strip()
    except (OSError, ValueError) as exc:  # refused, timed out, unreachable, bad answer
        status, error = 0, f"{type(exc).__name__}: {exc}"[:300]
    attempts = packet.attempts + 1
    if not error:
        Packet.objects.filter(pk=packet.pk).update(
            status=Packet.Status.DELIVERED, attempts=attempts, done_at=now, last_error=""
        )
        log.info(
            "delivered %s %s to %s", packet.packet_type, packet.packet_id, packet.peer.instance
        )
        return True
    delay = min(BACKOFF_MAX, 10 * 2 ** (attempts - 1))
    Packet.objects.filter(pk=packet.pk).update(
        attempts=attempts, last_error=error[:300], next_attempt_at=now + timedelta(seconds=delay)
    )
    log.warning(
        "not delivered %s %s to %s (attempt %s, next in %ss): %s",
        packet.packet_type,
        packet.packet_id,
        packet.peer.instance,
        attempts,
        delay,
        error,
    )
    return False


def outbox_flush(*, now=None, force: bool = False) -> dict:
    """Deliver every packet that is due (or every pending one with `force`)."""
    now = now or timezone.now()
    pending = Packet.objects.filter(direction=Packet.Direction.OUT, status=Packet.Status.PENDING)
    if not force:
        pending = pending.filter(next_attempt_at__lte=now)
    counts = {"delivered": 0, "waiting": 0}
    for packet in pending.select_related("peer").order_by("created_at"):
        counts["delivered" if deliver(packet, now=now) else "waiting"] += 1
    return counts


# --- Inbox ---------------------------------------------------------------------------------------


def _sender_key(instance: str) -> bytes:
    peer = Peer.objects.filter(instance=instance).first()
    if peer is None:
        raise PacketError("unknown_sender", instance[:60])
    if peer.status == PeerStatus.SUSPENDED:
        raise PacketError("suspended_sender", instance[:60])
    key = peer.key
    if peer.status != PeerStatus.ACTIVE or key is None:
        raise PacketError("unknown_sender", f"{instance[:60]} (not confirmed)")
    return base64.b64decode(key.signing_key)


def _reject(raw: bytes, error: PacketError, transport: str, address) -> None:
    try:
        header = peek(raw)
    except PacketError:
        header = {}
    with transaction.atomic():
        RejectedPacket.objects.create(
            sender=str(header.get("sender", ""))[:60],
            packet_id=str(header.get("id", ""))[:36],
            packet_type=str(header.get("type", ""))[:24],
            reason=error.reason,
            detail=error.detail[:200],
            transport=transport,
            remote_address=address,
        )
        audit_log(
            "federation.packet_rejected",
            actor="federation",
            detail={
                "reason": error.reason,
                "sender": str(header.get("sender", ""))[:60],
                "packet": str(header.get("id", ""))[:36],
            },
        )
    log.warning(
        "rejected packet %s from %s: %s",
        str(header.get("id", "?"))[:36],
        str(header.get("sender", "?"))[:60],
        error.reason,
    )


def _retired_identities() -> list[Identity]:
    """The instance's earlier encryption keys (kept by a rotation): packets a peer sealed before
    it knew the new key still open."""
    current = identity()
    found = []
    for path in sorted(key_path(ENCRYPTION).parent.glob(f"{ENCRYPTION}.key.retired-*")):
        raw = bytes.fromhex(path.read_text().strip())
        found.append(Identity.from_bytes(current.private_bytes()[0], raw))
    return found


def _open(raw: bytes):
    me, current = settings.VEZA_INSTANCE_ID, identity()
    try:
        return open_packet(raw, identity=current, me=me, sender_key=_sender_key)
    except PacketError as error:
        if error.reason != "undecryptable":
            raise
        for older in _retired_identities():
            try:
                return open_packet(raw, identity=older, me=me, sender_key=_sender_key)
            except PacketError:
                continue
        raise


def packet_receive(raw: bytes, *, transport: str = "https", address=None) -> dict:
    """Check, decrypt and process a packet, once. Returns {"status": "processed"|"duplicate",
    "id": ...}; raises PacketError (after logging it) when the packet is refused."""
    try:
        header, payload = _open(raw)
    except PacketError as error:
        _reject(raw, error, transport, address)
        raise
    packet_id = header["id"]
    digest = hashlib.sha256(raw).hexdigest()
    handler = exchange.handler_for(header["type"]) or HANDLERS.get(header["type"])
    if handler is None:
        error = PacketError("bad_payload", f"no handler for {header['type']}")
        _reject(raw, error, transport, address)
        raise error
    peer = Peer.objects.get(instance=header["sender"])
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # the packet id, once: a replay stops here
                    Packet.objects.create(
                        direction=Packet.Direction.IN,
                        packet_id=packet_id,
                        peer=peer,
                        packet_type=header["type"],
                        status=Packet.Status.PROCESSED,
                        body=digest,  # the inbox keeps the fingerprint of what it processed
                        expires_at=datetime.fromisoformat(header["expires"]),
                        done_at=timezone.now(),
                        transport=transport,
                    )
            except IntegrityError:
                # Processed before: a retry after a lost answer, or a replay. Never twice.
                _reject(raw, PacketError("replayed", packet_id), transport, address)
                return {"status": "duplicate", "id": packet_id}
            replies = handler(peer, payload, packet_id) or []
            for reply_type, reply in replies:
                packet_queue(peer=peer, packet_type=reply_type, payload=reply)
            audit_log(
                "federation.packet_processed",
                actor="federation",
                detail={"type": header["type"], "peer": peer.instance, "packet": packet_id},
            )
    except (
        ValidationError,
        IntegrityError,
        ObjectDoesNotExist,
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        LookupError,
    ) as exc:
        # A payload that does not fit (unknown service, a reference used twice, …): refused,
        # and the sender is told so (its packet is not taken as delivered).
        error = PacketError("bad_payload", str(getattr(exc, "message", exc))[:200])
        _reject(raw, error, transport, address)
        raise error from exc
    log.info("processed %s %s from %s", header["type"], packet_id, peer.instance)
    return {"status": "processed", "id": packet_id}


def _directory(peer, payload, packet_id):
    from veza.federation.referrals import directory_store

    directory_store(peer=peer, payload=payload)


def _referral(kind):
    def handle(peer, payload, packet_id):
        from veza.federation import referrals

        return getattr(referrals, f"receive_{kind}")(peer=peer, payload=payload)

    return handle


HANDLERS = {
    "directory.publish": _directory,
    "referral.offer": _referral("offer"),
    "referral.response": _referral("response"),
    "referral.update": _referral("update"),
}


def _send(recipient: str, packet_type: str, payload: dict) -> str:
    return packet_queue(peer=recipient, packet_type=packet_type, payload=payload).packet_id


exchange.register_sender(_send)

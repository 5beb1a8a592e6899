"""The audit log: append-only, hash-chained, written in the same transaction as the change.

`audit_log` is called by every service after its change. Entries name things by type and id and
never carry a person's identifying details. `audit_verify` walks the chain and reports the first
entry that was changed, removed or moved.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import models, transaction
from django.utils import timezone

from veza.core.bulk import JSONText, insert_rows
from veza.core.context import current_ip
from veza.core.keys import instance_secret
from veza.core.models import AuditEntry, AuditHead

__all__ = [
    "AuditVerification",
    "audit_head_export",
    "audit_log",
    "audit_log_bulk",
    "audit_verify",
    "entry_digest",
]

GENESIS = "0" * 64


def entry_digest(entry: AuditEntry, prev_digest: str) -> str:
    """Keyed digest of an entry's content and its predecessor's digest."""
    return _digest(
        instance_secret("audit-chain"),
        {
            "sequence": entry.sequence,
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor": entry.actor,
            "organisation_id": entry.organisation_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "ip": entry.ip,
            "detail": entry.detail,
            "prev": prev_digest,
        },
    )


def _digest(key: bytes, content: dict) -> str:
    message = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.digest(key, message.encode(), "sha256").hex()


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    kind, ident = obj
    return str(kind), str(ident)


def audit_log(
    action: str,
    *,
    actor=None,
    obj=None,
    organisation_id: int | None = None,
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry. Joins the caller's transaction, so it commits or rolls back with it."""
    object_type, object_id = _object_ref(obj)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = getattr(actor, "username", "") if actor_id is not None else (actor or "")
    # No savepoint of its own: a failure here fails the caller's whole transaction (a change
    # is never kept without its entry), and the chain head's lock is held one round trip less.
    with transaction.atomic(savepoint=False):
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor=str(actor_label)[:150],
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=ip or current_ip(),
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_digest=head.digest,
        )
        entry.digest = entry_digest(entry, head.digest)
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.digest = entry.digest
        head.updated_at = entry.at
        head.save(update_fields=["sequence", "digest", "updated_at"])
    return entry


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    head_sequence: int
    head_digest: str
    bad_sequence: int | None = None
    problem: str = ""


def audit_verify(*, progress=None) -> AuditVerification:
    """Check every entry's digest and link, in order, and the stored head against the last entry."""
    expected = 1
    prev = GENESIS
    count = 0

    def broken(bad_sequence: int, problem: str) -> AuditVerification:
        return AuditVerification(False, count, expected - 1, prev, bad_sequence, problem)

    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        count += 1
        if progress and count % 2000 == 0:
            progress(count)
        if entry.sequence != expected:
            return broken(
                expected,
                f"entry #{expected} is missing (the next one found is #{entry.sequence}): "
                "an entry was removed",
            )
        if entry.prev_digest != prev:
            return broken(
                expected,
                f"entry #{expected} does not follow entry #{expected - 1}: "
                "entries were removed or reordered",
            )
        if entry_digest(entry, prev) != entry.digest:
            return broken(
                expected,
                f"entry #{expected} ({entry.action}) does not match its digest: it was changed",
            )
        prev = entry.digest
        expected += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_sequence, head_digest = (head.sequence, head.digest) if head else (0, GENESIS)
    if (head_sequence, head_digest) != (expected - 1, prev):
        return broken(
            head_sequence,
            f"the chain head names entry #{head_sequence} but the log ends at #{expected - 1}: "
            "entries at the end were removed",
        )
    return AuditVerification(True, count, expected - 1, prev)


def audit_head_export() -> dict:
    """The chain head, to be kept elsewhere (printed, mailed, anchored) and compared later."""
    head = AuditHead.objects.filter(pk=1).first()
    return {
        "sequence": head.sequence if head else 0,
        "digest": head.digest if head else GENESIS,
        "at": head.updated_at.isoformat() if head and head.updated_at else None,
    }


def audit_read(action: str, *, actor, obj=None, organisation_id=None, detail=None) -> None:
    """Record that personal data was looked at (SECURITY.md row 12): a page or an API answer
    showing a case, a screening, a referral or a booking, or a list of them. Nothing else is
    written by a read, so the entry is in its own transaction (`audit_log`'s)."""
    audit_log(action, actor=actor, obj=obj, organisation_id=organisation_id, detail=detail)


def audit_log_bulk(entries) -> int:
    """Append many entries at once, in order, holding the chain head lock once: for generated
    data (`veza demo --scale`), where one `audit_log` per record would take hours. Each entry is
    a dict of `audit_log`'s arguments (`action`, `actor`, `obj`, `organisation_id`, `detail`);
    the chain is exactly what one `audit_log` call per entry would have made."""
    entries = list(entries)
    if not entries:
        return 0
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        sequence, prev = head.sequence, head.digest
        now = timezone.now()
        at = now.astimezone(UTC).isoformat(timespec="microseconds")
        ip = current_ip()
        key = instance_secret("audit-chain")
        dumps, loads = json.dumps, json.loads
        rows = []
        for item in entries:
            object_type, object_id = _object_ref(item.get("obj"))
            actor = item.get("actor")
            actor_id = getattr(actor, "pk", None) if actor is not None else None
            label = getattr(actor, "username", "") if actor_id is not None else (actor or "")
            label = str(label)[:150]
            organisation_id = item.get("organisation_id")
            text = dumps(item.get("detail") or {}, default=str)
            detail = loads(text)
            sequence += 1
            # `entry_digest`, without making an `AuditEntry` to hold the content.
            digest = _digest(
                key,
                {
                    "sequence": sequence,
                    "at": at,
                    "actor_id": actor_id,
                    "actor": label,
                    "organisation_id": organisation_id,
                    "action": item["action"],
                    "object_type": object_type,
                    "object_id": object_id,
                    "ip": ip,
                    "detail": detail,
                    "prev": prev,
                },
            )
            rows.append(
                (
                    sequence,
                    now,
                    actor_id,
                    label,
                    organisation_id,
                    item["action"],
                    object_type,
                    object_id,
                    ip,
                    JSONText(text),  # what `detail` was read from: the same JSON
                    prev,
                    digest,
                )
            )
            prev = digest
        insert_rows(AuditEntry, _COLUMNS, rows)
        head.sequence, head.digest, head.updated_at = sequence, prev, now
        head.save(update_fields=["sequence", "digest", "updated_at"])
    return len(rows)


_COLUMNS = (
    "sequence",
    "at",
    "actor_id",
    "actor",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "ip",
    "detail",
    "prev_digest",
    "digest",
)

"""The audit log: append-only, hash-chained, written in the same transaction as the change.

`audit_log` is called by every service after its change. Entries name things by type and id and
never carry a person's identifying details. `audit_verify` walks the chain and reports the first
entry that was changed, removed or moved.

The chain runs in lanes. Appending to a hash chain is serial: the writer locks the chain's head
and holds it until its transaction commits, so with one head every audited read and change of
the whole instance waits in one queue (measured under load: bench/README.md, "Load"). On
PostgreSQL an append takes the first head no other transaction holds (`SKIP LOCKED`), and opens
a new lane, up to `settings.AUDIT_LANES`, only when every lane is busy; each lane is a chain of
its own, linked and verified exactly as the single chain was, so a changed, removed or reordered
entry is still found. A quiet instance, and SQLite (whose writers are serial anyway), write
lane 1 only. The exported head covers every lane.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from veza.core.bulk import JSONText, insert_rows
from veza.core.context import current_ip
from veza.core.keys import instance_secret
from veza.core.models import AuditEntry, AuditHead

__all__ = [
    "AuditVerification",
    "audit_head_export",
    "audit_head_in_chain",
    "audit_log",
    "audit_log_bulk",
    "audit_verify",
    "combined_digest",
    "entry_digest",
    "entry_label",
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
    # is never kept without its entry), and the lane's head is held one round trip less.
    with transaction.atomic(savepoint=False):
        lane, sequence, prev = _lock_a_lane()
        entry = AuditEntry(
            lane=lane,
            sequence=sequence + 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor=str(actor_label)[:150],
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=ip or current_ip(),
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_digest=prev,
        )
        entry.digest = entry_digest(entry, prev)
        _append(entry)
    return entry


def _lock_a_lane() -> tuple[int, int, str]:
    """Lock the head of a lane for this transaction and return its lane, sequence and digest:
    a head no other transaction holds (or this one holds already) where the database can skip
    locked rows, else lane 1; when every lane is busy, a new lane while there are fewer than
    `AUDIT_LANES`, else a busy one picked at random, to wait for."""
    lanes = max(1, int(getattr(settings, "AUDIT_LANES", 1)))
    if lanes > 1 and connection.features.has_select_for_update_skip_locked:
        with connection.cursor() as cursor:
            # The lowest free lane: a quiet instance writes lane 1 only.
            cursor.execute(
                'SELECT "id", "sequence", "digest" FROM "core_audithead" WHERE "id" <= %s '
                'ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED',
                [lanes],
            )
            free = cursor.fetchone()
        if free is not None:
            return free
        existing = AuditHead.objects.filter(pk__lte=lanes).count()
        lane = existing + 1 if existing < lanes else random.randint(1, lanes)
    else:
        lane = 1
    head = AuditHead.objects.select_for_update().get_or_create(pk=lane)[0]
    return head.pk, head.sequence, head.digest


_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _append(entry: AuditEntry) -> None:
    """Write the entry and move its lane's head to it: on PostgreSQL in one statement (one round
    trip while the head is held), elsewhere in two. Sets the entry's id."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _ENTRY_FIELDS)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _ENTRY_FIELDS]
    marks = ", ".join(["%s"] * len(values))
    head = [entry.sequence, entry.digest, entry.at, entry.lane]
    move = 'UPDATE "core_audithead" SET "sequence" = %s, "digest" = %s, "updated_at" = %s '
    move += 'WHERE "id" = %s'
    insert = f'INSERT INTO "core_auditentry" ({columns}) VALUES ({marks}) RETURNING "id"'  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH head AS ({move}) {insert}", head + values)
        else:
            cursor.execute(move, head)
            cursor.execute(insert, values)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


@dataclass(frozen=True)
class AuditVerification:
    """What `audit_verify` found. `head_sequence` counts the entries of every lane (for one lane,
    its last entry's number) and `head_digest` stands for every lane's head (`combined_digest`);
    `bad_lane` and `bad_sequence` name the first bad entry."""

    ok: bool
    entries: int
    head_sequence: int
    head_digest: str
    bad_sequence: int | None = None
    problem: str = ""
    bad_lane: int | None = None
    lanes: dict = field(default_factory=dict)  # lane -> (sequence, digest) of its last entry


def combined_digest(lanes: dict) -> str:
    """One digest for the heads of every lane (lane -> (sequence, digest)): the one lane's own
    digest when there is one lane, as before lanes; otherwise SHA-256 over the heads in order."""
    if not lanes:
        return GENESIS
    if set(lanes) == {1}:
        return lanes[1][1]
    text = "\n".join(f"{lane}:{seq}:{digest}" for lane, (seq, digest) in sorted(lanes.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def audit_verify(*, progress=None) -> AuditVerification:
    """Check every entry's digest and link, lane by lane in order, and each lane's stored head
    against its last entry."""
    count = 0
    ends: dict[int, tuple[int, str]] = {}  # lane -> (sequence, digest) of its last entry read

    def broken(lane: int, bad_sequence: int, problem: str) -> AuditVerification:
        total = sum(seq for seq, _digest in ends.values())
        return AuditVerification(
            False, count, total, combined_digest(ends), bad_sequence, problem, lane, dict(ends)
        )

    entries = AuditEntry.objects.order_by("lane", "sequence").iterator(chunk_size=2000)
    for entry in entries:
        count += 1
        if progress and count % 2000 == 0:
            progress(count)
        lane = entry.lane
        last, prev = ends.get(lane, (0, GENESIS))
        expected = last + 1
        where = entry_label(lane, expected)
        if entry.sequence != expected:
            return broken(
                lane,
                expected,
                f"{where} is missing (the next one found is #{entry.sequence}): "
                "an entry was removed",
            )
        if entry.prev_digest != prev:
            return broken(
                lane,
                expected,
                f"{where} does not follow entry #{last}: entries were removed or reordered",
            )
        if entry_digest(entry, prev) != entry.digest:
            changed = f"{where} ({entry.action}) does not match its digest: it was changed"
            return broken(lane, expected, changed)
        ends[lane] = (expected, entry.digest)
    heads = {head.pk: (head.sequence, head.digest) for head in AuditHead.objects.all()}
    for lane in sorted(set(heads) | set(ends)):
        head = heads.get(lane, (0, GENESIS))
        end = ends.get(lane, (0, GENESIS))
        if head != end:
            return broken(
                lane,
                head[0],
                f"the chain head names {entry_label(lane, head[0])} but the log ends at "
                f"#{end[0]}: entries at the end were removed",
            )
    total = sum(seq for seq, _digest in ends.values())
    return AuditVerification(True, count, total, combined_digest(ends), lanes=dict(ends))


def entry_label(lane: int, sequence: int) -> str:
    """How an entry is named in messages: its number, and its lane beyond the first."""
    return f"entry #{sequence}" if lane == 1 else f"entry #{sequence} of lane {lane}"


def audit_head_export() -> dict:
    """The chain's head, to be kept elsewhere (printed, mailed, anchored) and compared later:
    the number of entries, one digest for every lane, and each lane's own head."""
    heads = list(AuditHead.objects.order_by("pk"))
    lanes = {head.pk: (head.sequence, head.digest) for head in heads if head.sequence}
    times = [head.updated_at for head in heads if head.updated_at]
    return {
        "sequence": sum(seq for seq, _digest in lanes.values()),
        "digest": combined_digest(lanes),
        "at": max(times).isoformat() if times else None,
        "lanes": [
            {"lane": lane, "sequence": seq, "digest": digest}
            for lane, (seq, digest) in sorted(lanes.items())
        ],
    }


def audit_head_in_chain(anchored: dict) -> bool:
    """Whether a head exported earlier (`audit_head_export`, or a single-chain head without
    lanes) is still in the chain: every lane's entry at that point has that digest."""
    lanes = anchored.get("lanes")
    if lanes is None:
        sequence, digest = anchored.get("sequence"), anchored.get("digest")
        lanes = [{"lane": 1, "sequence": sequence, "digest": digest}]
    for head in lanes:
        entry = AuditEntry.objects.filter(lane=head.get("lane"), sequence=head.get("sequence"))
        found = entry.values_list("digest", flat=True).first()
        if found is None or found != head.get("digest"):
            return False
    return True


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
        lane, sequence, prev = _lock_a_lane()
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
                    lane,
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
        AuditHead.objects.filter(pk=lane).update(sequence=sequence, digest=prev, updated_at=now)
    return len(rows)


_COLUMNS = (
    "lane",
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

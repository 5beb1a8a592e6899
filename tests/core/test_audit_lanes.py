"""The audit chain's lanes (PostgreSQL): an append never queues behind another transaction that
holds a lane while another lane is free, and every lane is verified like the single chain."""

import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from veza.core.audit import audit_head_export, audit_head_in_chain, audit_log, audit_verify
from veza.core.models import AuditEntry

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _raw(sql, params=()):
    # What an intruder with the database owner's rights could do: bypass the trigger.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def _last(lane: int) -> int:
    """The number of the lane's last entry (the database may hold entries from its migrations)."""
    entries = AuditEntry.objects.filter(lane=lane).order_by("-sequence")
    return entries.values_list("sequence", flat=True).first() or 0


def _append_while_another_holds_a_lane(wait=30) -> tuple[AuditEntry, AuditEntry]:
    """One thread appends and keeps its transaction open; this one appends meanwhile."""
    holding, release = threading.Event(), threading.Event()
    held: list[AuditEntry] = []

    def hold():
        try:
            with transaction.atomic():
                held.append(audit_log("test.held", actor="first"))
                holding.set()
                release.wait(timeout=wait)  # bounded: a queued append shows as a wrong lane
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(timeout=30)
    try:
        meanwhile = audit_log("test.meanwhile", actor="second")
    finally:
        release.set()
        thread.join(timeout=60)
    return held[0], meanwhile


def test_quiet_appends_stay_in_the_first_lane():
    last = _last(1)
    entries = [audit_log("test.event", actor="tester", detail={"i": i}) for i in range(3)]
    assert [(e.lane, e.sequence) for e in entries] == [(1, last + 1), (1, last + 2), (1, last + 3)]
    assert audit_head_export()["lanes"] == [
        {"lane": 1, "sequence": last + 3, "digest": entries[-1].digest}
    ]
    assert audit_head_export()["digest"] == entries[-1].digest  # as before lanes


def test_an_append_takes_a_free_lane_instead_of_waiting_and_both_verify():
    last = _last(1)
    held, meanwhile = _append_while_another_holds_a_lane()
    assert (held.lane, held.sequence) == (1, last + 1)
    assert (meanwhile.lane, meanwhile.sequence) == (2, 1)
    result = audit_verify()
    assert result.ok, result.problem
    assert result.entries == result.head_sequence == last + 2 == AuditEntry.objects.count()
    assert result.lanes == {1: (last + 1, held.digest), 2: (1, meanwhile.digest)}
    head = audit_head_export()
    assert head["sequence"] == last + 2
    assert head["digest"] == result.head_digest not in (held.digest, meanwhile.digest)
    assert audit_head_in_chain(json.loads(json.dumps(head)))
    # The next quiet append goes on in the first lane.
    assert audit_log("test.after", actor="tester").lane == 1


def test_a_changed_entry_in_a_second_lane_is_named_with_its_lane():
    _held, meanwhile = _append_while_another_holds_a_lane()
    call_command("audit", "verify")
    _raw("UPDATE core_auditentry SET actor = 'someone else' WHERE id = %s", [meanwhile.pk])
    result = audit_verify()
    assert not result.ok
    assert (result.bad_lane, result.bad_sequence) == (2, 1)
    assert "entry #1 of lane 2" in result.problem and "changed" in result.problem
    with pytest.raises(CommandError, match="BROKEN at entry #1 of lane 2"):
        call_command("audit", "verify")


def test_a_removed_lane_is_found_by_its_head_and_an_anchored_head_checks_every_lane(tmp_path):
    _held, meanwhile = _append_while_another_holds_a_lane()
    anchored = tmp_path / "head.json"
    anchored.write_text(json.dumps(audit_head_export()))
    call_command("audit", "verify", "--head", str(anchored))
    _raw("DELETE FROM core_auditentry WHERE id = %s", [meanwhile.pk])
    result = audit_verify()
    assert not result.ok and result.bad_lane == 2
    assert "entries at the end were removed" in result.problem
    # Even with the head of lane 2 rewound as well, the anchored head no longer matches.
    _raw("UPDATE core_audithead SET sequence = 0, digest = %s WHERE id = 2", ["0" * 64])
    assert audit_verify().ok
    with pytest.raises(CommandError, match="anchored head"):
        call_command("audit", "verify", "--head", str(anchored))


@override_settings(AUDIT_LANES=1)
def test_one_lane_when_configured_so():
    held, meanwhile = _append_while_another_holds_a_lane(wait=1)
    # The second append waited for the first transaction (until its bounded wait ended it).
    assert (held.lane, meanwhile.lane) == (1, 1)
    assert meanwhile.sequence == held.sequence + 1
    assert audit_verify().ok

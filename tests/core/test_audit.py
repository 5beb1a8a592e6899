import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from veza.core.audit import audit_head_export, audit_log, audit_log_bulk, audit_verify
from veza.core.errors import AppendOnlyError
from veza.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _entries(n=5):
    return [
        audit_log("test.event", actor="tester", obj=("thing", i), detail={"i": i}) for i in range(n)
    ]


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What an intruder with the database owner's rights could do: bypass the trigger.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_chain_links_every_entry_to_the_previous():
    entries = _entries(3)
    assert [e.sequence for e in entries] == [
        e.sequence for e in AuditEntry.objects.order_by("sequence")
    ][-3:]
    assert entries[1].prev_digest == entries[0].digest
    assert entries[2].prev_digest == entries[1].digest
    result = audit_verify()
    assert result.ok, result.problem
    assert result.head_sequence == AuditHead.objects.get().sequence


def test_bulk_entries_chain_like_single_ones(django_user_model):
    """`audit_log_bulk` (the scale generator's) makes the digests `audit_verify` recomputes one
    entry at a time, whatever the detail holds (dates, tuples, non-ASCII, nesting)."""
    import datetime

    user = django_user_model.objects.create(username="bulk.tester")
    _entries(2)
    written = audit_log_bulk(
        [
            {"action": "test.bulk", "actor": user, "obj": user, "detail": {"n": 1}},
            {
                "action": "test.bulk",
                "actor": "système",
                "obj": ("thing", 7),
                "organisation_id": 3,
                "detail": {
                    "on": datetime.date(2026, 1, 2),
                    "pair": (1, "ž"),
                    "nested": {"b": [None, True], "a": 1.5},
                },
            },
            {"action": "test.bulk"},
        ]
    )
    _entries(1)
    assert written == 3
    result = audit_verify()
    assert result.ok, result.problem
    assert AuditEntry.objects.get(sequence=result.head_sequence - 2).detail["pair"] == [1, "ž"]


def test_entries_cannot_be_changed_or_deleted_through_the_model():
    entry = _entries(1)[0]
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.postgres_only
def test_database_refuses_update_and_delete_on_postgresql():
    from django.db import InternalError, ProgrammingError

    entry = _entries(1)[0]
    for sql in (
        "UPDATE core_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises((InternalError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


def test_changed_entry_is_named():
    entries = _entries(5)
    _raw("UPDATE core_auditentry SET detail = %s WHERE id = %s", ['{"i": 99}', entries[2].pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_sequence == entries[2].sequence
    assert "changed" in result.problem


def test_removed_entry_is_named():
    entries = _entries(5)
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_sequence == entries[1].sequence
    assert "removed" in result.problem


def test_reordered_entries_are_detected():
    entries = _entries(4)
    a, b = entries[1], entries[2]
    # Swap the two entries' positions in the sequence.
    _raw("UPDATE core_auditentry SET sequence = 999999999 WHERE id = %s", [a.pk])
    _raw("UPDATE core_auditentry SET sequence = %s WHERE id = %s", [a.sequence, b.pk])
    _raw("UPDATE core_auditentry SET sequence = %s WHERE id = %s", [b.sequence, a.pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_sequence == a.sequence


def test_truncated_tail_is_detected_by_the_head():
    entries = _entries(3)
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    result = audit_verify()
    assert not result.ok
    assert "end" in result.problem


def test_rolled_back_change_leaves_no_audit_entry():
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log("test.event", actor="tester")
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok


def test_verify_command_reports_ok_and_broken(capsys):
    entries = _entries(3)
    call_command("audit", "verify")
    assert "Audit chain OK" in capsys.readouterr().out
    _raw("UPDATE core_auditentry SET actor = 'someone else' WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=f"BROKEN at entry #{entries[1].sequence}"):
        call_command("audit", "verify")


def test_exported_head_must_stay_in_the_chain(tmp_path, capsys):
    _entries(3)
    head_file = tmp_path / "head.json"
    call_command("audit", "head")
    head_file.write_text(capsys.readouterr().out)
    assert audit_head_export()["sequence"] == AuditHead.objects.get().sequence
    call_command("audit", "verify", "--head", str(head_file))
    head_file.write_text('{"sequence": 2, "digest": "' + "f" * 64 + '"}')
    with pytest.raises(CommandError, match="anchored head"):
        call_command("audit", "verify", "--head", str(head_file))

"""Backup and restore drills (SECURITY.md row 25): an encrypted archive of the whole database that
restores every row exactly, keeps identities sealed, and is refused when altered, cut off, opened
with the wrong key, made by another schema, or aimed at a database in use."""

import io
import json
import secrets

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_case, make_organisation, make_user
from veza.cases.models import Case, Identity
from veza.cases.services import identity_search, identity_write
from veza.core import backup as backup_module
from veza.core.archive import archive_lines
from veza.core.audit import audit_log, audit_verify
from veza.core.backup import backup_create, backup_key, backup_models, database_clear
from veza.core.backup import dump as dump_module
from veza.core.backup import restore as restore_module
from veza.core.demo import demo_steps
from veza.core.errors import PermissionDeniedError
from veza.core.models import AuditEntry
from veza.federation.models import CrossBorderReferral, Peer, RejectedPacket

pytestmark = pytest.mark.django_db

AUDIT_TABLES = {"core_auditentry", "core_audithead"}


@pytest.fixture(autouse=True)
def _keys(isolated_keys):
    return isolated_keys


def _quiet():
    return {"stdout": io.StringIO(), "stderr": io.StringIO()}


def _people(organisation=None):
    """Identities and a referral abroad (sealed values in two apps), a refused packet (an
    address), an audit entry with an address."""
    organisation = organisation or make_organisation("RS")
    manager = make_user(role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager, sex="female", age=19)
    identity_write(
        actor=manager,
        case=case,
        given_names="Đorđe",
        family_name="Šćepanović",
        date_of_birth="2005-03-04",
        documents=[{"type": "passport", "number": "ZX-9981"}],
    )
    peer = Peer.objects.create(
        instance="mk", name="MK", participant="MK", role="national", base_url="https://mk.test"
    )
    CrossBorderReferral.objects.create(
        reference="5f0c7d4e-0000-4000-8000-000000000002",
        direction="out",
        peer=peer,
        case=case,
        organisation=organisation,
        reason="Threatened by the recruiter in Skopje",
        urgency="high",
        shared_data={"family_name": "Šćepanović", "languages": ["sr", "mk"]},
    )
    RejectedPacket.objects.create(reason="replayed", remote_address="2001:db8::7")
    audit_log("test.note", actor="cli:test", ip="192.0.2.10", detail={"n": 1.5, "ok": None})
    return manager, case


def _raw() -> dict[str, list[tuple]]:
    """Every table as the database returns it (no model code involved), in primary-key order."""
    qn = connection.ops.quote_name
    snapshot = {}
    for model in backup_models():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {qn(model._meta.db_table)} "  # noqa: S608
                f"ORDER BY {qn(model._meta.pk.column)}"
            )
            snapshot[model._meta.db_table] = [tuple(row) for row in cursor.fetchall()]
    return snapshot


def _orm() -> dict[str, list[tuple]]:
    """Every table through the models: sealed values opened, JSON decoded."""
    return {
        model._meta.db_table: list(
            model._base_manager.order_by("pk").values_list(
                *(f.attname for f in model._meta.concrete_fields)
            )
        )
        for model in backup_models()
    }


def _assert_restored(before_raw, before_orm):
    after_raw, after_orm = _raw(), _orm()
    assert after_raw.keys() == before_raw.keys()
    for table in before_raw:
        if table in AUDIT_TABLES:
            continue
        assert after_raw[table] == before_raw[table], table
        assert after_orm[table] == before_orm[table], table
    # The audit log: every entry as it was, then the restore's own entry at the end.
    entries = before_raw["core_auditentry"]
    assert after_raw["core_auditentry"][: len(entries)] == entries
    assert after_orm["core_auditentry"][: len(entries)] == before_orm["core_auditentry"]
    assert [e.action for e in AuditEntry.objects.filter(sequence__gt=len(entries))] == [
        "backup.restore"
    ]
    assert audit_verify().ok


def _backup(path, **kwargs):
    out = io.StringIO()
    call_command("backup", "--out", str(path), stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_every_model_table_is_in_the_archive_except_login_sessions():
    tables = {m._meta.db_table for m in backup_models()}
    every = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    assert every - tables == {"django_session"}
    assert {"cases_case_screenings", "auth_permission", "django_content_type"} <= tables
    order = [m._meta.db_table for m in backup_models()]
    assert order.index("organisations_organisation") < order.index("cases_case")
    assert order.index("cases_case") < order.index("cases_identity")


def _demo():
    """The demonstration data of every app, less the migration dataflows (tens of thousands of
    statistics rows of one shape that take most of a minute to load)."""
    for step in demo_steps():
        if step.name != "migration dataflows":
            step.run(progress=lambda *args: None)


def test_drill_demo_data_backed_up_emptied_restored_row_for_row(tmp_path):
    _demo()
    manager, case = _people()
    before_raw, before_orm = _raw(), _orm()
    archive = tmp_path / "veza.vzb"
    printed = _backup(archive)
    assert "Wrote" in printed and "rows" in printed
    created = AuditEntry.objects.get(action="backup.create")
    assert set(created.detail) == {"tables", "rows", "archive_sha256", "audit_head"}

    # Sealed identities stay ciphertext inside the archive, and the file is ciphertext.
    content = b"\n".join(archive_lines(archive, backup_key()))
    for secret in ("Šćepanović", "ZX-9981", "Threatened by the recruiter"):
        assert secret.encode() not in content
        assert secret.encode() not in archive.read_bytes()
    assert b"vz1:" in content and b"vz1:" not in archive.read_bytes()
    assert b"rs.frontline" in content  # the archive does hold the rest of the data

    database_clear()
    assert not Case.objects.exists() and not AuditEntry.objects.exists()
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Restore OK")
    _assert_restored(before_raw, before_orm)
    assert Identity.objects.get(case=case).family_name == "Šćepanović"
    assert identity_search(actor=manager, name="djordje scepanovic") == [case]
    restore = AuditEntry.objects.get(action="backup.restore")
    assert restore.detail["archive_audit_head"] == len(before_raw["core_auditentry"])
    assert restore.detail["replaced_audit_head"] is None
    # New rows take new ids (sequences were reset on PostgreSQL).
    assert make_organisation("RS").pk > max(r[0] for r in before_raw["organisations_organisation"])


def test_restore_into_a_database_in_use_needs_replace(tmp_path):
    _manager, case = _people()
    before_raw, before_orm = _raw(), _orm()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    make_case(case.organisation)  # made after the backup: --replace drops it
    with pytest.raises(CommandError, match="in use"):
        call_command("restore", str(archive), **_quiet())
    assert Case.objects.count() == 2
    call_command("restore", str(archive), "--replace", **_quiet())
    _assert_restored(before_raw, before_orm)
    replaced = AuditEntry.objects.get(action="backup.restore").detail["replaced_audit_head"]
    assert replaced["sequence"] > len(before_raw["core_auditentry"])


def _nothing_written(before):
    assert _raw() == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("flip-body", "damaged or was altered"),
        ("flip-last", "damaged or was altered"),
        ("cut", "cut off"),
        ("append", "data after its end"),
    ],
)
def test_an_altered_or_truncated_archive_is_refused_and_nothing_is_written(
    tmp_path, damage, message
):
    _people()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    data = bytearray(archive.read_bytes())
    if damage == "flip-body":
        data[200] ^= 0x01
    elif damage == "flip-last":
        data[-3] ^= 0x80
    elif damage == "cut":
        data = data[:-40]
    else:
        data += b"\x00" * 24
    archive.write_bytes(bytes(data))
    before = _raw()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), "--replace", **_quiet())
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), "--check", **_quiet())
    _nothing_written(before)


def test_a_wrong_key_is_refused(tmp_path):
    _people()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    other = tmp_path / "other.key"
    other.write_text(secrets.token_bytes(32).hex())
    before = _raw()
    with pytest.raises(CommandError, match="another backup key"):
        call_command("restore", str(archive), "--replace", "--key-file", str(other), **_quiet())
    _nothing_written(before)
    # The archive opens with the key it was made with, given as a file too.
    own = tmp_path / "own.key"
    own.write_text(backup_key().hex())
    out = io.StringIO()
    call_command("restore", str(archive), "--check", "--key-file", str(own), stdout=out)
    assert out.getvalue().startswith("Archive OK")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: {**s, "cases": [*s["cases"], "9999_from_the_future"]}, "newer Veza"),
        (lambda s: {**s, "cases": s["cases"][:-1]}, "older Veza"),
    ],
)
def test_an_archive_from_another_schema_is_refused(tmp_path, monkeypatch, change, message):
    _people()
    real = dump_module._migration_state
    monkeypatch.setattr(dump_module, "_migration_state", lambda: change(real()))
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    monkeypatch.setattr(dump_module, "_migration_state", real)
    before = _raw()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), "--replace", **_quiet())
    _nothing_written(before)


def test_a_restore_that_does_not_match_its_manifest_is_rolled_back(tmp_path, monkeypatch):
    _people()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    before = _raw()
    real = restore_module._table_digest

    def off_by_one(model):
        rows, digest = real(model)
        return (rows + 1, digest) if model._meta.db_table == "cases_identity" else (rows, digest)

    monkeypatch.setattr(restore_module, "_table_digest", off_by_one)
    with pytest.raises(CommandError, match=r"cases_identity: 2 rows restored, the archive holds 1"):
        call_command("restore", str(archive), "--replace", **_quiet())
    _nothing_written(before)


def test_the_archive_is_never_overwritten_and_a_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    archive = tmp_path / "veza.vzb"
    archive.write_text("something else")
    with pytest.raises(CommandError, match="already a file"):
        _backup(archive)
    assert archive.read_text() == "something else"

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dump_module, "_migration_state", broken)
    with pytest.raises(RuntimeError):
        _backup(tmp_path / "new.vzb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys", "veza.vzb"]


def test_only_the_operator_backs_up(tmp_path, admin_user):
    with pytest.raises(PermissionDeniedError):
        backup_create(actor=admin_user, out=tmp_path / "x.vzb", key=backup_key())


def test_the_manifest_describes_the_archive(tmp_path):
    _people()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    lines = list(archive_lines(archive, backup_key()))
    manifest = json.loads(lines[-1])
    assert manifest["t"] == "manifest" and manifest["format"] == 1
    assert manifest["created_at"].endswith("+00:00")
    assert "0001_initial" in manifest["migrations"]["cases"]
    assert manifest["tables"]["cases_identity"]["rows"] == 1
    assert len(manifest["tables"]["cases_identity"]["sha256"]) == 64
    assert manifest["audit_head"]["sequence"] == AuditEntry.objects.count() - 1
    assert manifest["sealed_values_per_key"] == {"1": 6}  # 4 identity, 2 referral


def test_a_restore_warns_when_a_field_key_it_needs_is_missing(tmp_path, isolated_keys):
    _people()
    archive = tmp_path / "veza.vzb"
    _backup(archive)
    (isolated_keys / "field-2.key").write_text(secrets.token_bytes(32).hex())
    (isolated_keys / "field-1.key").rename(tmp_path / "field-1.key")
    err = io.StringIO()
    call_command("restore", str(archive), "--replace", stdout=io.StringIO(), stderr=err)
    assert "field key(s) 1 are not in VEZA_KEYS_DIR" in err.getvalue()
    assert audit_verify().ok


def test_check_tells_whether_the_archive_fits_this_database(tmp_path, monkeypatch):
    archive = tmp_path / "veza.vzb"
    real = dump_module._migration_state
    monkeypatch.setattr(
        dump_module, "_migration_state", lambda: {**real(), "cases": ["9999_future"]}
    )
    _backup(archive)
    monkeypatch.setattr(dump_module, "_migration_state", real)
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "Archive OK" in out.getvalue() and "would not restore" in out.getvalue()
    assert "newer Veza" in out.getvalue()


@pytest.mark.postgres_only
def test_an_archive_made_on_sqlite_restores_into_postgresql(tmp_path, isolated_keys):
    """The dump is engine-independent: a SQLite instance's archive (made by the `veza` command in
    a separate process with the same keys) restores into PostgreSQL, every table hash agreeing."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VEZA_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(VEZA_DATA_DIR=str(tmp_path / "sqlite"), VEZA_KEYS_DIR=str(isolated_keys))
    archive = tmp_path / "from-sqlite.vzb"
    for args in (
        ["migrate", "-v0"],
        ["shell", "-c", "from tests.core.test_backup import _people; _people()"],
        ["backup", "--out", str(archive)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "veza", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    manifest = backup_module.backup_inspect(archive, backup_key())
    assert manifest["engine"] == "sqlite"
    _people()  # this database is in use
    call_command("restore", str(archive), "--replace", **_quiet())
    identity = Identity.objects.get()
    assert identity.family_name == "Šćepanović" and identity.documents[0]["number"] == "ZX-9981"
    assert RejectedPacket.objects.get().remote_address == "2001:db8::7"
    note = AuditEntry.objects.get(action="test.note")
    assert note.ip == "192.0.2.10" and note.detail == {"n": 1.5, "ok": None}
    assert audit_verify().ok

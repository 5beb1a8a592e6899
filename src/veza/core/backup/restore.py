"""The restore: read and check the whole archive, then load it in one transaction and verify
every table and the audit chain before committing. Also `backup_inspect` and `backup_check`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext_lazy as _

from veza.core.archive import (
    ArchiveDamagedError,
    ArchiveError,
    ArchiveKeyError,
    archive_lines,
    file_sha256,
)
from veza.core.audit import audit_head_export, audit_log, audit_verify
from veza.core.backup.tables import (
    FORMAT,
    Progress,
    _columns,
    _decode,
    _hashed,
    _migration_state,
    backup_models,
    table_rows,
)
from veza.core.crypto import field_keys
from veza.core.errors import ConflictError, ValidationError
from veza.core.models import AuditEntry
from veza.core.scoping import require_operator

__all__ = [
    "RestoreReport",
    "backup_check",
    "backup_inspect",
    "backup_restore",
    "database_clear",
]

BATCH = 500


@dataclass
class RestoreReport:
    manifest: dict
    tables: int = 0
    rows: int = 0
    audit_entries: int = 0
    replaced: bool = False
    #: problems that do not stop the restore (e.g. a field key that is not here)
    warnings: list[str] = field(default_factory=list)


def _archive_refused(exc: ArchiveError) -> ValidationError:
    if isinstance(exc, ArchiveKeyError):
        text = _("The archive was made with another backup key: nothing was restored.")
    elif isinstance(exc, ArchiveDamagedError):
        text = _("The archive is damaged or was altered (%(problem)s): nothing was restored.") % {
            "problem": str(exc)
        }
    else:
        text = _("This file cannot be restored (%(problem)s).") % {"problem": str(exc)}
    return ValidationError(text, code="archive")


def _records(path: Path, key: bytes) -> Iterator[dict | list]:
    try:
        for raw in archive_lines(path, key):
            yield json.loads(raw)
    except ArchiveError as exc:
        raise _archive_refused(exc) from exc


def _read_through(path: Path, key: bytes) -> tuple[dict, dict[str, tuple[list, list]]]:
    """Read the whole archive (authenticating every part), check its content against its
    manifest; the manifest and each table's columns and kinds."""
    manifest = None
    tables: dict[str, dict] = {}
    layouts: dict[str, tuple[list, list]] = {}
    kinds: list[str] = []
    digest = hashlib.sha256()
    count = 0
    for record in _records(Path(path), key):
        if isinstance(record, list):
            digest.update(_hashed(kinds, record) + b"\n")
            count += 1
        elif record.get("t") == "table":
            kinds, digest, count = record["kinds"], hashlib.sha256(), 0
            layouts[record["table"]] = (record["columns"], record["kinds"])
        elif record.get("t") == "end":
            tables[record["table"]] = {"rows": count, "sha256": digest.hexdigest()}
        elif record.get("t") == "manifest":
            manifest = record
        elif record.get("t") == "begin" and record.get("format") != FORMAT:
            raise ValidationError(
                _("Archive format %(format)s is not known to this Veza.")
                % {"format": record.get("format")}
            )
    if manifest is None or manifest.get("tables") != tables:
        raise ValidationError(_("The archive's content does not match its manifest."))
    return manifest, layouts


def backup_inspect(path: Path, key: bytes) -> dict:
    """The manifest of an archive, after reading all of it and checking it. Writes nothing."""
    return _read_through(path, key)[0]


def backup_check(path: Path, key: bytes) -> tuple[dict, list[str]]:
    """The manifest, and why a restore into this database would be refused (empty if it
    would not). Reads the whole archive; writes nothing."""
    manifest, layouts = _read_through(path, key)
    return manifest, _schema_problems(manifest) or _structure_problems(manifest, layouts)


def _schema_problems(manifest: dict) -> list[str]:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return [str(_("This database is not fully migrated: run `veza migrate` first."))]
    here = {(a, n) for a, names in _migration_state().items() for n in names}
    there = {(a, n) for a, names in manifest["migrations"].items() for n in names}
    problems = []
    if there - here:
        newer = ", ".join(f"{a}.{n}" for a, n in sorted(there - here))
        problems.append(
            str(
                _(
                    "The archive comes from a newer Veza (%(version)s): this database lacks the "
                    "migrations %(migrations)s. Install that version, run `veza migrate`, "
                    "then restore."
                )
                % {"version": manifest.get("veza_version"), "migrations": newer}
            )
        )
    if here - there:
        older = ", ".join(f"{a}.{n}" for a, n in sorted(here - there))
        problems.append(
            str(
                _(
                    "The archive comes from an older Veza (%(version)s): it lacks the migrations "
                    "%(migrations)s. Restore it with the version that made it, then upgrade."
                )
                % {"version": manifest.get("veza_version"), "migrations": older}
            )
        )
    return problems


def _in_use() -> bool:
    """An instance is in use once it has an account or an audit entry of anyone but the
    migrations (which write as "system")."""
    return (
        get_user_model()._base_manager.exists()
        or AuditEntry.objects.exclude(actor="system").exists()
    )


def database_clear() -> None:
    """Empty every table Django knows (sessions included), in the caller's transaction.

    PostgreSQL truncates (the audit log's trigger refuses row deletes, not TRUNCATE)."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with pending deferred checks: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
            cursor.execute(sql)


def _load(path: Path, key: bytes, report: RestoreReport, progress: Progress | None) -> None:
    by_table = {m._meta.db_table: m for m in backup_models()}
    total = len(report.manifest["tables"])
    qn = connection.ops.quote_name
    model = fields = kinds = sql = None
    batch: list[list] = []

    def flush() -> None:
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()

    for record in _records(path, key):
        if isinstance(record, list):
            batch.append([_decode(k, f, v) for k, f, v in zip(kinds, fields, record, strict=True)])
            if len(batch) >= BATCH:
                flush()
        elif record.get("t") == "table":
            model = by_table[record["table"]]
            by_name = {f.column: f for f in model._meta.concrete_fields}
            fields = [by_name[c] for c in record["columns"]]
            kinds = record["kinds"]
            sql = (
                f"INSERT INTO {qn(record['table'])} "  # noqa: S608
                f"({', '.join(qn(c) for c in record['columns'])}) "
                f"VALUES ({', '.join(['%s'] * len(fields))})"
            )
        elif record.get("t") == "end":
            flush()
            report.tables += 1
            report.rows += record["rows"]
            if progress:
                progress(report.tables, total, record["table"])


def _structure_problems(manifest: dict, layouts: dict[str, tuple[list, list]]) -> list[str]:
    here = {m._meta.db_table: m for m in backup_models()}
    problems = []
    missing = sorted(here.keys() - layouts.keys())
    unknown = sorted(layouts.keys() - here.keys())
    if missing:
        problems.append(f"tables not in the archive: {', '.join(missing)}")
    if unknown:
        problems.append(f"tables unknown here: {', '.join(unknown)}")
    for table, (columns, kinds) in layouts.items():
        if table in here:
            fields, here_kinds = _columns(here[table])
            if [f.column for f in fields] != columns or here_kinds != kinds:
                problems.append(f"the columns of {table} differ")
    return problems


def _table_digest(model) -> tuple[int, str]:
    _fields, kinds = _columns(model)
    digest = hashlib.sha256()
    count = 0
    for row in table_rows(model):
        digest.update(_hashed(kinds, row) + b"\n")
        count += 1
    return count, digest.hexdigest()


def _verify(manifest: dict) -> list[str]:
    """What differs between the restored database and the manifest (empty when all agree)."""
    problems = []
    for model in backup_models():
        table = model._meta.db_table
        expected = manifest["tables"].get(table)
        rows, sha256 = _table_digest(model)
        if expected is None:
            continue
        if rows != expected["rows"]:
            problems.append(f"{table}: {rows} rows restored, the archive holds {expected['rows']}")
        elif sha256 != expected["sha256"]:
            problems.append(f"{table}: the rows differ from the archive's (SHA-256)")
    chain = audit_verify()
    if not chain.ok:
        problems.append(
            f"audit chain broken: {chain.problem} "
            "(is VEZA_KEYS_DIR the one of the instance that made the archive?)"
        )
    elif not _same_head(audit_head_export(), manifest["audit_head"]):
        problems.append("the audit chain head differs from the one in the manifest")
    return problems


def _same_head(head: dict, archived: dict) -> bool:
    # Archives made before the chain had lanes hold its head without the list of lanes.
    return all(head.get(key) == archived.get(key) for key in ("sequence", "digest", "at"))


def backup_restore(
    *,
    actor,
    path: Path,
    key: bytes,
    replace: bool = False,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore an archive made by `backup_create` into this (migrated) database, all or nothing.

    Refused: an archive that fails authentication, was made with another key or by another
    schema; a database in use, unless `replace` (which empties it in the same transaction)."""
    require_operator(actor)
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("There is no file at %(path)s.") % {"path": path})
    manifest, layouts = _read_through(path, key)
    problems = _schema_problems(manifest) or _structure_problems(manifest, layouts)
    if problems:
        raise ValidationError(
            _("The archive does not fit this database: %(problems)s")
            % {"problems": "; ".join(problems)}
        )
    report = RestoreReport(manifest=manifest, replaced=replace)
    missing_keys = sorted(
        int(k) for k in manifest.get("sealed_values_per_key", {}) if int(k) not in field_keys()
    )
    if missing_keys:
        report.warnings.append(
            f"field key(s) {', '.join(map(str, missing_keys))} are not in VEZA_KEYS_DIR: the "
            "identity values sealed with them cannot be opened until the key files are put back"
        )
    with transaction.atomic():
        in_use = _in_use()
        if in_use and not replace:
            raise ConflictError(
                _(
                    "This database is in use (it has accounts or audit entries): restore into a "
                    "new, migrated database, or give --replace to empty this one first."
                )
            )
        replaced_head = audit_head_export() if in_use else None
        database_clear()
        _load(path, key, report, progress)
        if connection.vendor == "postgresql":
            statements = connection.ops.sequence_reset_sql(no_style(), backup_models())
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        try:
            connection.check_constraints()
        except (IntegrityError, DatabaseError) as exc:
            raise ValidationError(
                _("The restored rows break a reference between tables: nothing was restored.")
            ) from exc
        ContentType.objects.clear_cache()
        problems = _verify(manifest)
        if problems:
            raise ValidationError(
                _(
                    "The restored database differs from the archive: %(problems)s. "
                    "Nothing was restored."
                )
                % {"problems": "; ".join(problems)},
                code="mismatch",
            )
        report.audit_entries = manifest["audit_head"]["sequence"]
        audit_log(
            "backup.restore",
            actor=actor,
            detail={
                "tables": report.tables,
                "rows": report.rows,
                "archive_sha256": file_sha256(path),
                "archive_created_at": manifest["created_at"],
                "archive_audit_head": manifest["audit_head"]["sequence"],
                "replaced_audit_head": replaced_head,
            },
        )
    ContentType.objects.clear_cache()
    return report

"""`veza backup` and `veza restore`: the whole database in one encrypted, portable archive.

The dump is logical: every table of every model (many-to-many tables, accounts, permissions and
content types included; login sessions left out, so a restore logs everyone out), rows read as
the column values the database holds, in primary-key order, written as JSON in a form that does
not depend on the engine. A SQLite archive restores into PostgreSQL and back. Sealed identity
values are copied as the ciphertext they are: the archive never holds an identity in the clear,
and opening them after a restore needs the field keys, which are never in the archive.

The archive (see `veza.core.archive`) is sealed with AES-256-GCM under the backup key kept in
`VEZA_KEYS_DIR`. Its last line is the manifest: format, Veza version, time of creation (UTC),
the migrations applied per app, each table's row count and SHA-256, and the audit chain head.

A restore reads the whole archive once to authenticate it and check its manifest before writing
anything, then empties the database and loads it in one transaction, checks foreign keys, the
per-table counts and hashes and the audit chain, and only then commits (and audits itself).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.archive import (
    ArchiveDamagedError,
    ArchiveError,
    ArchiveKeyError,
    ArchiveWriter,
    archive_lines,
    file_sha256,
)
from veza.core.audit import audit_head_export, audit_log, audit_verify
from veza.core.crypto import field_keys
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.fields import SealedTextField
from veza.core.keys import instance_secret
from veza.core.models import AuditEntry

__all__ = [
    "FORMAT",
    "BackupSummary",
    "RestoreReport",
    "backup_check",
    "backup_create",
    "backup_inspect",
    "backup_key",
    "backup_models",
    "backup_restore",
    "database_clear",
    "table_rows",
]

FORMAT = 1
#: Tables left out of the archive: login sessions (a restored instance starts logged out).
LEFT_OUT = frozenset({"django_session"})
BATCH = 500

Progress = Callable[[int, int, str], None]

# Internal field type → how its value is written in the archive.
KINDS = {
    **dict.fromkeys(
        (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        ),
        "int",
    ),
    **dict.fromkeys(
        (
            "CharField",
            "TextField",
            "SlugField",
            "EmailField",
            "URLField",
            "GenericIPAddressField",
            "IPAddressField",
            "FileField",
            "ImageField",
            "FilePathField",
        ),
        "str",
    ),
    "BooleanField": "bool",
    "FloatField": "float",
    "DecimalField": "decimal",
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DurationField": "duration",
    "UUIDField": "uuid",
    "JSONField": "json",
    "BinaryField": "binary",
}


def _require_operator(actor) -> None:
    # Whole-database operations belong to the instance operator, on the command line only.
    if not isinstance(actor, str):
        raise PermissionDeniedError()


def backup_key(key_file: Path | str | None = None) -> bytes:
    """The backup key: `--key-file` (64 hex digits) or `backup.key` in VEZA_KEYS_DIR."""
    if key_file is None:
        return instance_secret("backup")
    try:
        key = bytes.fromhex(Path(key_file).read_text().strip())
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The key file cannot be read as 64 hexadecimal digits.")) from exc
    if len(key) != 32:
        raise ValidationError(_("A backup key is 32 bytes (64 hexadecimal digits)."))
    return key


# --- Which tables, in which order, with which columns ------------------------------------------


def _base_field(f: models.Field) -> models.Field:
    while f.is_relation:
        f = f.target_field
    return f


def _kind(f: models.Field) -> str:
    internal = _base_field(f).get_internal_type()
    if internal not in KINDS:
        raise ValidationError(
            _("The column %(column)s has a type the backup does not know (%(type)s).")
            % {"column": f"{f.model._meta.db_table}.{f.column}", "type": internal}
        )
    return KINDS[internal]


def backup_models() -> list[type[models.Model]]:
    """Every model with a table of its own, those it refers to before itself."""
    found = {
        m._meta.db_table: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.db_table not in LEFT_OUT
    }
    needs = {
        table: {
            f.related_model._meta.db_table
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
        & (found.keys() - {table})
        for table, model in found.items()
    }
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, n in needs.items() if not n - set(ordered))
        # A cycle (none today) is loaded in name order: foreign keys are checked at commit.
        batch = ready or sorted(needs)[:1]
        ordered += batch
        for table in batch:
            del needs[table]
    return [found[t] for t in ordered]


# --- Values: database ⇄ archive ----------------------------------------------------------------


def _encode(kind: str, value):
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return float(value)
    if kind == "decimal":
        return str(value)
    if kind == "datetime":
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.isoformat(timespec="microseconds")
    if kind == "duration":
        if isinstance(value, dt.timedelta):
            return value // dt.timedelta(microseconds=1)
        return int(value)
    if kind == "uuid":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if kind == "json":
        # Kept as the text the database holds; hashed in a canonical form (see `_hashed`).
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _canonical_json(text: str | None) -> str | None:
    if text is None:
        return None
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode(kind: str, f: models.Field, value):
    """An archive value as a query parameter for this database."""
    if value is None:
        return None
    base = _base_field(f)
    if kind in ("int", "str", "float", "bool"):
        return value
    if kind == "json":
        if connection.vendor == "sqlite":
            return value  # the very text that was stored
        return connection.ops.adapt_json_value(json.loads(value), getattr(base, "encoder", None))
    parsed = {
        "decimal": decimal.Decimal,
        "datetime": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
        "time": dt.time.fromisoformat,
        "duration": lambda v: dt.timedelta(microseconds=v),
        "uuid": uuid.UUID,
        "binary": base64.b64decode,
    }[kind](value)
    return base.get_db_prep_save(parsed, connection)


def _columns(model) -> tuple[list[models.Field], list[str]]:
    fields = list(model._meta.concrete_fields)
    return fields, [_kind(f) for f in fields]


def _hashed(kinds: list[str], row: list) -> bytes:
    canonical = [_canonical_json(v) if k == "json" else v for k, v in zip(kinds, row, strict=True)]
    return json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()


def table_rows(model) -> Iterator[list]:
    """The rows of a model's table in archive form, in primary-key order: raw column values
    (sealed values stay ciphertext), made engine-independent."""
    fields, kinds = _columns(model)
    table = model._meta.db_table
    qn = connection.ops.quote_name
    cols = [Col(table, f, output_field=_base_field(f)) for f in fields]
    converters = [connection.ops.get_db_converters(c) for c in cols]
    sql = (
        f"SELECT {', '.join(qn(f.column) for f in fields)} FROM {qn(table)} "  # noqa: S608
        f"ORDER BY {qn(model._meta.pk.column)}"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(2000):
            for raw in rows:
                row = []
                for value, kind, col, convert in zip(raw, kinds, cols, converters, strict=True):
                    for converter in convert:
                        value = converter(value, col, connection)
                    row.append(_encode(kind, value))
                yield row


def _table_digest(model) -> tuple[int, str]:
    _fields, kinds = _columns(model)
    digest = hashlib.sha256()
    count = 0
    for row in table_rows(model):
        digest.update(_hashed(kinds, row) + b"\n")
        count += 1
    return count, digest.hexdigest()


def _migration_state() -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _veza_version() -> str:
    try:
        return version("veza")
    except PackageNotFoundError:
        return "unknown"


def _line(record) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


# --- Backup ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    sha256: str
    manifest: dict


def _dump(writer: ArchiveWriter, progress: Progress | None) -> dict:
    tables: dict[str, dict] = {}
    sealed_keys: dict[str, int] = {}
    chosen = backup_models()
    writer.write_line(_line({"t": "begin", "format": FORMAT}))
    for done, model in enumerate(chosen, start=1):
        fields, kinds = _columns(model)
        table = model._meta.db_table
        sealed_at = [i for i, f in enumerate(fields) if isinstance(f, SealedTextField)]
        writer.write_line(
            _line(
                {
                    "t": "table",
                    "table": table,
                    "model": model._meta.label_lower,
                    "columns": [f.column for f in fields],
                    "kinds": kinds,
                }
            )
        )
        digest = hashlib.sha256()
        count = 0
        for row in table_rows(model):
            writer.write_line(_line(row))
            digest.update(_hashed(kinds, row) + b"\n")
            count += 1
            for i in sealed_at:
                if row[i]:
                    key_id = row[i].split(":", 2)[1]
                    sealed_keys[key_id] = sealed_keys.get(key_id, 0) + 1
        writer.write_line(_line({"t": "end", "table": table, "rows": count}))
        tables[table] = {"rows": count, "sha256": digest.hexdigest()}
        if progress:
            progress(done, len(chosen), table)
    manifest = {
        "t": "manifest",
        "format": FORMAT,
        "veza_version": _veza_version(),
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "engine": connection.vendor,
        "migrations": _migration_state(),
        "tables": tables,
        "audit_head": audit_head_export(),
        "sealed_values_per_key": dict(sorted(sealed_keys.items())),
    }
    writer.write_line(_line(manifest))
    return manifest


def backup_create(
    *, actor, out: Path, key: bytes, progress: Progress | None = None
) -> BackupSummary:
    """Write the whole database into an encrypted archive at `out`; audited (counts only)."""
    _require_operator(actor)
    out = Path(out)
    if out.exists():
        raise ConflictError(_("There is already a file at %(path)s.") % {"path": out})
    if not out.parent.is_dir():
        raise ValidationError(_("There is no folder %(path)s.") % {"path": out.parent})
    writer = ArchiveWriter(out, key)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot for every table: the archive is consistent while Veza runs.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            manifest = _dump(writer, progress)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    sha256 = file_sha256(out)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    with transaction.atomic():
        audit_log(
            "backup.create",
            actor=actor,
            detail={
                "tables": len(manifest["tables"]),
                "rows": rows,
                "archive_sha256": sha256,
                "audit_head": manifest["audit_head"]["sequence"],
            },
        )
    return BackupSummary(out, len(manifest["tables"]), rows, sha256, manifest)


# --- Restore -----------------------------------------------------------------------------------


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
            f"audit chain broken at entry #{chain.bad_sequence}: {chain.problem} "
            "(is VEZA_KEYS_DIR the one of the instance that made the archive?)"
        )
    elif audit_head_export() != manifest["audit_head"]:
        problems.append("the audit chain head differs from the one in the manifest")
    return problems


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
    _require_operator(actor)
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

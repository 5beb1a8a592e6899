"""The backup: every table into an encrypted archive, then its manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.archive import ArchiveWriter, file_sha256
from veza.core.audit import audit_head_export, audit_log
from veza.core.backup.tables import (
    FORMAT,
    Progress,
    _columns,
    _hashed,
    _migration_state,
    backup_models,
    table_rows,
)
from veza.core.errors import ConflictError, ValidationError
from veza.core.fields import SealedTextField
from veza.core.scoping import require_operator

__all__ = ["BackupSummary", "backup_create"]


def _veza_version() -> str:
    try:
        return version("veza")
    except PackageNotFoundError:
        return "unknown"


def _line(record) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


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
    require_operator(actor)
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

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

from veza.core.backup.access import backup_key
from veza.core.backup.dump import BackupSummary, backup_create
from veza.core.backup.restore import (
    RestoreReport,
    backup_check,
    backup_inspect,
    backup_restore,
    database_clear,
)
from veza.core.backup.tables import FORMAT, backup_models, table_rows

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

"""`veza backup --out FILE [--key-file K]`: the whole database in one encrypted archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import VezaError
from veza.core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Write every table into one archive encrypted with the backup key (VEZA_KEYS_DIR/"
        "backup.key). The keys are not in it: back VEZA_KEYS_DIR up separately."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The archive to write (must not exist).")
        parser.add_argument(
            "--key-file", help="A backup key file (64 hex digits) instead of backup.key."
        )

    def handle(self, *args, out, key_file=None, **options):
        from veza.core.backup import backup_create, backup_key

        try:
            summary = backup_create(
                actor=cli_actor(),
                out=Path(out),
                key=backup_key(key_file),
                progress=progress_bar(self.stderr),
            )
        except VezaError as exc:
            raise CommandError(exc.text() if hasattr(exc, "text") else str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(f"{exc.strerror}: {exc.filename}") from exc
        head = summary.manifest["audit_head"]
        self.stdout.write(
            f"Wrote {summary.path}: {summary.tables} tables, {summary.rows} rows, audit chain "
            f"head #{head['sequence']}; SHA-256 {summary.sha256}.\n"
            "Keep the keys (VEZA_KEYS_DIR) in a separate, safe place: without the backup key "
            "the archive cannot be read, without the field keys identities cannot be opened."
        )

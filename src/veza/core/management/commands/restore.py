"""`veza restore FILE [--key-file K] [--replace] [--check]`: load a `veza backup` archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import VezaError
from veza.core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Restore an archive made by `veza backup` into an empty, migrated database, all or "
        "nothing, then verify every table and the audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="The archive.")
        parser.add_argument(
            "--key-file", help="A backup key file (64 hex digits) instead of backup.key."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Empty a database in use first (in the same transaction). Its audit log goes too.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only read and authenticate the archive and print its manifest; write nothing.",
        )

    def handle(self, *args, path, key_file=None, replace=False, check=False, **options):
        from veza.core.backup import backup_check, backup_key, backup_restore

        try:
            key = backup_key(key_file)
            if check:
                manifest, problems = backup_check(Path(path), key)
            else:
                report = backup_restore(
                    actor=cli_actor(),
                    path=Path(path),
                    key=key,
                    replace=replace,
                    progress=progress_bar(self.stderr),
                )
                manifest = report.manifest
        except VezaError as exc:
            raise CommandError(exc.text() if hasattr(exc, "text") else str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(f"{exc.strerror}: {exc.filename}") from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        head = manifest["audit_head"]
        described = (
            f"made {manifest['created_at']} by Veza {manifest['veza_version']} on "
            f"{manifest['engine']}: {len(manifest['tables'])} tables, {rows} rows, audit chain "
            f"head #{head['sequence']} {head['digest'][:16]}…"
        )
        if check:
            self.stdout.write(f"Archive OK (authenticated, nothing written): {described}")
            for problem in problems:
                self.stdout.write(f"It would not restore into this database: {problem}")
            return
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}.")
        self.stdout.write(
            f"Restore OK: archive {described}. Every table's rows match the archive and the "
            "audit chain verifies; the restore is recorded in it."
        )

"""`veza stats release` and `veza stats audit`: a participant's protected, signed release."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.audit import audit_log
from veza.core.context import cli_actor
from veza.statistics.release import ReleaseError, audit_release, build_release


class Command(BaseCommand):
    help = "Build a national release (SDMX-CSV and a signed manifest), or audit one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        release = sub.add_parser("release")
        release.add_argument("--participant", required=True)
        release.add_argument("--year", type=int, required=True)
        release.add_argument("--out", required=True)
        release.add_argument("--threshold", type=int)
        check = sub.add_parser("audit")
        check.add_argument("directory")

    def handle(self, *args, action, **options):
        if action == "release":

            def progress(done, total, name):
                self.stderr.write(f"\r[{'#' * done}{'.' * (total - done)}] {name:<28}", ending="")

            try:
                built = build_release(
                    options["participant"].upper(),
                    options["year"],
                    Path(options["out"]),
                    threshold=options.get("threshold"),
                    progress=progress,
                )
            except ReleaseError as exc:
                raise CommandError(str(exc)) from exc
            self.stderr.write("")
            audit_log(
                "release.build",
                actor=cli_actor(),
                detail={
                    "participant": built.manifest["participant"],
                    "year": built.manifest["year"],
                    "files": built.manifest["files"],
                },
            )
            for table in built.manifest["tables"]:
                self.stdout.write(
                    f"{table['id']}: {table['cells']} cells, {table['withheld_primary']} withheld "
                    f"(small), {table['withheld_secondary']} withheld (to protect them)"
                )
            self.stdout.write(f"Written to {built.directory} with a signed manifest.")
            return
        directory = Path(options["directory"])
        if not (directory / "manifest.json").exists():
            raise CommandError(f"{directory} holds no manifest.json.")
        problems, unsafe = audit_release(directory)
        for problem in problems:
            self.stderr.write(f"FAULT {problem}")
        for table, cells in unsafe.items():
            for cell, (low, high) in cells.items():
                self.stderr.write(f"UNSAFE {table} {cell}: can be narrowed to [{low:g}, {high:g}]")
        if problems or unsafe:
            raise CommandError("The release is not safe to publish.")
        self.stdout.write("Release audit OK: every withheld cell is protected; signature valid.")

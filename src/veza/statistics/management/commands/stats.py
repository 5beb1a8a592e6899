"""`veza stats release` and `veza stats audit`: a participant's protected, signed release."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.statistics.release import METHODS, ReleaseError, audit_release
from veza.statistics.services import release_export


class Command(BaseCommand):
    help = "Build a national release (SDMX-CSV and a signed manifest), or audit one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        release = sub.add_parser("release")
        release.add_argument("--participant", required=True)
        release.add_argument("--year", type=int, required=True)
        release.add_argument("--out", required=True)
        release.add_argument("--threshold", type=int)
        release.add_argument(
            "--method",
            choices=METHODS,
            help="suppression (withhold), rounding (controlled rounding) or dp (differentially "
            "private counts, spends the participant's privacy budget); default: the spec's",
        )
        check = sub.add_parser("audit")
        check.add_argument("directory")

    def handle(self, *args, action, **options):
        if action == "release":

            def progress(done, total, name):
                self.stderr.write(f"\r[{'#' * done}{'.' * (total - done)}] {name:<28}", ending="")

            try:
                built = release_export(
                    actor=cli_actor(),
                    participant_code=options["participant"].upper(),
                    year=options["year"],
                    out=Path(options["out"]),
                    method=options.get("method"),
                    threshold=options.get("threshold"),
                    progress=progress,
                )
            except ReleaseError as exc:
                raise CommandError(str(exc)) from exc
            except ValidationError as exc:
                raise CommandError(exc.text()) from exc
            self.stderr.write("")
            for table in built.manifest["tables"]:
                self.stdout.write(f"{table['id']}: {_protection_summary(table)}")
            parameters = built.manifest.get("parameters") or {}
            if built.manifest.get("method") == "dp":
                budget = parameters["budget"]
                left = budget["epsilon"] - budget["spent_before"] - parameters["epsilon_total"]
                self.stdout.write(
                    f"Spent epsilon {parameters['epsilon_total']:g} of the privacy budget "
                    f"({left:g} of {budget['epsilon']:g} left for {built.manifest['year']})."
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
        self.stdout.write(
            "Release audit OK: every table is protected by its method; signature valid."
        )


def _protection_summary(table: dict) -> str:
    protection = table.get("protection", "suppression")
    if protection == "rounding":
        return (
            f"{table['cells']} cells, {table['cells_rounded']} rounded to a multiple of "
            f"{table['base']}"
        )
    if protection == "dp":
        return f"{table['cells']} cells, noise for epsilon {table['epsilon']:g}"
    fallback = " (rounding impossible)" if table.get("fallback") else ""
    return (
        f"{table['cells']} cells, {table['withheld_primary']} withheld (small), "
        f"{table['withheld_secondary']} withheld (to protect them){fallback}"
    )

"""`veza hub import-glotip|receive|series|report`: the regional hub's data and its report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.statistics.models import Observation
from veza.statistics.services import glotip_import, release_receive


class Command(BaseCommand):
    help = "Import the UNODC GLOTIP export, and print a series from the hub's observations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-glotip", help="Import a GLOTIP workbook (all-or-nothing).")
        imp.add_argument("path")
        receive = sub.add_parser("receive", help="Store a participant's release (checked).")
        receive.add_argument("directory")
        series = sub.add_parser("series", help="One series, a line per year.")
        series.add_argument("--source", default="glotip")
        series.add_argument("--area", required=True)
        series.add_argument("--measure", required=True)
        series.add_argument("--sex", default="_T")
        series.add_argument("--age", default="_T")
        series.add_argument("--exploitation", default="_T")
        series.add_argument("--format", choices=["csv"], default="csv")
        report = sub.add_parser("report", help="The regional trends report (PDF or HTML).")
        report.add_argument("--year", type=int, required=True)
        report.add_argument("--out", required=True, help="FILE.pdf or FILE.html")

    def handle(self, *args, action, **options):
        if action == "import-glotip":
            path = Path(options["path"])
            if not path.is_file():
                raise CommandError(f"No file at {path}.")
            self.stderr.write(f"Reading {path.name} …")
            try:
                batch = glotip_import(actor=cli_actor(), file_name=path.name, raw=path.read_bytes())
            except ValidationError as exc:
                raise CommandError("; ".join(exc.fields.get("file", [str(exc.message)]))) from exc
            self.stdout.write(f"rows read: {batch.rows_read}")
            self.stdout.write(f"rows imported: {batch.rows_imported}")
            self.stdout.write(f"rows skipped: {len(batch.skipped)}")
            self.stdout.write(f"conflicts: {len(batch.conflicts)}")
            for conflict in batch.conflicts:
                self.stdout.write(
                    "  conflict {area} {year} {measure} sex={sex} age={age} "
                    "exploitation={exploitation} category={category}: {values}".format(**conflict)
                )
            return
        if action == "receive":
            try:
                batch = release_receive(actor=cli_actor(), directory=options["directory"])
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(exc.fields.get("release", [str(exc.message)]))
                ) from exc
            self.stdout.write(
                f"Received {batch.participant} {batch.year}, revision {batch.revision}: "
                f"{batch.rows_imported} observations."
            )
            return
        if action == "report":
            from veza.statistics.report import report_html, report_pdf

            out = Path(options["out"])
            if out.suffix.lower() not in (".pdf", ".html"):
                raise CommandError("--out must end in .pdf or .html.")
            if not out.parent.is_dir():
                raise CommandError(f"No directory {out.parent}.")
            year = options["year"]
            if not Observation.objects.filter(year=year).exists():
                raise CommandError(f"The hub holds no observation for {year}.")
            self.stderr.write(f"Building the {year} report …")
            data = (
                report_pdf(year)
                if out.suffix.lower() == ".pdf"
                else report_html(year).encode("utf-8")
            )
            out.write_bytes(data)
            self.stdout.write(f"Wrote {out} ({len(data)} bytes).")
            return
        rows = (
            Observation.objects.filter(
                source=options["source"],
                area=options["area"].upper(),
                measure=options["measure"],
                sex=options["sex"],
                age=options["age"],
                exploitation=options["exploitation"],
                breakdown="_T",
            )
            .order_by("year")
            .values_list("year", "value", "flag")
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["year", "value", "flag"])
        for year, value, flag in rows:
            writer.writerow([year, "" if value is None else value, flag])
        self.stdout.write(buffer.getvalue(), ending="")

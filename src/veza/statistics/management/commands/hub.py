"""`veza hub import-glotip|receive|series|report|dataflows|define-dataflow`: the regional hub's
data, its dataflows and its report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.statistics.exchange import dataflow_define, release_receive_archive
from veza.statistics.hub import glotip_import, release_receive
from veza.statistics.models import Dataflow, ImportBatch, Observation


class Command(BaseCommand):
    help = "Import the UNODC GLOTIP export, and print a series from the hub's observations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-glotip", help="Import a GLOTIP workbook (all-or-nothing).")
        imp.add_argument("path")
        receive = sub.add_parser("receive", help="Store a participant's release (checked).")
        receive.add_argument("directory", help="A release directory or its ZIP archive.")
        sub.add_parser("dataflows", help="List the dataflows and what the hub holds of each.")
        define = sub.add_parser("define-dataflow", help="Define dataflows from SDMX-ML.")
        define.add_argument("path", help="An SDMX-ML 2.1 structure message.")
        define.add_argument("--frequency", choices=["A", "M"], default="A")
        define.add_argument("--threshold", type=int, default=5)
        define.add_argument("--only", default="", help="Only this dataflow of the file.")
        series = sub.add_parser("series", help="One series, a line per year.")
        series.add_argument("--source", default="glotip")
        series.add_argument("--area", required=True)
        series.add_argument("--measure", required=True)
        series.add_argument("--sex", default="_T")
        series.add_argument("--age", default="_T")
        series.add_argument("--exploitation", default="_T")
        series.add_argument(
            "--dim",
            action="append",
            default=[],
            metavar="DIMENSION=CODE",
            help="For a release or a dataflow: a dimension's code (default _T), repeatable.",
        )
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
        if action == "dataflows":
            self._dataflows()
            return
        if action == "define-dataflow":
            path = Path(options["path"])
            if not path.is_file():
                raise CommandError(f"No file at {path}.")
            try:
                flows = dataflow_define(
                    actor=cli_actor(),
                    raw=path.read_bytes(),
                    frequency=options["frequency"],
                    threshold=options["threshold"],
                    only=options["only"],
                )
            except ValidationError as exc:
                raise CommandError(exc.text()) from exc
            for flow in flows:
                self.stdout.write(f"Defined {flow.code} {flow.version}: {flow.name}")
            return
        if action == "receive":
            target = Path(options["directory"])
            try:
                if target.is_file():
                    batch = release_receive_archive(
                        actor=cli_actor(), file_name=target.name, raw=target.read_bytes()
                    )
                else:
                    batch = release_receive(actor=cli_actor(), directory=target)
            except ValidationError as exc:
                raise CommandError(exc.text()) from exc
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
        if options["source"] != "glotip":
            self._released_series(options)
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

    def _dataflows(self) -> None:
        flows = list(Dataflow.objects.all())
        if not flows:
            self.stdout.write("No dataflow is defined (veza hub define-dataflow FILE.xml).")
        for flow in flows:
            batches = ImportBatch.objects.filter(source=f"dataflow:{flow.code}")
            areas = sorted(set(batches.values_list("participant", flat=True)))
            years = sorted(set(batches.values_list("year", flat=True)))
            span = f"{years[0]}-{years[-1]}" if years else "no data yet"
            self.stdout.write(
                f"{flow.code}\t{flow.version}\t{'monthly' if flow.frequency == 'M' else 'yearly'}"
                f"\t{' x '.join(flow.dimensions)}\t{','.join(areas) or '-'}\t{span}\t{flow.name}"
            )

    def _released_series(self, options) -> None:
        """A series of the participants' releases or of a dataflow (`--source dataflow`, the
        dataflow's code as `--measure`), from the latest revision of each year."""
        measure, area = options["measure"], options["area"].upper()
        source = "release" if options["source"] == "release" else f"dataflow:{measure}"
        try:
            chosen = dict(item.split("=", 1) for item in options["dim"])
        except ValueError as exc:
            raise CommandError("--dim takes DIMENSION=CODE.") from exc
        named = {"SEX": options["sex"], "AGE": options["age"]}
        named["EXPLOITATION"] = options["exploitation"]
        batches = [b.pk for (a, _y), b in ImportBatch.latest(source).items() if a == area]
        points = []
        for year, dims, value, flag in Observation.objects.filter(
            batch_id__in=batches, measure=measure
        ).values_list("year", "dims", "value", "flag"):
            if all(
                code == chosen.get(dim, named.get(dim, "_T"))
                for dim, code in dims.items()
                if dim != "TIME_PERIOD"
            ):
                points.append((dims.get("TIME_PERIOD") or str(year), value, flag))
        if not points and not Observation.objects.filter(batch_id__in=batches).exists():
            raise CommandError(f"The hub holds no {source} of {area}.")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        monthly = any("-" in str(p) for p, _v, _f in points)
        writer.writerow(["period" if monthly else "year", "value", "flag"])
        for period, value, flag in sorted(points):
            writer.writerow([period, "" if value is None else value, flag])
        self.stdout.write(buffer.getvalue(), ending="")

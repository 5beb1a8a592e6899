"""`veza recommendations import FILE [--participant RS] | template --out FILE | plan ID --out
FILE`: recommendations from a file (all-or-nothing, with a progress indicator and every problem
by row), the import template, and a draft action plan."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.core.progress import progress_bar
from veza.organisations.models import Participant


class Command(BaseCommand):
    help = "Import recommendations, write the import template, or a draft action plan."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV or XLSX file (all or nothing).")
        imp.add_argument("path")
        imp.add_argument(
            "--participant", default="", help="Fills empty participant cells; refuses others."
        )
        template = sub.add_parser("template", help="Write the import template.")
        template.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
        plan = sub.add_parser("plan", help="Write the draft action plan of a strategy.")
        plan.add_argument("strategy", type=int, help="The strategy's id.")
        plan.add_argument("--out", required=True, help="FILE.docx or FILE.pdf")
        plan.add_argument("--language", default="en", help="e.g. en, sq, sr, sr-latn, mk")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(Path(options["path"]), options["participant"])
        elif action == "template":
            self._template(Path(options["out"]))
        else:
            self._plan(options["strategy"], Path(options["out"]), options["language"])

    def _import(self, path: Path, code: str):
        from veza.recommendations.importer import ImportRejected, recommendations_import

        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        participant = None
        if code:
            participant = Participant.objects.filter(code=code.upper(), kind="national").first()
            if participant is None:
                raise CommandError(f"No national participant {code}.")
        try:
            result = recommendations_import(
                actor=cli_actor(),
                file_name=path.name,
                raw=path.read_bytes(),
                participant=participant,
                progress=progress_bar(self.stderr),
            )
        except ImportRejected as exc:
            for problem in exc.rows:
                self.stderr.write(str(problem))
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        self.stdout.write(
            f"Imported {result.created} recommendation(s) for {', '.join(result.participants)}: "
            f"{result.sources_created} new source(s), {result.links_created} repeat link(s)."
        )

    def _template(self, out: Path):
        from veza.recommendations.import_template import template_csv, template_xlsx

        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("--out must end in .csv or .xlsx.")
        out.write_bytes(template_xlsx() if out.suffix.lower() == ".xlsx" else template_csv())
        self.stdout.write(f"Wrote {out}")

    def _plan(self, strategy_id: int, out: Path, language: str):
        from veza.recommendations.models import Strategy
        from veza.recommendations.plan import plan_data
        from veza.recommendations.plan_render import plan_docx, plan_pdf
        from veza.recommendations.services import plan_exported

        kind = out.suffix.lower().lstrip(".")
        if kind not in ("docx", "pdf"):
            raise CommandError("--out must end in .docx or .pdf.")
        strategy = Strategy.objects.filter(pk=strategy_id).first()
        if strategy is None:
            raise CommandError(f"No strategy {strategy_id}.")
        with translation.override(language):
            plan = plan_data(strategy)
            body = plan_docx(plan) if kind == "docx" else plan_pdf(plan)
        plan_exported(actor=cli_actor(), strategy=strategy, kind=kind)
        out.write_bytes(body)
        self.stdout.write(f"Wrote {out} ({len(plan.measures)} measures)")

"""`veza forms export --questionnaire SECTOR --lang LANG --out FILE.xlsx [--participant RS]`
and `veza forms import FILE --organisation ID`: offline forms for ODK and KoboToolbox, and their
submissions back into screenings (all or nothing, with a progress indicator)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.core.imports import ImportRejected
from veza.core.progress import progress_bar
from veza.organisations.models import Organisation, Participant


class Command(BaseCommand):
    help = "Export a questionnaire as an XLSForm, or import the submissions made with it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a questionnaire as an XLSForm (.xlsx).")
        export.add_argument(
            "--questionnaire", required=True, help="A sector (health, police…) or quick."
        )
        export.add_argument("--lang", default="en", help="en, sq, sr, sr-latn, bs, hr or mk")
        export.add_argument("--out", required=True, help="FILE.xlsx")
        export.add_argument(
            "--participant",
            default="",
            help="The participant whose adopted versions to use (default: the built-in ones).",
        )
        imp = sub.add_parser("import", help="Import ODK Central or KoboToolbox submissions.")
        imp.add_argument("path", help="The CSV or JSON export.")
        imp.add_argument("--organisation", type=int, required=True, help="The organisation's id.")

    def handle(self, *args, action, **options):
        if action == "export":
            self._export(options)
        else:
            self._import(Path(options["path"]), options["organisation"])

    def _export(self, options):
        from veza.fieldforms.export import form_export

        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError("--out must end in .xlsx.")
        participant = None
        if options["participant"]:
            code = options["participant"].upper()
            participant = Participant.objects.filter(code=code).first()
            if participant is None:
                raise CommandError(f"No participant {code}.")
        try:
            made = form_export(
                participant=participant,
                questionnaire_code=options["questionnaire"],
                language=options["lang"].lower(),
            )
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        out.write_bytes(made.content)
        self.stdout.write(
            f"Wrote {out}: {made.questions} questions, form version {made.version} "
            "(checked with pyxform)."
        )

    def _import(self, path: Path, organisation_id: int):
        from veza.fieldforms.services import submissions_import

        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise CommandError(f"No organisation {organisation_id}.")
        try:
            batch = submissions_import(
                actor=cli_actor(),
                organisation=organisation,
                file_name=path.name,
                raw=path.read_bytes(),
                progress=progress_bar(self.stderr),
            )
        except ImportRejected as exc:
            for problem in exc.rows:
                self.stderr.write(str(problem))
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        self.stdout.write(
            f"Imported {batch.created} screening(s) for {organisation}; "
            f"{batch.duplicates} already imported were skipped."
        )

"""`veza subject-access export CASE_REFERENCE_OR_ID --out DIR [--lang xx]`: everything Veza holds
about the person of a case, as DIR/<ref>.json and DIR/<ref>.pdf. Audited."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import NotFoundError


class Command(BaseCommand):
    help = "Export everything held about the person of a case (JSON and PDF)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write DIR/<case code>.json and .pdf.")
        export.add_argument("case", help="The case code (e.g. RS-2026-7K2Q9D) or its id.")
        export.add_argument("--out", required=True, help="The directory to write to.")
        export.add_argument(
            "--lang",
            default="en",
            help="Language of the PDF: " + ", ".join(code for code, _n in settings.LANGUAGES),
        )

    def handle(self, *args, action, **options):
        from veza.privacy.subject_access import case_for_subject_access, subject_access_export

        language = options["lang"].lower()
        if language not in dict(settings.LANGUAGES):
            raise CommandError(f"No language {language}.")
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} is not a directory.")
        try:
            case = case_for_subject_access(options["case"])
        except NotFoundError as exc:
            raise CommandError("No such case (give its code or id).") from exc
        made = subject_access_export(actor=cli_actor(), case=case, language=language)
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        json_path = out / f"{made.reference}.json"
        pdf_path = out / f"{made.reference}.pdf"
        for path, content in ((json_path, made.json), (pdf_path, made.pdf)):
            path.touch(mode=0o600)
            path.write_bytes(content)
        counts = ", ".join(
            f"{len(made.data[key])} {key}"
            for key in ("consents", "screenings", "referrals", "crossBorderReferrals", "audit")
        )
        self.stdout.write(
            f"Wrote {json_path} and {pdf_path} ({counts}). They hold special-category "
            "personal data: hand them to the person only, then delete them."
        )

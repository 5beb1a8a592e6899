"""`veza retention purge [--dry-run] [--participant XX]`, `veza retention register [--format
md|csv] [--out FILE]`, `veza retention hold CASE --reason TEXT [--until YYYY-MM-DD]` and
`veza retention lift-hold CASE`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import NotFoundError, ValidationError
from veza.core.progress import progress_bar
from veza.privacy.register import RegisterError, load_register


class Command(BaseCommand):
    help = "Apply the retention register, print it as the record of processing, or hold a case."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="Erase or anonymise what ran out of its period.")
        purge.add_argument(
            "--dry-run", action="store_true", help="Only count what would be touched."
        )
        purge.add_argument("--participant", default="", help="Only this participant (e.g. RS).")
        register = sub.add_parser(
            "register", help="The register as the record of processing (GDPR art. 30)."
        )
        register.add_argument("--format", choices=["md", "csv"], default="md")
        register.add_argument("--out", default="", help="Write to this file (default: print).")
        hold = sub.add_parser("hold", help="Keep a case out of the purge (legal hold).")
        hold.add_argument("case", help="The case code (or id).")
        hold.add_argument("--reason", required=True, help="Why, e.g. a court file. Never a name.")
        hold.add_argument("--until", default="", help="YYYY-MM-DD (default: until lifted).")
        lift = sub.add_parser("lift-hold", help="Lift the legal holds on a case.")
        lift.add_argument("case", help="The case code (or id).")

    def handle(self, *args, action, **options):
        try:
            if action == "purge":
                self._purge(options)
            elif action == "register":
                self._register(options)
            elif action == "hold":
                self._hold(options)
            else:
                self._lift(options)
        except RegisterError as exc:
            raise CommandError(f"The retention register is not valid: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        except NotFoundError as exc:
            raise CommandError("No such case.") from exc

    def _purge(self, options):
        from veza.privacy.retention import retention_purge

        register = load_register()
        participant = options["participant"].upper()
        if participant:
            from veza.organisations.models import Participant

            if not Participant.objects.filter(code=participant).exists():
                raise CommandError(f"No participant {participant}.")
        dry_run = options["dry_run"]
        report = retention_purge(
            actor=cli_actor(),
            register=register,
            participant=participant or None,
            dry_run=dry_run,
            progress=None if dry_run else progress_bar(self.stderr),
        )
        if register.status != "confirmed":
            self.stdout.write(
                "Note: the periods are proposals until each participant's data protection "
                "officer confirms them (src/veza/data/privacy/retention.yaml)."
            )
        verb = "would be" if dry_run else "were"
        touched = [r for r in report.rows if r.found]
        for row in touched:
            count = row.found if dry_run else row.done
            self.stdout.write(
                f"{row.code:<24} {row.participant:<4} {count:>7} {verb} {row.action}d "
                f"(period {row.period}, before {row.cutoff:%Y-%m-%d})"
                + (f"; {row.failed} FAILED and left unchanged" if row.failed else "")
            )
        total = sum(r.found if dry_run else r.done for r in report.rows)
        quiet = len({r.code for r in report.rows} - {r.code for r in touched})
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{total} record(s) {verb} erased or anonymised; "
            f"{quiet} class(es) had nothing to purge."
            + ("" if dry_run else " Each batch is in the audit log (retention.purge).")
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} record(s) could not be purged and were left unchanged; "
                "see the log, then run the purge again."
            )

    def _register(self, options):
        from veza.privacy.ropa import register_csv, register_markdown

        register = load_register()
        text = register_csv(register) if options["format"] == "csv" else register_markdown(register)
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['out']} ({len(register.classes)} record classes).")
        else:
            self.stdout.write(text, ending="")

    def _case(self, reference):
        from veza.privacy.subject_access import case_for_subject_access

        return case_for_subject_access(reference)

    def _hold(self, options):
        from veza.privacy.services import legal_hold_place

        until = None
        if options["until"]:
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError as exc:
                raise CommandError("--until must be a date, YYYY-MM-DD.") from exc
        case = self._case(options["case"])
        hold = legal_hold_place(actor=cli_actor(), case=case, reason=options["reason"], until=until)
        self.stdout.write(
            f"Case {case.code} is held {'until ' + str(until) if until else 'until lifted'} "
            f"(hold {hold.pk}); the retention purge leaves it and its records alone."
        )

    def _lift(self, options):
        from veza.privacy.services import legal_hold_lift

        case = self._case(options["case"])
        count = legal_hold_lift(actor=cli_actor(), case=case)
        self.stdout.write(f"Lifted {count} hold(s) on case {case.code}.")

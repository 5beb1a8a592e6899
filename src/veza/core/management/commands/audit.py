"""`veza audit verify` checks the audit chain; `veza audit head` prints its head for anchoring."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from veza.core.audit import audit_head_export, audit_head_in_chain, audit_verify, entry_label


class Command(BaseCommand):
    help = "Verify the audit chain, or export its head so it can be kept elsewhere."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every entry; exit 1 at the first bad one.")
        verify.add_argument(
            "--head", help="A head exported earlier (JSON file): it must still be in the chain."
        )
        sub.add_parser("head", help="Print the chain head as JSON.")

    def handle(self, *args, action, **options):
        if action == "head":
            self.stdout.write(json.dumps(audit_head_export(), indent=2))
            return

        def progress(count):
            if sys.stderr.isatty():
                self.stderr.write(f"\r{count} entries checked…", ending="")

        result = audit_verify(progress=progress)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at {entry_label(result.bad_lane or 1, result.bad_sequence)}: "
                f"{result.problem}. {result.entries} entries read."
            )
        if options.get("head"):
            with open(options["head"], encoding="utf-8") as handle:
                anchored = json.load(handle)
            if not audit_head_in_chain(anchored):
                raise CommandError(
                    f"Audit chain does not contain the anchored head #{anchored.get('sequence')}: "
                    "the log was rewritten or cut after that head was exported."
                )
        lanes = len(result.lanes)
        self.stdout.write(
            f"Audit chain OK: {result.entries} entries in {lanes} lane{'s' * (lanes != 1)}, "
            f"head #{result.head_sequence} {result.head_digest[:16]}…"
        )

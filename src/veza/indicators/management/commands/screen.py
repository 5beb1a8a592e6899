"""`veza screen --set SET --present ID,ID [--age N|unknown]`: apply the decision rule once.

Used by integrators and tests: no database writes, no person, just the rule on a set of
indicators. Unknown sets or indicator ids end with exit code 2 and a message naming them.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from veza.indicators.engine import UnknownIndicatorsError, evaluate
from veza.indicators.management.commands._content import published_rule, published_set


class Command(BaseCommand):
    help = "Screen a list of present indicators against one indicator set and the decision rule."

    def add_arguments(self, parser):
        parser.add_argument("--set", required=True, dest="set_code")
        parser.add_argument("--set-version", type=int, help="Set version (default: the newest)")
        parser.add_argument("--present", default="", help="Comma-separated indicator ids")
        parser.add_argument(
            "--age", default=None, help="Age in years, or 'unknown' (may be a child)"
        )
        parser.add_argument("--urgent", default="", help="Comma-separated urgent flags")
        parser.add_argument("--rule", default=None, help="Decision rule id (default: the newest)")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, set_code, set_version, present, age, urgent, rule, **options):
        indicator_set = published_set(set_code, set_version)
        decision_rule = published_rule(rule)
        flags = [f.strip() for f in urgent.split(",") if f.strip()]
        if age is None:
            age_group = "child" if indicator_set.age_groups == ["child"] else "adult"
        elif age.strip().lower() == "unknown":
            age_group = "child"
            flags.append("presumed_child")
        else:
            try:
                years = int(age)
            except ValueError as exc:
                raise CommandError(
                    "--age takes a number of years or 'unknown'.", returncode=2
                ) from exc
            if not 0 <= years <= 120:
                raise CommandError("--age must be between 0 and 120.", returncode=2)
            age_group = "child" if years < 18 else "adult"
        ids = [p.strip() for p in present.split(",") if p.strip()]
        try:
            result = evaluate(
                indicator_set.parsed, decision_rule.parsed, ids, age_group=age_group, urgent=flags
            )
        except UnknownIndicatorsError as exc:
            raise CommandError(
                f"Unknown indicator id(s) for set {exc.set_id}: {', '.join(exc.unknown)}",
                returncode=2,
            ) from exc
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        data = result.to_dict()
        data["provenance"] = indicator_set.provenance
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"{result.outcome}  ({indicator_set.code} v{indicator_set.version}, "
                f"rule {decision_rule.code} v{decision_rule.version}, {age_group})"
            )
            for line in result.explanation:
                self.stdout.write(f"  {line}")

"""`veza indicators sets|list|check`: the indicator content, for people and for programs."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veza.indicators.content import load_content
from veza.indicators.engine import ContentError
from veza.indicators.management.commands._content import published_set
from veza.indicators.models import IndicatorSet
from veza.indicators.text import localized


class Command(BaseCommand):
    help = "List indicator sets and their indicators, or check the content files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sets = sub.add_parser("sets", help="Every stored set with its version and provenance.")
        sets.add_argument("--format", choices=["json", "text"], default="text")
        listing = sub.add_parser("list", help="The indicators of one set.")
        listing.add_argument("--set", required=True, dest="set_code")
        listing.add_argument("--set-version", type=int)
        listing.add_argument("--format", choices=["json", "text"], default="text")
        check = sub.add_parser("check", help="Validate the content files.")
        check.add_argument("--dir", default=None)

    def handle(self, *args, action, **options):
        if action == "sets":
            rows = [
                {
                    "id": s.code,
                    "version": s.version,
                    "title": s.title,
                    "kind": s.kind,
                    "status": s.status,
                    "provenance": s.provenance,
                    "applies_to": {"age_groups": s.age_groups, "exploitation": s.exploitation},
                    "indicators": len(s.parsed.indicators),
                }
                for s in IndicatorSet.objects.order_by("kind", "code", "-version")
            ]
            if options["format"] == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    self.stdout.write(
                        f"{r['id']:32} v{r['version']:<3} {r['status']:10} {r['provenance']:9} "
                        f"{r['indicators']:3} indicators  {r['title']}"
                    )
        elif action == "list":
            item = published_set(options["set_code"], options.get("set_version"))
            rows = [
                {
                    "id": i.id,
                    "dimension": i.dimension,
                    "strength": i.strength,
                    "text": localized(i.text, "en"),
                    "provenance": i.provenance,
                }
                for i in item.parsed.indicators
            ]
            if options["format"] == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    self.stdout.write(
                        f"{r['id']:30} {r['strength']:6} {r['dimension']:40} {r['text']}"
                    )
        else:
            try:
                content = load_content(options["dir"] or settings.VEZA_CONTENT_DIR)
            except ContentError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"FAULT {problem}")
                raise CommandError("The content files have faults; nothing was loaded.") from exc
            self.stdout.write(
                f"ok: {len(content.sets)} sets, {len(content.rules)} rules, "
                f"{len(content.questionnaires)} questionnaires"
            )

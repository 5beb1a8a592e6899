"""`veza demo`: load the demonstration data of every app (refused in production)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from veza.core.demo import demo_steps
from veza.core.errors import VezaError


class Command(BaseCommand):
    help = "Load demonstration data: organisations, accounts for every role, screenings, …"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is refused on a production instance.")

        def progress(done, total, label):
            bar = "#" * done + "." * (total - done)
            self.stderr.write(f"\r[{bar}] {done}/{total} {label:<30}", ending="")
            if done == total:
                self.stderr.write("")

        try:
            with transaction.atomic():
                for step in demo_steps():
                    self.stderr.write(f"{step.name}:")
                    summary = step.run(progress=progress)
                    for line in summary.get("lines", []):
                        self.stdout.write(line)
        except VezaError as exc:
            raise CommandError(str(exc.message)) from exc

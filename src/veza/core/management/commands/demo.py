"""`veza demo [--scale N [--seed S]]`: load the demonstration data of every app (refused in
production); with `--scale`, then make sure N generated cases exist (see `veza.core.scale`)."""

import resource
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from veza.core.demo import demo_steps
from veza.core.errors import VezaError
from veza.core.progress import progress_bar


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise CommandError(f"--scale needs a positive whole number of cases, not {text!r}.")
    return value


class Command(BaseCommand):
    help = "Load demonstration data: organisations, accounts for every role, screenings, …"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            metavar="N",
            help="Then make sure N generated cases exist (a national data set, for benchmarks).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the generated data (default 1)."
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is refused on a production instance.")
        scale = options.get("scale")
        n = _positive(str(scale)) if scale is not None else None

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
            if n is not None:
                self._scale(n, options["seed"])
        except VezaError as exc:
            raise CommandError(str(exc.message)) from exc

    def _scale(self, n: int, seed: int) -> None:
        from veza.core.scale import scale_generate

        self.stderr.write(f"scale data ({n} cases, seed {seed}):")
        result = scale_generate(n=n, seed=seed, progress=progress_bar(self.stderr))
        counts = dict(result["counts"])
        seconds = counts.pop("seconds", 0)
        run = result["run"]
        written = n - run.existing
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mb = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
        rows = sum(counts.values())
        self.stdout.write(
            f"Scale data: {n} cases of {run.participant_code} ({run.existing} there already, "
            f"{written} added) in {seconds} s"
            + (f", {written / seconds:,.0f} cases/s" if seconds and written else "")
            + f"; {rows} records; peak memory {peak_mb:,.0f} MB."
        )
        for label, number in sorted(counts.items()):
            self.stdout.write(f"  {label}: {number}")

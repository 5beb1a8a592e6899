"""`veza demo --scale N`: a national data set of N generated cases, for benchmarks and load tests.

Each app registers a scale step (in its `ready()`, like the demo steps), with up to two parts:
`prepare(run)` once per run (staff accounts, answer sheets, the service directory) and
`batch(batch)` for each batch of cases (its records, written in bulk). The batches are written in
the order of the case numbers, each in one transaction with its audit entries, so that an
interrupted run leaves whole batches and the next run adds what is missing.

Seeded: each step of each batch draws from its own `random.Random` seeded with the run's seed,
the batch's number and the step's name, and draws for every case of the batch even when only the
missing ones are written; so a resumed run writes what an uninterrupted one would have written.
Dates are counted back from the day of the run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from veza.core.audit import audit_log_bulk
from veza.core.errors import PermissionDeniedError, ValidationError

__all__ = [
    "BATCH_SIZE",
    "ScaleBatch",
    "ScaleRun",
    "ScaleStep",
    "historic_timestamps",
    "register_scale_step",
    "scale_generate",
    "scale_steps",
]

#: Cases per batch (and per transaction).
BATCH_SIZE = 1000
#: The characters of generated codes (no 0/O or 1/I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class ScaleRun:
    """What every step of a run shares: the target, the seed, the participant, the day of the
    run, and what the `prepare` parts found or made (in `shared`)."""

    n: int
    seed: int
    participant_code: str
    now: datetime
    existing: int = 0
    shared: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def count(self, label: str, number: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + number


@dataclass
class ScaleBatch:
    """One batch: cases numbered `first`..`last - 1`, of which `write_from`.. are written."""

    run: ScaleRun
    number: int
    first: int
    last: int
    write_from: int
    records: dict = field(default_factory=dict)
    audit: list = field(default_factory=list)

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.run.seed}/{self.number}/{step}")

    def code(self, rng: random.Random) -> str:
        """Eight characters unique among all generated codes of the kind: the batch's number
        (three characters) and five drawn ones, drawn again if the batch has them already."""
        number, prefix = self.number, ""
        for _ in range(3):
            number, digit = divmod(number, len(CODE_ALPHABET))
            prefix = CODE_ALPHABET[digit] + prefix
        seen = self.records.setdefault("codes", set())
        while True:
            code = prefix + "".join(rng.choice(CODE_ALPHABET) for _ in range(5))
            if code not in seen:
                seen.add(code)
                return code

    def indices(self) -> range:
        return range(self.first, self.last)

    def writes(self, index: int) -> bool:
        return index >= self.write_from

    def log(self, action: str, *, actor, obj, organisation_id, detail=None) -> None:
        """One audit entry, as the service would write it (appended in bulk at the batch end)."""
        self.audit.append(
            {
                "action": action,
                "actor": actor,
                "obj": obj,
                "organisation_id": organisation_id,
                "detail": detail or {},
            }
        )


@dataclass(frozen=True)
class ScaleStep:
    order: int
    name: str
    prepare: Callable[[ScaleRun], None] | None = None
    batch: Callable[[ScaleBatch], None] | None = None


_STEPS: dict[str, ScaleStep] = {}


def register_scale_step(
    order: int,
    name: str,
    *,
    prepare: Callable[[ScaleRun], None] | None = None,
    batch: Callable[[ScaleBatch], None] | None = None,
) -> None:
    _STEPS[name] = ScaleStep(order, name, prepare, batch)


def scale_steps() -> list[ScaleStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


@contextmanager
def historic_timestamps() -> Iterator[None]:
    """Let generated records carry the dates they would have had (`auto_now` and
    `auto_now_add` fields keep the values given). Only for the generator's own process."""
    switched = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def scale_generate(*, n: int, seed: int = 1, progress=None) -> dict:
    """Make sure `n` generated cases exist (with everything around them); add only what is
    missing. Returns the counts of what was written and the time it took."""
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ValidationError("The number of cases must be a positive whole number.")
    code = settings.VEZA_INSTANCE_PARTICIPANT
    if not code or code == "HUB":
        raise ValidationError("Scale data is for a national instance (VEZA_INSTANCE_PARTICIPANT).")
    run = ScaleRun(n=n, seed=seed, participant_code=code, now=timezone.now())
    steps = scale_steps()
    for step in steps:
        if step.prepare is not None:
            with transaction.atomic():
                step.prepare(run)
    started = time.monotonic()
    batches = range(run.existing // BATCH_SIZE, -(-n // BATCH_SIZE))
    audit = 0
    with historic_timestamps():
        for done, number in enumerate(batches, start=1):
            batch = ScaleBatch(
                run=run,
                number=number,
                first=number * BATCH_SIZE,
                last=min((number + 1) * BATCH_SIZE, n),
                write_from=max(number * BATCH_SIZE, run.existing),
            )
            with transaction.atomic():
                for step in steps:
                    if step.batch is not None:
                        step.batch(batch)
                audit += audit_log_bulk(batch.audit)
            if progress:
                elapsed = max(time.monotonic() - started, 1e-6)
                rate = (batch.last - run.existing) / elapsed
                progress(done, len(batches), f"cases {batch.last}/{n}, {rate:,.0f} cases/s")
    run.count("audit entries", audit)
    run.counts["seconds"] = round(time.monotonic() - started, 1)
    return {"run": run, "counts": run.counts}

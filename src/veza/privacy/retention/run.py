"""The purge itself: the plan (per class and participant, how many records ran out), the dry
run, and the run in batches, one transaction and one audit entry per batch."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from veza.core.audit import audit_log
from veza.core.scoping import require_operator
from veza.privacy.retention.candidates import _instance_participant
from veza.privacy.retention.rules import PURGERS, Part

__all__ = ["PlanRow", "PurgeReport", "purge_plan", "retention_purge"]

# The package's name, as before the split: operators' log filters keep matching.
log = logging.getLogger(__package__)

BATCH_SIZE = 200


@dataclass
class PlanRow:
    code: str
    participant: str
    action: str
    period: str
    cutoff: datetime
    found: int
    done: int = 0
    failed: int = 0


@dataclass
class PurgeReport:
    rows: list[PlanRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rows)


def _participants(only: str | None) -> list[str]:
    from veza.organisations.choices import ParticipantKind
    from veza.organisations.models import Participant

    codes = set(
        Participant.objects.filter(kind=ParticipantKind.NATIONAL).values_list("code", flat=True)
    )
    codes.add(_instance_participant())
    if only:
        return [only] if only in codes else []
    return sorted(codes)


def _ordered(register):
    # The case class goes last: the classes linked to a case then see the same records in a
    # dry run and in the real run (anonymising a case takes its linked records along).
    classes = list(register.purged)
    return [c for c in classes if c.code != "case"] + [c for c in classes if c.code == "case"]


def purge_plan(*, register=None, participant: str | None = None, now=None) -> list[PlanRow]:
    """For each class and participant: the period, the cutoff and how many records ran out."""
    from veza.privacy.register import load_register

    register = register or load_register()
    now = now or timezone.now()
    rows = []
    for item in _ordered(register):
        purger = PURGERS[item.code]
        for code in _participants(participant):
            period = item.period_for(code)
            cutoff = period.before(now)
            found = sum(part.candidates(code, cutoff, now).count() for part in purger.parts)
            rows.append(PlanRow(item.code, code, item.action, str(period), cutoff, found))
    return rows


def retention_purge(
    *,
    actor,
    register=None,
    participant: str | None = None,
    dry_run: bool = False,
    now=None,
    progress=None,
    batch_size: int = BATCH_SIZE,
) -> PurgeReport:
    """Erase or anonymise every record whose period ran out (or, with `dry_run`, only count
    them). One transaction per batch, a savepoint per record, an audit entry per batch."""
    # The operator runs the purge on the command line (or the worker, named the same way).
    require_operator(actor)
    now = now or timezone.now()
    rows = purge_plan(register=register, participant=participant, now=now)
    report = PurgeReport(rows=rows, dry_run=dry_run)
    if dry_run:
        return report
    total = sum(r.found for r in rows)
    done = 0
    for row in rows:
        if not row.found:
            continue
        for part in PURGERS[row.code].parts:
            model = part.model()
            ids = list(
                part.candidates(row.participant, row.cutoff, now)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                touched, failed = _run_batch(
                    actor, row, part, model, batch, now, start // batch_size + 1
                )
                row.done += touched
                row.failed += failed
                done += len(batch)
                if progress:
                    progress(min(done, total), total, f"{row.code} {row.participant}")
    return report


@transaction.atomic
def _run_batch(actor, row: PlanRow, part: Part, model, batch, now, number) -> tuple[int, int]:
    touched = failed = 0
    for pk in batch:
        try:
            with transaction.atomic():
                # Lock the row, then check it still qualifies (nothing changed since the plan).
                locked = model.objects.select_for_update().filter(pk=pk).values_list("pk")
                if not list(locked):
                    continue
                obj = part.candidates(row.participant, row.cutoff, now).filter(pk=pk).first()
                if obj is None:
                    continue
                part.apply(obj, now)
            touched += 1
        except Exception as exc:  # one record fails, the others go on
            failed += 1
            log.error(
                "retention purge: %s %s id=%s failed (%s); left unchanged",
                row.code,
                model._meta.label_lower,
                pk,
                type(exc).__name__,
            )
    audit_log(
        "retention.purge",
        actor=actor,
        obj=("retention_class", row.code),
        detail={
            "class": row.code,
            "model": model._meta.label_lower,
            "participant": row.participant,
            "action": row.action,
            "period": row.period,
            "cutoff": row.cutoff.date().isoformat(),
            "batch": number,
            "records": touched,
            "failed": failed,
        },
    )
    return touched, failed

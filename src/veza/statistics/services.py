"""Writes of the statistics hub: imports are all-or-nothing and audited."""

from __future__ import annotations

import hashlib

from django.db import transaction

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.statistics.glotip import GlotipError, read_glotip
from veza.statistics.models import ImportBatch, Observation

__all__ = ["glotip_import"]


@transaction.atomic
def glotip_import(*, actor, file_name: str, raw: bytes) -> ImportBatch:
    """Replace the stored GLOTIP observations by the file's (all or nothing)."""
    try:
        reading = read_glotip(raw)
    except GlotipError as exc:
        raise ValidationError(fields={"file": exc.problems}) from exc
    if not reading.observations:
        raise ValidationError(fields={"file": ["the file holds no observation"]})
    Observation.objects.filter(source="glotip").delete()
    batch = ImportBatch.objects.create(
        source="glotip",
        file_name=file_name[:300],
        sha256=hashlib.sha256(raw).hexdigest(),
        rows_read=reading.rows_read,
        rows_imported=len(reading.observations),
        conflicts=reading.conflicts,
        skipped=reading.skipped,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Observation.objects.bulk_create(
        (
            Observation(
                batch=batch,
                source="glotip",
                measure=o.measure,
                area=o.area,
                year=o.year,
                sex=o.sex,
                age=o.age,
                exploitation=o.exploitation,
                breakdown=o.breakdown,
                category=o.category,
                label=o.label[:200],
                value=o.value,
                flag=o.flag,
            )
            for o in reading.observations.values()
        ),
        batch_size=2000,
    )
    audit_log(
        "glotip.import",
        actor=actor,
        obj=batch,
        detail={
            "rows": reading.rows_read,
            "imported": len(reading.observations),
            "conflicts": len(reading.conflicts),
            "sha256": batch.sha256,
        },
    )
    return batch

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


DIMENSION_COLUMNS = {"SEX": "sex", "AGE": "age", "EXPLOITATION": "exploitation"}


@transaction.atomic
def release_receive(*, actor, directory) -> ImportBatch:
    """Store a participant's release at the hub: the signature, the checksums and the
    protection are checked first; every version is kept as a revision."""
    import csv
    import io
    import json
    from pathlib import Path

    from veza.statistics.release import audit_release

    directory = Path(directory)
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        problems, unsafe = audit_release(directory)
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationError(
            fields={"release": ["the release is incomplete or malformed"]}
        ) from exc
    if problems or unsafe:
        raise ValidationError(fields={"release": problems or ["a withheld cell is not protected"]})
    participant, year = manifest["participant"], int(manifest["year"])
    previous = ImportBatch.objects.filter(source="release", participant=participant, year=year)
    batch = ImportBatch.objects.create(
        source="release",
        participant=participant,
        year=year,
        revision=previous.count() + 1,
        manifest=manifest,
        file_name=str(directory.name)[:300],
        sha256=hashlib.sha256((directory / "manifest.json").read_bytes()).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = []
    for table in manifest["tables"]:
        reader = csv.DictReader(io.StringIO((directory / f"{table['id']}.csv").read_text()))
        for row in reader:
            dims = {d: row[d] for d in table["dimensions"]}
            columns = {DIMENSION_COLUMNS[d]: v for d, v in dims.items() if d in DIMENSION_COLUMNS}
            rows.append(
                Observation(
                    batch=batch,
                    source="release",
                    measure=table["id"],
                    area=participant,
                    year=year,
                    dims=dims,
                    value=None if row["OBS_VALUE"] == "" else int(row["OBS_VALUE"]),
                    flag="C" if row["OBS_VALUE"] == "" else "",
                    **columns,
                )
            )
    Observation.objects.bulk_create(rows, batch_size=2000)
    batch.rows_read = batch.rows_imported = len(rows)
    batch.save(update_fields=["rows_read", "rows_imported"])
    audit_log(
        "release.receive",
        actor=actor,
        obj=batch,
        detail={"participant": participant, "year": year, "revision": batch.revision},
    )
    return batch

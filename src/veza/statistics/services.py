"""Writes of the statistics hub: imports are all-or-nothing and audited."""

from __future__ import annotations

import hashlib
import shutil

from django.db import transaction
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.statistics.glotip import GlotipError, read_glotip
from veza.statistics.models import ImportBatch, Observation

__all__ = ["glotip_import", "release_approve", "release_build", "release_receive", "release_send"]


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


def _release_scope(actor, participant) -> None:
    from veza.core.errors import PermissionDeniedError
    from veza.organisations.scope import user_scope

    if participant.pk not in user_scope(actor).participants_with("veza_statistics.approve_release"):
        raise PermissionDeniedError()


@transaction.atomic
def release_build(*, actor, participant, year: int):
    """Build, sign and audit the participant's release for a year; it waits for approval."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from veza.statistics.models import Release
    from veza.statistics.release import ReleaseError, audit_release, build_release

    _release_scope(actor, participant)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    out = (
        Path(settings.VEZA_DATA_DIR)
        / "releases"
        / "outgoing"
        / f"{participant.code}-{year}-{stamp}"
    )
    try:
        built = build_release(participant.code, year, out)
        problems, unsafe = audit_release(out)
        if problems or unsafe:  # never expected: the builder protects every table it writes
            raise ValidationError(
                fields={"year": [_("The release did not pass its protection audit.")]}
            )
    except ReleaseError as exc:
        raise ValidationError(
            fields={
                "year": [_("No case was registered in that year: there is nothing to release.")]
            }
        ) from exc
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no files of a release that was not recorded
        raise
    release = Release.objects.create(
        participant=participant,
        year=year,
        directory=str(out),
        manifest=built.manifest,
        built_by=actor,
    )
    audit_log(
        "release.build",
        actor=actor,
        obj=release,
        detail={"participant": participant.code, "year": year},
    )
    return release


def _fresh_second_factor(actor, code: str) -> bool:
    from django_otp import devices_for_user

    code = (code or "").strip()
    return bool(code) and any(
        device.verify_is_allowed()[0] and device.verify_token(code)
        for device in devices_for_user(actor, confirmed=True)
    )


def release_approve(*, actor, release, code: str):
    """Approve a built release; a fresh code from the authenticator app is required. A wrong
    code is audited (outside the refused change, so the record stays) and changes nothing."""
    from django.utils import timezone

    from veza.statistics.models import Release, ReleaseStatus

    _release_scope(actor, release.participant)
    if release.status != ReleaseStatus.BUILT:
        raise ValidationError(fields={"release": [_("This release is not waiting for approval.")]})
    if not _fresh_second_factor(actor, code):
        with transaction.atomic():
            audit_log("release.approve_failed", actor=actor, obj=release, detail={"step": "code"})
        raise ValidationError(
            fields={"code": [_("This code is not right or has already been used.")]}
        )
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status != ReleaseStatus.BUILT:
            raise ValidationError(
                fields={"release": [_("This release is not waiting for approval.")]}
            )
        release.status = ReleaseStatus.APPROVED
        release.approved_by, release.approved_at = actor, timezone.now()
        release.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log("release.approve", actor=actor, obj=release, detail={"second_factor": True})
    return release


@transaction.atomic
def release_send(*, actor, release):
    """Send an approved release to the regional hub (this instance's hub until federation)."""
    from django.utils import timezone

    from veza.statistics.models import Release, ReleaseStatus

    release = Release.objects.select_for_update().get(pk=release.pk)
    _release_scope(actor, release.participant)
    if release.status != ReleaseStatus.APPROVED:
        raise ValidationError(fields={"release": [_("Only an approved release can be sent.")]})
    batch = release_receive(actor=actor, directory=release.directory)
    release.status, release.sent_at = ReleaseStatus.SENT, timezone.now()
    release.save(update_fields=["status", "sent_at"])
    audit_log("release.send", actor=actor, obj=release, detail={"revision": batch.revision})
    return batch

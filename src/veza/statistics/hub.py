"""The regional hub's side of the statistics: imports of the GLOTIP export and of the releases
that participants send (checked against the key pinned for each participant), all-or-nothing
and audited."""

from __future__ import annotations

import hashlib
import shutil

from django.db import transaction
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.statistics.glotip import GlotipError, read_glotip
from veza.statistics.models import ImportBatch, Observation

__all__ = ["glotip_import", "key_fingerprint", "receive_release_packet", "release_receive"]


@transaction.atomic
def glotip_import(*, actor, file_name: str, raw: bytes) -> ImportBatch:
    """Replace the stored GLOTIP observations by the file's (all or nothing)."""
    try:
        reading = read_glotip(raw)
    except GlotipError as exc:
        raise ValidationError(fields={"file": exc.problems}) from exc
    if not reading.observations:
        raise ValidationError(fields={"file": [_("The file holds no observation.")]})
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
#: Flags of published values that are not exact counts: rounded, or with random noise added.
PUBLISHED_MARKS = {"rounding": "R", "dp": "N"}


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
            fields={"release": [_("The release is incomplete or malformed.")]}
        ) from exc
    if problems or unsafe:
        raise ValidationError(
            fields={"release": problems or [_("A withheld count is not protected.")]}
        )
    participant, year = manifest["participant"], int(manifest["year"])
    source, dataflow = _received_source(manifest)
    _check_signer(participant, manifest)
    previous = ImportBatch.objects.filter(source=source, participant=participant, year=year)
    batch = ImportBatch.objects.create(
        source=source,
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
        # A rounded or noisy value is published as a number and stored with its mark.
        mark = PUBLISHED_MARKS.get(table.get("protection", manifest.get("method", "")), "")
        for row in reader:
            dims = {d: row[d] for d in table["dimensions"]}
            if dataflow is not None:
                _check_codes(dataflow, dims)
                dims["TIME_PERIOD"] = row["TIME_PERIOD"]
            columns = {DIMENSION_COLUMNS[d]: v for d, v in dims.items() if d in DIMENSION_COLUMNS}
            rows.append(
                Observation(
                    batch=batch,
                    source=source,
                    measure=table["id"],
                    area=participant,
                    year=year,
                    dims=dims,
                    value=None if row["OBS_VALUE"] == "" else int(row["OBS_VALUE"]),
                    flag="C" if row["OBS_VALUE"] == "" else mark,
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
        detail={
            "participant": participant,
            "year": year,
            "revision": batch.revision,
            "source": source,
            "key": key_fingerprint(manifest.get("public_key", "")),
        },
    )
    return batch


def key_fingerprint(public_key_b64: str) -> str:
    """A short fingerprint of a signing key, to read over the phone (groups of four)."""
    digest = hashlib.sha256(public_key_b64.encode()).hexdigest()[:20].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


def _received_source(manifest):
    """`release` for the trafficking release, `dataflow:CODE` for any other dataflow, which
    the hub must know."""
    from veza.statistics.models import Dataflow

    code = manifest.get("dataflow")
    if not code:
        return "release", None
    dataflow = Dataflow.objects.filter(code=code).first()
    if dataflow is None:
        raise ValidationError(
            fields={"release": [_("The hub does not know the dataflow %(code)s.") % {"code": code}]}
        )
    return f"dataflow:{code}", dataflow


def _check_codes(dataflow, dims) -> None:
    for dim, code in dims.items():
        if code != "_T" and code not in (dataflow.codes.get(dim) or ()):
            raise ValidationError(
                fields={
                    "release": [
                        _("%(code)s is not a code of %(dim)s in the dataflow %(flow)s.")
                        % {"code": code, "dim": dim, "flow": dataflow.code}
                    ]
                }
            )


def _check_signer(participant: str, manifest) -> None:
    """The hub trusts a participant's key from its first release on (until the federation's
    peer keys replace this): a release signed with another key is refused."""
    known = (
        ImportBatch.objects.filter(participant=participant)
        .exclude(source="glotip")
        .order_by("created_at")
        .values_list("manifest", flat=True)
        .first()
    )
    if known and known.get("public_key") != manifest.get("public_key"):
        raise ValidationError(
            fields={
                "release": [
                    _(
                        "This release is signed with a key the hub does not know for "
                        "%(participant)s (%(new)s); its releases so far were signed with "
                        "%(known)s. Confirm a new key with the participant first."
                    )
                    % {
                        "participant": participant,
                        "new": key_fingerprint(manifest.get("public_key", "")),
                        "known": key_fingerprint(known.get("public_key", "")),
                    }
                ]
            }
        )


def receive_release_packet(peer, payload, packet_id):
    """At the hub: a participant's instance submits its release. Only its own participant's
    releases are accepted; the receipt goes back in the same transaction."""
    import base64
    import json
    import re
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    files = payload["files"]
    if set(files) - {n for n in files if re.fullmatch(r"[A-Za-z0-9_.-]+\.(json|sig|csv|xml)", n)}:
        raise ValidationError("unexpected file names")
    manifest = json.loads(base64.b64decode(files["manifest.json"]))
    if manifest.get("participant") != peer.participant:
        raise ValidationError(
            f"{peer.instance} may not submit releases of {manifest.get('participant')}"
        )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    out = Path(settings.VEZA_DATA_DIR) / "releases" / "incoming" / f"{peer.participant}-{stamp}"
    out.mkdir(parents=True)
    try:
        for name, data in files.items():
            (out / name).write_bytes(base64.b64decode(data))
        batch = release_receive(actor=f"peer:{peer.instance}", directory=out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return [
        (
            "release.receipt",
            {
                "release": payload.get("release"),
                "participant": batch.participant,
                "year": batch.year,
                "revision": batch.revision,
                "manifest_sha256": batch.sha256,
                "received_at": batch.created_at.isoformat(),
            },
        )
    ]

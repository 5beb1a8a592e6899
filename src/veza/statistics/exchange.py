"""Writes of the regional exchange beyond the trafficking release: dataflow definitions, a
participant's dataflow release built from an uploaded table, and releases received at the hub
as a ZIP archive (from another instance). All-or-nothing, audited in the same transaction."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.scoping import require_perm_or_operator
from veza.organisations.scope import user_scope
from veza.statistics.dataflows import (
    DataflowError,
    Definition,
    build_dataflow_release,
    read_definitions,
    read_table,
)
from veza.statistics.hub import release_receive
from veza.statistics.models import Dataflow, Release

__all__ = [
    "dataflow_define",
    "dataflow_release_build",
    "release_archive",
    "release_receive_archive",
]

MAX_ARCHIVE = 20 * 1024 * 1024
MAX_MEMBER = 50 * 1024 * 1024


def _definition(dataflow: Dataflow) -> Definition:
    return Definition(
        code=dataflow.code,
        name=dataflow.name,
        version=dataflow.version,
        measure=dataflow.measure,
        dimensions=list(dataflow.dimensions),
        codes={d: list(c) for d, c in dataflow.codes.items()},
        code_names=dataflow.code_names,
        dimension_names=dataflow.dimension_names,
    )


@transaction.atomic
def dataflow_define(
    *, actor, raw: bytes, frequency: str = "A", threshold: int = 5, only: str = ""
) -> list[Dataflow]:
    """Create or update the dataflows an SDMX-ML structure declares (or only the one named).
    Updating keeps what was received: a code in use may not disappear from its code list."""
    from veza.statistics.models import Observation

    require_perm_or_operator(actor, "veza_statistics.add_dataflow")
    if frequency not in ("A", "M"):
        raise ValidationError(fields={"frequency": [_("Choose yearly or monthly.")]})
    if not 1 <= threshold <= 50:
        raise ValidationError(fields={"threshold": [_("The threshold is from 1 to 50.")]})
    try:
        definitions = read_definitions(raw)
    except DataflowError as exc:
        raise ValidationError(fields={"file": exc.problems}) from exc
    if only:
        definitions = [d for d in definitions if d.code == only.upper()]
        if not definitions:
            raise ValidationError(
                fields={"only": [_("The file declares no dataflow %(code)s.") % {"code": only}]}
            )
    saved = []
    for definition in definitions:
        existing = Dataflow.objects.select_for_update().filter(code=definition.code).first()
        if existing is not None:
            used = Observation.objects.filter(source=f"dataflow:{definition.code}")
            for dims in used.values_list("dims", flat=True).iterator():
                for dim, code in dims.items():
                    if (
                        dim != "TIME_PERIOD"
                        and code != "_T"
                        and code not in definition.codes.get(dim, ())
                    ):
                        raise ValidationError(
                            fields={
                                "file": [
                                    _(
                                        "%(flow)s: the code %(code)s of %(dim)s is used by data "
                                        "already received and cannot be removed."
                                    )
                                    % {"flow": definition.code, "code": code, "dim": dim}
                                ]
                            }
                        )
        dataflow, created = Dataflow.objects.update_or_create(
            code=definition.code,
            defaults={
                "name": definition.name[:200],
                "version": definition.version[:20],
                "measure": definition.measure[:200],
                "dimensions": definition.dimensions,
                "codes": definition.codes,
                "code_names": definition.code_names,
                "dimension_names": definition.dimension_names,
                "frequency": frequency,
                "threshold": threshold,
                "structure_xml": raw.decode("utf-8", errors="replace"),
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        audit_log(
            "dataflow.define" if created else "dataflow.update",
            actor=actor,
            obj=dataflow,
            detail={"code": dataflow.code, "version": dataflow.version},
        )
        saved.append(dataflow)
    return saved


def _out(participant_code: str, year: int, kind: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    return Path(settings.VEZA_DATA_DIR) / "releases" / kind / f"{participant_code}-{year}-{stamp}"


@transaction.atomic
def dataflow_release_build(
    *, actor, participant, dataflow: Dataflow, year: int, file_name: str, raw: bytes
) -> Release:
    """Build the participant's protected, signed release of a dataflow from an uploaded table;
    it then waits for approval like a trafficking release."""
    if participant.pk not in user_scope(actor).participants_with("veza_statistics.approve_release"):
        raise PermissionDeniedError()
    try:
        counts = read_table(
            _definition(dataflow),
            frequency=dataflow.frequency,
            participant=participant.code,
            year=year,
            file_name=file_name,
            raw=raw,
        )
    except DataflowError as exc:
        raise ValidationError(fields={"file": exc.problems}) from exc
    out = _out(participant.code, year, "outgoing")
    try:
        manifest = build_dataflow_release(
            _definition(dataflow),
            frequency=dataflow.frequency,
            participant=participant.code,
            year=year,
            counts=counts,
            out=out,
            threshold=dataflow.threshold,
        )
        release = Release.objects.create(
            participant=participant,
            year=year,
            dataflow=dataflow,
            directory=str(out),
            manifest=manifest,
            built_by=actor,
        )
        audit_log(
            "release.build",
            actor=actor,
            obj=release,
            detail={"participant": participant.code, "year": year, "dataflow": dataflow.code},
        )
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return release


def release_archive(release: Release) -> bytes:
    """The release's files as one ZIP archive, to carry to a hub that is not this instance."""
    directory = Path(release.directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["manifest.json", "manifest.sig", *sorted(release.manifest.get("files", {}))]:
            archive.write(directory / name, arcname=name)
    return buffer.getvalue()


def _unpack(raw: bytes, out: Path) -> None:
    """Only flat, expected file names; sizes bounded before anything is written."""
    bad = ValidationError(fields={"file": [_("The file is not a Veza release archive (ZIP).")]})
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise bad from exc
    names = {m.filename for m in members}
    if "manifest.json" not in names or "manifest.sig" not in names:
        raise bad
    total = 0
    for member in members:
        name = member.filename
        if (
            member.is_dir()
            or "/" in name
            or "\\" in name
            or name.startswith(".")
            or not name.endswith((".json", ".sig", ".csv", ".xml"))
        ):
            raise bad
        total += member.file_size
        if member.file_size > MAX_MEMBER or total > MAX_MEMBER:
            raise ValidationError(fields={"file": [_("The archive is too large.")]})
    out.mkdir(parents=True, exist_ok=False)
    for member in members:
        (out / member.filename).write_bytes(archive.read(member))


def release_receive_archive(*, actor, file_name: str, raw: bytes):
    """Receive a release uploaded as a ZIP archive at the hub: unpacked into the hub's store,
    then checked and stored by `release_receive`; nothing is kept when it is refused."""
    require_perm_or_operator(actor, "veza_statistics.receive_release")
    if len(raw) > MAX_ARCHIVE:
        raise ValidationError(fields={"file": [_("The archive is larger than 20 MB.")]})
    out = _out("upload", 0, "incoming")
    try:
        _unpack(raw, out)
        batch = release_receive(actor=actor, directory=out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return batch

"""Demo releases: each participant's demo cases, protected, signed and received by the hub, so
that the regional trends page has something to show."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from veza.statistics.models import ImportBatch
from veza.statistics.release import ReleaseError, build_release
from veza.statistics.services import glotip_import, release_receive

__all__ = ["demo_glotip", "demo_releases"]


def _glotip_file() -> Path | None:
    """The UNODC GLOTIP export for the demo: `VEZA_GLOTIP_FILE`, else the shared data folder
    beside the project, when it is there (it is never part of the project)."""
    named = settings.VEZA_GLOTIP_FILE
    candidates = [Path(named)] if named else []
    candidates.append(Path.cwd().parent / "shared/data/unodc-glotip/data_glotip.xlsx")
    return next((path for path in candidates if path.is_file()), None)


def demo_glotip(*, progress=None) -> dict:
    if ImportBatch.objects.filter(source="glotip").exists():
        return {"lines": ["The GLOTIP export is imported already."]}
    path = _glotip_file()
    if path is None:
        return {"lines": ["No GLOTIP export found (set VEZA_GLOTIP_FILE to import it)."]}
    batch = glotip_import(actor="demo", file_name=path.name, raw=path.read_bytes())
    return {
        "lines": [
            f"GLOTIP: {batch.rows_imported} observations imported, "
            f"{len(batch.conflicts)} conflicts kept as such."
        ]
    }


def demo_releases(*, progress=None) -> dict:
    if ImportBatch.objects.filter(source="release").exists():
        return {"lines": ["Demo releases exist already."]}
    year = timezone.now().year
    made = []
    codes = ["AL", "BA", "XK", "ME", "MK", "RS"]
    for number, code in enumerate(codes, start=1):
        out = Path(settings.VEZA_DATA_DIR) / "releases" / f"{code}-{year}"
        try:
            build_release(code, year, out)
        except ReleaseError:
            continue
        release_receive(actor="demo", directory=out)
        made.append(code)
        if progress:
            progress(number, len(codes), code)
    return {"lines": [f"Demo releases received by the hub: {', '.join(made) or 'none'}."]}

"""Demo releases: each participant's demo cases, protected, signed and received by the hub, so
that the regional trends page has something to show."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from veza.organisations.services import national_participant_codes
from veza.statistics.hub import glotip_import, release_receive
from veza.statistics.models import ImportBatch
from veza.statistics.release import ReleaseError, build_release

__all__ = ["demo_dataflows", "demo_glotip", "demo_releases"]


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
    codes = national_participant_codes()
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


DATAFLOWS = {"IRREGULAR_ARRIVALS": "M", "ASYLUM_APPLICATIONS": "A"}


def _demo_counts(flow, participant: str, year: int) -> dict[str, dict[tuple[str, ...], int]]:
    """Made-up counts (seeded) in the dataflow's shape: a few common origins, many zeros and
    some small counts, so that the protection has something to do. Demo data, not statistics."""
    import random

    rng = random.Random(f"{flow.code}-{participant}-{year}")
    origins = rng.sample([c for c in flow.codes["CITIZENSHIP"] if not c.startswith("_")], 5)
    periods = [f"{year}-{m:02d}" for m in range(1, 13)] if flow.frequency == "M" else [str(year)]
    others = [d for d in flow.dimensions if d != "CITIZENSHIP"]
    scale = {"IRREGULAR_ARRIVALS": 40, "ASYLUM_APPLICATIONS": 25}.get(flow.code, 20)
    counts = {}
    for period in periods:
        cells = {}
        for origin in origins:
            weight = rng.random()
            for combo in _cross([[c for c in flow.codes[d] if c != "_U"][:3] for d in others]):
                value = int(rng.expovariate(1 / (scale * weight))) if rng.random() > 0.2 else 0
                cells[(origin, *combo)] = value
        counts[period] = cells
    return counts


def _cross(lists):
    import itertools

    return itertools.product(*lists)


def demo_dataflows(*, progress=None) -> dict:
    """The example migration dataflows, with a release of made-up counts per participant."""
    from veza.statistics.dataflows import build_dataflow_release
    from veza.statistics.exchange import _definition, dataflow_define
    from veza.statistics.models import Dataflow

    if Dataflow.objects.exists():
        return {"lines": ["Dataflows exist already."]}
    raw = (
        Path(__file__).resolve().parent.parent / "data/statistics/dataflows/migration.xml"
    ).read_bytes()
    for code, frequency in DATAFLOWS.items():
        dataflow_define(actor="demo", raw=raw, frequency=frequency, only=code)
    year = timezone.now().year - 1
    codes = national_participant_codes()
    done = 0
    for flow in Dataflow.objects.all():
        years = [year] if flow.frequency == "M" else [year - 1, year]
        for code in codes:
            for y in years:
                out = Path(settings.VEZA_DATA_DIR) / "releases" / f"{flow.code}-{code}-{y}"
                build_dataflow_release(
                    _definition(flow),
                    frequency=flow.frequency,
                    participant=code,
                    year=y,
                    counts=_demo_counts(flow, code, y),
                    out=out,
                    threshold=flow.threshold,
                )
                release_receive(actor="demo", directory=out)
            done += 1
            if progress:
                progress(done, 2 * len(codes), f"{flow.code} {code}")
    return {"lines": [f"Dataflows defined with made-up releases: {', '.join(DATAFLOWS)}."]}

"""How Veza's cost grows with its data: the main pages and endpoints, the national release, the
hub's merge and report, and matching an interpreter request, at 10,000, 100,000 and 1,000,000
cases (`veza demo --scale N`, topped up from one scale to the next in the same database).

Each operation runs in this process the way the server runs it (pages and API through Django's
test client: every middleware, the session, the audit of reads), `--repeat` times after one
warm-up; the table gives the median time and the peak resident memory the operation added
above what the process held before it (Linux: the high-water mark is reset before each run, so
native memory — Polars, the PDF renderer — is counted too).

    python tests/pgcluster.py -- .venv/bin/python bench/growth.py --scales 10000 100000 1000000
    .venv/bin/python bench/growth.py --scales 2000 20000            # SQLite, a quick look

Results go to bench/growth-results/growth-<database>.json (one entry per scale, written as soon
as the scale is measured, so a long run can be stopped and resumed with the remaining scales),
and the table and the chart (bench/growth-results/growth-<database>.svg) are rewritten from it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux 4.0 and later)


def measure(run, repeat: int) -> dict:
    """Median and best wall time of `run()` over `repeat` runs after one warm-up, and its peak
    memory (MiB): the larger of the peak of Python's allocations during one more run (traced,
    which is not timed) and the resident memory the timed runs added at their peak (which
    counts native allocations too, but only beyond what the process held already)."""
    run()
    times, peaks = [], []
    for _ in range(repeat):
        before = _rss_kib("VmRSS")
        _reset_peak()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        peaks.append(max(0, _rss_kib("VmHWM") - before) / 1024)
    tracemalloc.start()
    run()
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "traced_mib": round(traced, 1),
        "rss_added_mib": round(max(peaks), 1),
        "best_ms": round(min(times) * 1000, 1),
        "peak_mib": round(max(max(peaks), traced), 1),
    }


def operations(year: int):
    """(name, run) of everything measured; the records are picked from the database as it is."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.factories import login_verified
    from veza.cases.models import Case
    from veza.interpreters.models import InterpreterRequest
    from veza.interpreters.selectors import suggest
    from veza.referrals.models import Referral
    from veza.screening.models import Screening
    from veza.statistics.hub import release_receive
    from veza.statistics.report import report_html, report_pdf
    from veza.statistics.services import release_export

    users = get_user_model().objects
    participant = os.environ.get("VEZA_INSTANCE_PARTICIPANT", "RS")
    prefix = participant.lower()
    clients = {}
    for name in ["coordinator", "provider", "casemanager", "frontline"]:
        clients[name] = login_verified(
            Client(raise_request_exception=True), users.get(username=f"{prefix}.{name}")
        )
    clients["hub"] = login_verified(
        Client(raise_request_exception=True), users.get(username="hub.analyst")
    )
    case = Case.objects.filter(participant__code=participant).order_by("-pk").first()
    screening = Screening.objects.filter(participant__code=participant).order_by("-pk").first()
    referral = Referral.objects.filter(case__participant__code=participant).order_by("-pk").first()
    open_request = (
        InterpreterRequest.objects.filter(organisation__participant__code=participant)
        .order_by("-pk")
        .first()
    )

    def get(client, path):
        def run():
            response = clients[client].get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    ops = [
        ("page: home (coordinator)", get("coordinator", "/")),
        ("page: case list (coordinator)", get("coordinator", "/cases/")),
        ("page: case search by code", get("coordinator", f"/cases/?q={case.code}")),
        ("page: case", get("coordinator", f"/cases/{case.pk}/")),
        ("page: screening list (frontline)", get("frontline", "/screenings/")),
        ("page: screening", get("coordinator", f"/screenings/{screening.pk}/")),
        ("page: worklist (service provider)", get("provider", "/worklist/")),
        ("page: worklist (coordinator)", get("coordinator", "/worklist/")),
        ("page: referral", get("coordinator", f"/referrals/{referral.pk}/")),
        ("page: interpreter requests", get("casemanager", "/interpreters/")),
        ("page: hub trends", get("hub", "/hub/trends/")),
        ("api: cases", get("coordinator", "/api/v1/cases/")),
        ("api: case", get("coordinator", f"/api/v1/cases/{case.pk}/")),
        ("api: screenings", get("coordinator", "/api/v1/screenings/")),
        ("api: referrals", get("coordinator", "/api/v1/referrals/")),
    ]
    coordinator = users.get(username=f"{prefix}.coordinator")
    hub_actor = users.get(username="hub.analyst")
    workdir = Path(tempfile.mkdtemp(prefix="veza-growth-"))
    built = {"n": 0}

    def release():
        built["n"] += 1
        out = workdir / f"release-{built['n']}"
        release_export(actor=coordinator, participant_code=participant, year=year, out=out)
        built["last"] = out

    ops.append((f"national release ({year})", release))
    ops.append(
        (
            "hub: merge the release",
            lambda: release_receive(actor=hub_actor, directory=built["last"]),
        )
    )
    ops.append((f"hub: report ({year}, HTML)", lambda: report_html(year)))
    ops.append((f"hub: report ({year}, PDF)", lambda: report_pdf(year)))
    if open_request is not None:
        ops.append(("interpreter: match a request", lambda: suggest(open_request)))
    return ops


def counts() -> dict:
    from veza.cases.models import Case, CaseEvent
    from veza.core.models import AuditEntry
    from veza.interpreters.models import Booking
    from veza.referrals.models import Referral
    from veza.screening.models import Screening

    return {
        model.__name__: model.objects.count()
        for model in [Case, Screening, Referral, CaseEvent, Booking, AuditEntry]
    }


def database_label() -> str:
    from django.db import connection

    return connection.vendor


def table(results: dict) -> str:
    scales = sorted(results, key=int)
    names = list(results[scales[0]]["operations"])
    head = "| operation | " + " | ".join(f"{int(s):,} cases" for s in scales)
    lines = [head + " | growth per x10 |", "|---" * (len(scales) + 2) + "|"]
    for name in names:
        cells = []
        for s in scales:
            op = results[s]["operations"].get(name)
            cells.append(f"{op['median_ms']:,.0f} ms, {op['peak_mib']:,.0f} MiB" if op else "-")
        first, last = (
            results[scales[0]]["operations"].get(name),
            results[scales[-1]]["operations"].get(name),
        )
        growth = "-"
        if first and last and len(scales) > 1 and first["median_ms"] > 0:
            decades = max(1e-9, _log10(int(scales[-1]) / int(scales[0])))
            growth = f"{(last['median_ms'] / first['median_ms']) ** (1 / decades):.2f}"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
    gen = " | ".join(f"{results[s]['generate_s']:,.0f} s" for s in scales)
    lines.append(f"| *generating the data (`veza demo --scale`)* | {gen} | |")
    rows = " | ".join(f"{sum(results[s]['rows'].values()):,}" for s in scales)
    lines.append(f"| *rows (cases, screenings, referrals, events, bookings, audit)* | {rows} | |")
    return "\n".join(lines)


def _log10(x: float) -> float:
    import math

    return math.log10(x)


def chart(results: dict, title: str) -> str:
    """A log-log chart of median time against cases, one line per operation; the dashed grey
    line is what linear growth from the first scale would be."""
    import math
    from html import escape

    scales = sorted(results, key=int)
    names = list(results[scales[0]]["operations"])
    values = [
        results[s]["operations"][n]["median_ms"]
        for s in scales
        for n in names
        if n in results[s]["operations"]
    ]
    low = 10 ** math.floor(math.log10(max(0.1, min(values))))
    high = 10 ** math.ceil(math.log10(max(values) * 1.01))
    width, height, left, right, top, bottom = 860, 420 + 14 * len(names), 64, 20, 30, 40
    plot_h = 380 - top - bottom
    xs = {
        s: left + (i * (width - left - right - 300) / max(1, len(scales) - 1))
        for i, s in enumerate(scales)
    }

    def y(ms):
        return top + plot_h * (
            1 - (math.log10(max(ms, low)) - math.log10(low)) / (math.log10(high) - math.log10(low))
        )

    palette = ["#0b4f6c", "#a4161a", "#1e6b35", "#8a6100", "#5b3f8c", "#2b6f7f", "#333333"]
    dashes = ["", "6 3", "2 3", "8 3 2 3"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="t"><title id="t">{escape(title)}</title>'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<text x="{left}" y="18" font-family="sans-serif" font-size="14">{escape(title)}</text>'
    ]
    decade = low
    while decade <= high:
        parts.append(
            f'<line x1="{left}" x2="{width - right - 300}" '
            f'y1="{y(decade):.1f}" y2="{y(decade):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(decade) + 4:.1f}" font-family="sans-serif" '
            f'font-size="11" text-anchor="end">{decade:g} ms</text>'
        )
        decade *= 10
    for s in scales:
        parts.append(
            f'<text x="{xs[s]:.1f}" y="{top + plot_h + 18}" font-family="sans-serif" '
            f'font-size="11" text-anchor="middle">{int(s):,} cases</text>'
        )
    for i, name in enumerate(names):
        points = [
            (xs[s], y(results[s]["operations"][name]["median_ms"]))
            for s in scales
            if name in results[s]["operations"]
        ]
        colour, dash = palette[i % len(palette)], dashes[(i // len(palette)) % len(dashes)]
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="{dash}"/>'
        )
        ly = top + 12 + i * 14
        parts.append(
            f'<line x1="{width - 290}" x2="{width - 262}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{width - 256}" y="{ly}" font-family="sans-serif" font-size="11">'
            f"{escape(name)}</text>"
        )
    first = scales[0]
    ref = [
        (xs[s], y(10 * int(s) / int(first))) for s in scales
    ]  # linear growth from 10 ms at the first scale
    parts.append(
        '<polyline points="'
        + " ".join(f"{x:.1f},{yy:.1f}" for x, yy in ref)
        + '" fill="none" stroke="#888" stroke-width="1.5" stroke-dasharray="3 3"/>'
        f'<text x="{left}" y="{top + plot_h + 34}" font-family="sans-serif" font-size="11">'
        "Grey dashes: linear growth (10 ms at the first scale). Both axes logarithmic.</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)


def settle() -> None:
    """Bring the planner's statistics up to date after the bulk writes, as autovacuum would a
    while later: a scale is measured on a settled database, not on one minutes after 900,000
    rows arrived (a code search took 2.6 s right after generating and 18 ms once settled)."""
    from django.db import connection

    print("  settling (VACUUM ANALYZE)", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, help="The release year (last year by default).")
    parser.add_argument("--results", type=Path, help="The JSON file (default by database).")
    parser.add_argument(
        "--as-is", action="store_true", help="Measure the database as it is (no generation)."
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    os.environ.setdefault("VEZA_DATA_DIR", str(ROOT / "var" / "growth"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()  # the test client's hosts; DEBUG stays off
    call_command("migrate", verbosity=0)
    vendor = database_label()
    results_path = args.results or ROOT / "bench" / "growth-results" / f"growth-{vendor}.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    year = args.year or timezone.localdate().year - 1
    for scale in sorted(args.scales):
        print(f"== {scale:,} cases", file=sys.stderr)
        start = time.perf_counter()
        if not args.as_is:
            call_command("demo", scale=scale, seed=args.seed, stdout=io.StringIO())
        generate = time.perf_counter() - start
        settle()
        ops = operations(year)
        measured = {}
        for number, (name, run) in enumerate(ops, start=1):
            print(f"  [{number}/{len(ops)}] {name}", end="", file=sys.stderr, flush=True)
            measured[name] = measure(run, 1 if "PDF" in name else args.repeat)
            print(f": {measured[name]['median_ms']:,.1f} ms", file=sys.stderr)
        results[str(scale)] = {
            "generate_s": round(generate, 1),
            "rows": counts(),
            "operations": measured,
            "database": vendor,
            "measured_on": timezone.localdate().isoformat(),
        }
        results_path.write_text(json.dumps(results, indent=2))
    markdown = table(results)
    title = f"Median time against cases ({vendor})"
    results_path.with_suffix(".svg").write_text(chart(results, title))
    results_path.with_suffix(".md").write_text(markdown + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

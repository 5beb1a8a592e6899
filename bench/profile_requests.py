"""Where a request's CPU goes: cProfile over rounds of a user's main pages.

    python bench/profile_requests.py --user rs.coordinator --rounds 10 [--sort tottime]
    python bench/profile_requests.py --cpu [--path /cases/ --path /worklist/ ...]

Runs in this process through Django's test client (every middleware, the session, the audit of
reads) against the database of DATABASE_URL / VEZA_DATA_DIR, after one warm-up round: the home
page, the case list, the newest case of the user's participant, the worklist and the API's case
list (or the `--path`s given). Prints the profile's top lines and the time per request (with the
profiler's overhead). With `--cpu` there is no profiler: it prints, per path, the median wall
time and the median CPU time of this process (Python's share of a request; the database's work
is in the difference).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="rs.coordinator")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--path", action="append", dest="paths", help="instead of the defaults")
    parser.add_argument("--cpu", action="store_true", help="CPU and wall time per path")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import login_verified
    from veza.cases.models import Case

    setup_test_environment()
    user = get_user_model().objects.get(username=args.user)
    client = login_verified(Client(), user)
    case = Case.objects.visible_to(user).order_by("-pk").first()
    paths = args.paths or ["/", "/cases/", "/worklist/", "/api/v1/cases/"]
    if case is not None and not args.paths:
        paths.append(f"/cases/{case.pk}/")
    for path in paths:
        client.get(path)
    if args.cpu:
        return cpu_table(client, paths, args.rounds)
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    for _ in range(args.rounds):
        for path in paths:
            client.get(path)
    profile.disable()
    elapsed = time.perf_counter() - start
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
    count = args.rounds * len(paths)
    print(f"{count} requests, {elapsed / count * 1000:.1f} ms each (profiled)")
    return 0


def cpu_table(client, paths: list[str], rounds: int) -> int:
    from statistics import median

    print(f"{'path':<40} {'status':>6} {'wall ms':>8} {'cpu ms':>7}")
    for path in paths:
        walls, cpus = [], []
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        print(
            f"{path:<40} {response.status_code:>6} {median(walls) * 1000:>8.1f} "
            f"{median(cpus) * 1000:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

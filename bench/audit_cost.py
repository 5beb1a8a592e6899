"""What the audit chain costs, compared with a plain write and a plain read in the same run.

    .venv/bin/python bench/audit_cost.py [--entries 5000] [--threads 12 --seconds 20]

Creates a throw-away database (SQLite in a temporary directory, or PostgreSQL when DATABASE_URL is
set, e.g. through tests/pgcluster.py), then measures, each in its own transaction per row:
  baseline write: inserting a small row (a login-throttle row) without audit
  audit write:    appending an audit entry (lock the head, HMAC, insert, update the head)
and for reading the whole log:
  baseline read:  iterating the audit rows
  verify:         `audit_verify()` over the same rows (recompute every digest and link)
Prints ratios (audit ÷ baseline), which stay comparable across machines.

With `--threads N` (PostgreSQL), N threads, each with its own connection, commit transactions
for `--seconds` each time: a plain write alone (the baseline), then the write with its audit
entry on one lane (`AUDIT_LANES=1`, every append queues on one head) and on the configured lanes.
Prints transactions a second and the median and p95 of one transaction, and the ratios to the
baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=0, help="concurrent writers (PostgreSQL)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per concurrent run")
    args = parser.parse_args()
    os.environ.setdefault("VEZA_DATA_DIR", tempfile.mkdtemp(prefix="veza-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from veza.core.audit import audit_log, audit_verify
    from veza.core.models import AuditEntry, LoginThrottle

    call_command("migrate", verbosity=0)
    n = args.entries

    def timed(label, fn):
        started = time.perf_counter()
        for i in range(n):
            fn(i)
            if i % 500 == 0:
                print(f"\r{label}: {i}/{n}", end="", file=sys.stderr)
        elapsed = time.perf_counter() - started
        print(f"\r{label}: {n}/{n} in {elapsed:.2f} s", file=sys.stderr)
        return elapsed

    def plain(i):
        with transaction.atomic():
            LoginThrottle.objects.create(key=f"bench:{i}", failures=1)

    def audited(i):
        with transaction.atomic():
            audit_log("bench.event", actor="bench", obj=("bench", i), detail={"i": i})

    base_write = timed("baseline write", plain)
    audit_write = timed("audit write", audited)

    started = time.perf_counter()
    rows = sum(1 for _ in AuditEntry.objects.order_by("id").iterator(chunk_size=2000))
    base_read = time.perf_counter() - started
    started = time.perf_counter()
    result = audit_verify()
    verify = time.perf_counter() - started
    assert result.ok and rows >= n

    print(f"database: {connection.vendor}, entries: {n}")
    print(
        f"write  baseline {n / base_write:8.0f}/s   audit {n / audit_write:8.0f}/s   "
        f"ratio {audit_write / base_write:5.2f}"
    )
    print(
        f"read   baseline {rows / base_read:8.0f}/s   verify {rows / verify:7.0f}/s   "
        f"ratio {verify / base_read:5.2f}"
    )
    if args.threads:
        concurrent(args.threads, args.seconds)


def concurrent(threads: int, seconds: float) -> None:
    """Transactions a second with `threads` writers: plain, audited on one lane, on every lane."""
    from django.conf import settings
    from django.db import connection, transaction

    from veza.core.audit import audit_log, audit_verify
    from veza.core.models import LoginThrottle

    if connection.vendor != "postgresql":
        print("concurrent writers: PostgreSQL only (SQLite writes one at a time)")
        return
    lanes = settings.AUDIT_LANES
    counter = iter(range(10**12))

    def run(label: str, audited: bool) -> tuple[float, float, float]:
        stop = time.monotonic() + seconds
        times: list[float] = []

        def writer():
            try:
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    with transaction.atomic():
                        i = next(counter)
                        LoginThrottle.objects.create(key=f"bench:c{i}", failures=1)
                        if audited:
                            audit_log("bench.event", actor="bench", obj=("bench", i))
                    times.append(time.perf_counter() - started)
            finally:
                connection.close()

        pool = [threading.Thread(target=writer) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        rate = len(times) / seconds
        median = statistics.median(times) * 1000
        p95 = statistics.quantiles(times, n=20)[-1] * 1000
        print(f"{label:<28} {rate:8.0f}/s   median {median:7.1f} ms   p95 {p95:7.1f} ms")
        return rate, median, p95

    print(f"{threads} concurrent writers, {seconds:.0f} s each:")
    base = run("plain write", audited=False)
    settings.AUDIT_LANES = 1
    one = run("write + audit, 1 lane", audited=True)
    settings.AUDIT_LANES = lanes
    many = run(f"write + audit, {lanes} lanes", audited=True)
    assert audit_verify().ok
    for label, (rate, _median, p95) in (("1 lane", one), (f"{lanes} lanes", many)):
        ratios = f"throughput {rate / base[0]:5.2f}   p95 {p95 / base[2]:6.2f}"
        print(f"ratio to plain, {label:<9} {ratios}")


if __name__ == "__main__":
    main()

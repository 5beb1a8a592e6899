"""What the audit chain costs, compared with a plain write and a plain read in the same run.

    .venv/bin/python bench/audit_cost.py [--entries 5000] [--postgres]

Creates a throw-away database (SQLite in a temporary directory, or PostgreSQL when DATABASE_URL is
set, e.g. through tests/pgcluster.py), then measures, each in its own transaction per row:
  baseline write: inserting a small row (a login-throttle row) without audit
  audit write:    appending an audit entry (lock the head, HMAC, insert, update the head)
and for reading the whole log:
  baseline read:  iterating the audit rows
  verify:         `audit_verify()` over the same rows (recompute every digest and link)
Prints ratios (audit ÷ baseline), which stay comparable across machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
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
    rows = sum(1 for _ in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000))
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


if __name__ == "__main__":
    main()

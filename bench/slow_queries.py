"""Where one request's time goes: its total, its queries and the slowest of them.

    python bench/slow_queries.py rs.coordinator=/cases/ rs.provider=/worklist/ ...

Each argument is `username=path`. The request runs in this process through Django's test client
(every middleware, the session, the audit of reads) as that account, once to warm up and once
measured with the database's queries logged; run it against the database to look at (set
DATABASE_URL and VEZA_DATA_DIR as for `veza`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def main(specs: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import login_verified

    setup_test_environment()
    users = get_user_model().objects
    for spec in specs:
        username, path = spec.split("=", 1)
        client = login_verified(Client(), users.get(username=username))
        client.get(path)
        connection.force_debug_cursor = True
        connection.queries_log.clear()
        start = time.perf_counter()
        response = client.get(path)
        total = (time.perf_counter() - start) * 1000
        queries = sorted(connection.queries, key=lambda q: -float(q["time"]))
        connection.force_debug_cursor = False
        in_sql = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"== {spec}: {response.status_code}, {total:.0f} ms, {len(queries)} queries, "
            f"{in_sql:.0f} ms in SQL"
        )
        width = int(os.environ.get("VEZA_SQL_WIDTH", "300"))  # characters of SQL shown
        for query in queries[:4]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:width]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

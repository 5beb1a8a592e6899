"""The database restarts in the middle of a burst of requests (SECURITY.md row 26).

Four clients read and save the same case through the API, one saves it through its page (a form
POST), and one saves a screening through the API, without pause while PostgreSQL is restarted
under them. While it is down, requests must fail cleanly with 503 (never a 500 or a
hang); nothing may be half-written (every saved change has exactly its audit entry, the audit
chain verifies); and once it is back, the same clients are served again without restarting Veza.

It needs the throw-away cluster of tests/pgcluster.py (which says how to restart it) and runs
when the suite runs in one process, as `make test` does: under xdist the restart would cut the
other workers' tests off.
"""

import os
import shlex
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.factories import login_verified, make_case, make_screening, make_user
from veza.core.audit import audit_verify
from veza.core.models import AuditEntry
from veza.screening.models import Screening

PG_CTL = shlex.split(os.environ.get("VEZA_PG_CTL", ""))


def pg_ctl(*arguments: str) -> None:
    done = subprocess.run([*PG_CTL, *arguments], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, f"pg_ctl {' '.join(arguments)}: {done.stdout}{done.stderr}"


def server_state() -> str:
    """`pg_ctl status` and the end of the server's log, for a failure's message."""
    status = subprocess.run([*PG_CTL, "status"], capture_output=True, text=True, timeout=30)
    log = PG_CTL[PG_CTL.index("-l") + 1] if "-l" in PG_CTL else ""
    tail = "\n".join(Path(log).read_text().splitlines()[-40:]) if log else "(no log)"
    return f"pg_ctl status: {status.stdout}{status.stderr}\nserver log:\n{tail}"


pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not PG_CTL, reason="needs the cluster of tests/pgcluster.py"),
    pytest.mark.skipif(
        bool(os.environ.get("PYTEST_XDIST_WORKER")),
        reason="restarting the database would cut the other workers off",
    ),
]


def test_requests_fail_cleanly_while_the_database_restarts_and_service_resumes(organisation):
    manager = make_user(role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager, age=20)
    path = f"/api/v1/cases/{case.pk}/"
    clients = [login_verified(Client(raise_request_exception=False), manager) for _ in range(4)]
    stop = threading.Event()
    results: list[tuple[str, int]] = []
    served: dict[str, int] = {}  # each client thread: where in `results` it was last served

    def note(who: str, kind: str, status: int) -> None:
        results.append((kind, status))
        if status in (200, 302):
            served[who] = len(results)

    def burst(number, client):
        try:
            while not stop.is_set():
                time.sleep(0.01)
                read = client.get(path)
                note(f"client {number}", "read", read.status_code)
                if read.status_code != 200:
                    time.sleep(0.05)
                    continue
                body = {"age": 20 + number, "version": read.json()["version"]}
                write = client.patch(path, body, content_type="application/json")
                note(f"client {number}", "write", write.status_code)
        except Exception as exc:
            results.append(("escaped", repr(exc)))
        finally:
            connection.close()

    page_client = login_verified(Client(raise_request_exception=False), manager)
    page_case = make_case(organisation, user=manager, age=30)  # its own: not always in conflict
    page_path = f"/api/v1/cases/{page_case.pk}/"
    screener = make_user(role="frontline_professional", organisation=organisation)
    screening = make_screening(organisation, user=screener)
    screening_client = login_verified(Client(raise_request_exception=False), screener)

    def page_burst():
        """The case's facts saved through its page, as a person does (a form POST)."""
        try:
            while not stop.is_set():
                time.sleep(0.01)
                read = page_client.get(page_path)
                if read.status_code != 200:
                    note("page", "page-read", read.status_code)
                    time.sleep(0.05)
                    continue
                version = read.json()["version"]
                facts = {"sex": "unknown", "age": 30 + version % 50, "version": version}
                write = page_client.post(f"/cases/{page_case.pk}/edit/", facts)
                note("page", "page-write", write.status_code)
        except Exception as exc:
            results.append(("escaped", repr(exc)))
        finally:
            connection.close()

    def screening_burst():
        where = f"/api/v1/screenings/{screening.pk}/"
        try:
            for number in range(10**6):
                if stop.is_set():
                    break
                time.sleep(0.01)
                read = screening_client.get(where)
                if read.status_code != 200:
                    note("screening", "screening-read", read.status_code)
                    time.sleep(0.05)
                    continue
                body = {
                    "answers": {"unpaid": "yes" if number % 2 else "no"},
                    "version": read.json()["version"],
                }
                write = screening_client.patch(where, body, content_type="application/json")
                note("screening", "screening-write", write.status_code)
        except Exception as exc:
            results.append(("escaped", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=burst, args=pair) for pair in enumerate(clients)]
    threads += [threading.Thread(target=page_burst), threading.Thread(target=screening_burst)]
    for thread in threads:
        thread.start()

    def until(condition, what):
        # Not a timing assert: the clients are served before the stop and after the start,
        # however slow the machine is; the bound only guards against a hang.
        deadline = time.monotonic() + 60
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"never happened: {what}: {Counter(results[-200:])}\n{server_state()}"
                )
            time.sleep(0.05)

    try:
        until(lambda: sum(1 for _k, status in results if status == 200) >= 10, "served before")
        pg_ctl("-m", "fast", "stop")
        time.sleep(2)  # down: every request meanwhile must be answered 503
        pg_ctl("start")
        restarted = len(results)
        # Every client thread is served again: one whose connection died must not stay at 503.
        until(
            lambda: len(served) == len(threads) and min(served.values()) > restarted,
            "every client served after the restart",
        )
    finally:
        # Whatever happened, the clients stop and this thread's connection (which died with
        # the server) is dropped, so that a failure here cannot take the next tests with it.
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        connection.close()
    assert not any(t.is_alive() for t in threads), "a request hung"

    statuses = Counter(status for _kind, status in results)
    assert statuses[503] > 0, f"the restart was not noticed: {statuses}"
    by_kind = Counter(results)
    assert set(statuses) <= {200, 302, 409, 503}, f"not a clean failure: {by_kind}"
    assert statuses[200] > 0 and statuses[503] > 0, by_kind
    # The page saves: a redirect when saved, a conflict page, or the 503 page (never a 500).
    pages = Counter(status for kind, status in results if kind == "page-write")
    assert set(pages) <= {302, 409, 503}, pages

    # Service resumes on its own, for every client.
    for client in clients:
        assert client.get(path).status_code == 200
    assert screening_client.get(f"/api/v1/screenings/{screening.pk}/").status_code == 200
    facts = {"sex": "unknown", "age": 99, "version": page_client.get(page_path).json()["version"]}
    assert page_client.post(f"/cases/{page_case.pk}/edit/", facts).status_code == 302

    # Nothing half-written: every change that was saved has its audit entry, and no more.
    case.refresh_from_db()
    saved = sum(1 for kind, status in results if kind == "write" and status == 200)
    updates = AuditEntry.objects.filter(action="case.update", object_id=str(case.pk)).count()
    assert updates == case.version - 1 >= saved
    page_case.refresh_from_db()
    page_saves = sum(1 for kind, status in results if kind == "page-write" and status == 302)
    page_updates = AuditEntry.objects.filter(action="case.update", object_id=str(page_case.pk))
    assert page_updates.count() == page_case.version - 1 >= page_saves
    screening.refresh_from_db()
    screening_saves = sum(1 for k, status in results if k == "screening-write" and status == 200)
    screening_updates = AuditEntry.objects.filter(
        action="screening.update", object_id=str(screening.pk)
    ).count()
    assert screening_updates == screening.version - 1 >= screening_saves
    assert Screening.objects.filter(pk=screening.pk).exists()
    assert audit_verify().ok

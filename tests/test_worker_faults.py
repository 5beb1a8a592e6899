"""A task worker is killed in the middle of a task (issue 12).

Real `veza worker` processes run against the test database. The test stops one at a known point of
a real task — inside the e-mail backend before the mail leaves (Django's `EMAIL_BACKEND` hook,
tests/faultmail.py), or waiting for a row lock in the middle of the reminders' transaction — kills
it with SIGKILL, starts another, and checks that the task ran again and its effect happened once.
Leases are short here (`VEZA_WORKER_LEASE_SECONDS`) so that a dead worker is noticed quickly.

The worker processes need a database they can reach: the PostgreSQL test database (the SQLite
test database lives in the memory of the test process).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from tests.factories import make_organisation, make_user
from veza.core.models import WorkerLease
from veza.referrals.models import Notification
from veza.referrals.services import notify
from veza.referrals.tasks import notification_message_id

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 2

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def tasks_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def workers(tmp_path, tasks_in_the_database):
    """Start `veza worker` processes against the test database; all are stopped afterwards."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    (tmp_path / "mail").mkdir()
    environment = dict(
        os.environ,
        DATABASE_URL=url,
        VEZA_DATA_DIR=str(django_settings.VEZA_DATA_DIR),
        VEZA_KEYS_DIR=str(django_settings.VEZA_KEYS_DIR),
        VEZA_EMAIL_BACKEND="tests.faultmail.HoldingEmailBackend",
        VEZA_FAULT_DIR=str(tmp_path),
        VEZA_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
        PYTHONPATH=os.pathsep.join(
            [str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    )

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "veza", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    def logs() -> str:
        """What every worker wrote, for an assertion's message."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text()}" for path in sorted(tmp_path.glob("worker-*.log"))
        )

    start.dir = tmp_path
    start.logs = logs
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    connection.close()


def wait_for(condition, what: str, seconds: float = 90):
    """Poll until `condition()` holds (a generous bound against a hang, not a timing assert)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def task_result(task_name: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith=f".{task_name}").first()


def mails(folder: Path) -> list[str]:
    """The Message-IDs of every mail the workers wrote."""
    found = []
    for path in sorted((folder / "mail").iterdir()):
        for line in path.read_text().splitlines():
            if line.lower().startswith("message-id:"):
                found.append(line.split(":", 1)[1].strip())
    return found


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def a_notification_to_mail() -> Notification:
    organisation = make_organisation("RS")
    user = make_user("mailed", role="case_manager", organisation=organisation)
    user.email = "mailed@example.org"
    user.save(update_fields=["email"])
    with transaction.atomic():
        notify([user], "referral.received")  # the e-mail copy is queued on commit
    return Notification.objects.get(user=user)


def test_a_mail_interrupted_by_a_killed_worker_is_sent_once_by_the_next(workers):
    notification = a_notification_to_mail()
    hold = workers.dir / "hold"
    hold.touch()

    first = workers()
    wait_for(lambda: (workers.dir / f"sending-{first.pid}").exists(), "the first worker mails")
    kill(first)
    left = task_result("email_notification")
    assert left.status == "RUNNING" and len(left.worker_ids) == 1  # what the dead worker left
    notification.refresh_from_db()
    assert notification.emailed_at is None and mails(workers.dir) == []

    hold.unlink()
    second = workers()
    wait_for(lambda: task_result("email_notification").status == "SUCCESSFUL", "the mail is sent")

    assert mails(workers.dir) == [notification_message_id(notification.pk)]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    done = task_result("email_notification")
    assert len(done.worker_ids) == 2 and done.worker_ids[0] != done.worker_ids[1]

    # A graceful stop gives its lease back; the dead worker's lapsed lease is cleared.
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0, workers.logs()
    assert not WorkerLease.objects.exists()


def test_a_live_worker_keeps_its_task_while_another_runs(workers):
    notification = a_notification_to_mail()
    hold = workers.dir / "hold"
    hold.touch()

    first = workers()
    wait_for(lambda: (workers.dir / f"sending-{first.pid}").exists(), "the first worker mails")
    second = workers()
    # The second worker renews its lease and looks for dead workers' tasks every half second;
    # over three lease periods it must leave the busy (and living) first worker's task alone.
    wait_for(lambda: WorkerLease.objects.count() == 2, "both workers hold a lease")
    time.sleep(3 * LEASE_SECONDS)
    busy = task_result("email_notification")
    assert busy.status == "RUNNING" and len(busy.worker_ids) == 1
    assert second.poll() is None

    hold.unlink()
    wait_for(lambda: task_result("email_notification").status == "SUCCESSFUL", "the mail is sent")
    assert mails(workers.dir) == [notification_message_id(notification.pk)]
    assert task_result("email_notification").worker_ids == busy.worker_ids


def test_reminders_interrupted_mid_transaction_are_recorded_once(workers, organisation):
    from tests.interpreters.test_booking import make_interpreter
    from veza.interpreters.models import Booking
    from veza.interpreters.services import booking_confirm, booking_propose, request_create
    from veza.interpreters.tasks import reminders_task

    officer = make_user("officer", role="frontline_professional", organisation=organisation)
    own = make_user("interpreter")
    start = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    item = request_create(
        actor=officer,
        organisation=organisation,
        languages=["pus"],
        target_language="srp",
        start=start,
        end=start + timedelta(hours=1),
        setting="medical",
    )
    booking = booking_confirm(
        actor=own,
        booking=booking_propose(
            actor=officer, request=item, interpreter=make_interpreter(user=own)
        ),
    )
    reminders_task.enqueue(0)  # one round, as `veza worker` queues it
    reminder_kinds = ["interpreter.reminder", "interpreter.request_reminder"]

    # This test holds the booking's row: the worker's transaction stops at its reminder mark,
    # after it wrote the notices, until it is killed there.
    with transaction.atomic():
        Booking.objects.select_for_update().get(pk=booking.pk)
        first = workers()
        with connection.cursor() as cursor:

            def worker_waits() -> bool:
                # Within a transaction pg_stat_activity is a snapshot unless cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE %%interpreters_booking%%'"
                )
                return cursor.fetchone()[0] == 1

            wait_for(worker_waits, "the worker waits for the booking's row")
        kill(first)
    assert not Notification.objects.filter(kind__in=reminder_kinds).exists()
    booking.refresh_from_db()
    assert booking.reminded_at is None

    workers()
    wait_for(lambda: task_result("reminders_task").status == "SUCCESSFUL", "the reminders run")
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert sorted(
        Notification.objects.filter(kind__in=reminder_kinds).values_list("kind", "user__username")
    ) == [("interpreter.reminder", "interpreter"), ("interpreter.request_reminder", "officer")]
    assert len(task_result("reminders_task").worker_ids) == 2

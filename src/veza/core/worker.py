"""Task workers that die: leases, and tasks queued again when their worker is gone.

django-tasks' database backend marks a task RUNNING when a worker claims it and never looks at it
again: a worker killed mid-task (SIGKILL, out of memory, a lost machine) would leave it RUNNING
for ever, and the periodic tasks behind it would stop. So each `veza worker` holds a lease
(`WorkerLease`) that a background thread renews every quarter of `VEZA_WORKER_LEASE_SECONDS`, and
each worker, at start and on every renewal, queues again the RUNNING tasks whose worker's lease
has lapsed — never those of a live worker. A task whose workers died `VEZA_WORKER_MAX_ATTEMPTS`
times is marked failed instead (`WorkerLost`): it may be what kills them.

What a task run twice does is each task's own business: see "Background work: what happens when a
worker dies" in docs/operations.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

__all__ = ["LeaseKeeper", "WorkerLost", "lease_renew", "task_reschedule", "tasks_reclaim"]

log = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The workers that ran a task died while running it, too many times."""


def _lease_seconds() -> float:
    return float(settings.VEZA_WORKER_LEASE_SECONDS)


def lease_renew(worker_id: str, *, now=None) -> None:
    """Record that this worker is alive (creating its lease again if it was taken for dead)."""
    from veza.core.models import WorkerLease

    WorkerLease.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "seen_at": now or timezone.now(),
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def tasks_reclaim(*, now=None) -> dict:
    """Queue again every task left RUNNING by a worker whose lease has lapsed; mark failed those
    that have already cost `VEZA_WORKER_MAX_ATTEMPTS` workers. Returns the counts."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    from veza.core.models import WorkerLease

    now = now or timezone.now()
    expired = now - timedelta(seconds=_lease_seconds())
    counts = {"requeued": 0, "failed": 0}
    with exclusive_transaction(DBTaskResult.objects.db):
        leases = dict(WorkerLease.objects.values_list("worker_id", "seen_at"))
        for result in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            worker = (result.worker_ids or [""])[-1]
            seen = leases.get(worker)
            if seen is not None and seen >= expired:
                continue  # its worker is alive: never take a task from a live worker
            if seen is None and result.started_at and result.started_at >= expired:
                continue  # a worker without a lease (plain `db_worker`) gets one lease period
            if len(result.worker_ids) >= settings.VEZA_WORKER_MAX_ATTEMPTS:
                result.set_failed(
                    WorkerLost(f"{len(result.worker_ids)} workers died while running this task")
                )
                counts["failed"] += 1
                log.error("task %s %s failed: its workers died", result.task_path, result.id)
            else:
                result.status = "READY"
                result.save(update_fields=["status"])
                counts["requeued"] += 1
                log.warning(
                    "task %s %s queued again: worker %s is gone",
                    result.task_path,
                    result.id,
                    worker,
                )
        WorkerLease.objects.filter(seen_at__lt=expired).delete()
    return counts


def task_reschedule(task, delay: timedelta, *args):
    """Queue the next round of a periodic task, unless one is already waiting: a round run again
    after its worker died must not start a second chain."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(task.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
        if waiting.exists():
            return None
    return task.using(run_after=timezone.now() + delay).enqueue(*args)


class LeaseKeeper:
    """The lease of this worker process, renewed by a daemon thread while the worker runs."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="veza-lease", daemon=True)

    def start(self) -> dict:
        lease_renew(self.worker_id)
        counts = tasks_reclaim()
        self._thread.start()
        return counts

    def stop(self) -> None:
        from veza.core.models import WorkerLease

        self._stop.set()
        self._thread.join(timeout=10)
        with contextlib.suppress(DatabaseError):  # if not, the lease lapses on its own
            WorkerLease.objects.filter(worker_id=self.worker_id).delete()

    def _beat(self) -> None:
        interval = max(_lease_seconds() / 4, 0.2)
        try:
            while not self._stop.wait(interval):
                try:
                    close_old_connections()
                    lease_renew(self.worker_id)
                    tasks_reclaim()
                except DatabaseError as exc:  # the database is away: try again on the next beat
                    log.warning("worker lease not renewed: %s", type(exc).__name__)
                    connection.close()
        finally:
            connection.close()

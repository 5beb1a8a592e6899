"""`veza worker`: run background tasks, with the deadline check keeping itself scheduled."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string


class Command(BaseCommand):
    help = "Run Veza's background tasks (e-mails, deadline reminders, federation deliveries)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Stop when no task is left.")

    def handle(self, *args, batch=False, **options):
        from django_tasks_db.models import DBTaskResult

        from veza.core.hooks import periodic_tasks
        from veza.core.worker import LeaseKeeper
        from veza.referrals.tasks import deadlines_check_task

        worker_id = get_random_string(32)
        lease = LeaseKeeper(worker_id)
        # First the tasks of dead workers go back to the queue (a periodic task left RUNNING by
        # a killed worker would otherwise never be scheduled again).
        reclaimed = lease.start()
        if reclaimed["requeued"] or reclaimed["failed"]:
            self.stderr.write(
                f"Tasks of stopped workers: {reclaimed['requeued']} queued again, "
                f"{reclaimed['failed']} failed."
            )
        try:
            for task, every in [(deadlines_check_task, 15), *periodic_tasks()]:
                waiting = DBTaskResult.objects.filter(
                    task_path=task.module_path, status__in=["READY", "RUNNING"]
                ).exists()
                if not waiting:
                    # In batch mode each runs once; a long-running worker keeps them going.
                    task.enqueue(0 if batch else every)
            call_command(
                "db_worker",
                batch=batch,
                worker_id=worker_id,
                # Never the autoreloader (on by default under DEBUG): its parent process would
                # hold a lease of its own and SIGKILL the working child on SIGTERM.
                reload=False,
                verbosity=options.get("verbosity", 1),
            )
        finally:
            lease.stop()

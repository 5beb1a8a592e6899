"""`veza worker`: run background tasks, with the deadline check keeping itself scheduled."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Veza's background tasks (e-mails, deadline reminders, federation deliveries)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Stop when no task is left.")

    def handle(self, *args, batch=False, **options):
        from django_tasks_db.models import DBTaskResult

        from veza.core.hooks import periodic_tasks
        from veza.referrals.tasks import deadlines_check_task

        for task, every in [(deadlines_check_task, 15), *periodic_tasks()]:
            waiting = DBTaskResult.objects.filter(
                task_path=task.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                # In batch mode each runs once; a long-running worker keeps them going.
                task.enqueue(0 if batch else every)
        call_command("db_worker", batch=batch, verbosity=options.get("verbosity", 1))

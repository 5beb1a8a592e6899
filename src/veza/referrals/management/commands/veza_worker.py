"""`veza worker`: run background tasks, with the deadline check keeping itself scheduled."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Veza's background tasks (notifications by e-mail, deadline reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Stop when no task is left.")

    def handle(self, *args, batch=False, **options):
        from django_tasks_db.models import DBTaskResult

        from veza.referrals.tasks import deadlines_check_task

        waiting = DBTaskResult.objects.filter(
            task_path=deadlines_check_task.module_path, status__in=["READY", "RUNNING"]
        ).exists()
        if not waiting:
            # In batch mode the check runs once; a long-running worker keeps it every 15 minutes.
            deadlines_check_task.enqueue(0 if batch else 15)
        call_command("db_worker", batch=batch, verbosity=options.get("verbosity", 1))

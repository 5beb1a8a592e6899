"""`veza roles sync`: make the built-in roles match data/roles.yaml."""

from django.core.management.base import BaseCommand

from veza.organisations.services import participants_sync, roles_sync


class Command(BaseCommand):
    help = "Apply data/roles.yaml and data/participants.yaml (also done by every migrate)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync")

    def handle(self, *args, **options):
        participants = participants_sync()
        roles = roles_sync()
        self.stdout.write(f"{participants} participant(s) and {roles} role(s) updated.")

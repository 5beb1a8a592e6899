"""`veza deadlines check`: remind before deadlines and escalate overdue ones, once."""

import json

from django.core.management.base import BaseCommand

from veza.referrals.services import deadlines_check


class Command(BaseCommand):
    help = "Send deadline reminders and escalate overdue items to the national coordinators."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(deadlines_check()))

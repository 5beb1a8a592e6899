"""`veza keys init`: create the instance keys kept outside the database."""

from django.core.management.base import BaseCommand

from veza.core.keys import instance_secret, key_path

KEYS = ("audit-chain", "api-token", "field-1", "search-index", "release-signing")


class Command(BaseCommand):
    help = (
        "Create any missing instance key in VEZA_KEYS_DIR (back them up apart from the database)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="Create the keys that are missing.")

    def handle(self, *args, action, **options):
        for name in KEYS:
            existed = key_path(name).exists()
            instance_secret(name, create=True)
            self.stdout.write(f"{'kept   ' if existed else 'created'} {key_path(name)}")

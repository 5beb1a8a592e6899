"""`veza demo`: load the demonstration organisations and accounts (refused in production)."""

from django.core.management.base import BaseCommand, CommandError

from veza.core.errors import VezaError
from veza.organisations.demo import DEMO_PASSWORD, demo_accounts, demo_load


class Command(BaseCommand):
    help = "Load demonstration organisations in every participant and accounts for every role."

    def handle(self, *args, **options):
        def progress(done, total, code):
            bar = "#" * done + "." * (total - done)
            self.stderr.write(f"\r[{bar}] {done}/{total} participants ({code})", ending="")
            if done == total:
                self.stderr.write("")

        try:
            counts = demo_load(progress=progress)
        except VezaError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"Demo data ready: {counts['organisations']} new organisation(s), "
            f"{counts['users']} demo accounts. Password for all: {DEMO_PASSWORD}"
        )
        some = ", ".join(username for username, _role, _org in demo_accounts()[:4])
        self.stdout.write(f"Some accounts: {some}, …")
        self.stdout.write("Login code for an account: veza otp-code USERNAME")

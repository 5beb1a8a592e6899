"""`veza otp-code USER`: the current login code of a demo account. Demo instances only."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (VEZA_ENV=demo only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEMO:
            raise CommandError("otp-code works on demo instances only (VEZA_ENV=demo).")
        user = get_user_model().objects.filter(username=username, is_demo=True).first()
        if user is None:
            raise CommandError(f"No demo account is called {username!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        remaining = device.step - int((time.time() - device.t0) % device.step)
        self.stderr.write(f"(changes in {remaining} s; each code works once)")

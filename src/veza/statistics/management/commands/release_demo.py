"""`veza release-demo send --year Y` / `veza release-demo show`: the national coordinator of a
demonstration instance builds the year's release, approves it with a fresh code from their
authenticator and sends it (to the hub's instance when VEZA_RELEASES_TO=hub); `show` prints the
latest release and the releases this instance received as the hub (JSON). Used by
`make federation-demo` and the live federation tests; refused in production."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.errors import PermissionDeniedError, ValidationError
from veza.organisations.models import Participant
from veza.statistics.models import ImportBatch, Release
from veza.statistics.services import release_approve, release_build, release_send


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def authenticator_code(user) -> str:
    """The code the person's authenticator app shows now. A code is accepted once only, so when
    this step's code was used already, wait for the next one (at most one step, 30 s)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = "A demonstration coordinator sends the year's release (demo and live tests only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Build, approve (second factor) and send a release.")
        send.add_argument("--year", type=int, required=True)
        send.add_argument("--method", help="suppression, rounding or dp (the spec's by default)")
        send.add_argument("--as", dest="username", help="Act as this account.")
        sub.add_parser("show", help="The latest release and the releases received (JSON).")

    def handle(self, *args, action, **options):
        if settings.PRODUCTION:
            raise CommandError("release-demo is refused on a production instance.")
        try:
            result = self.send(**options) if action == "send" else self.show()
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        except PermissionDeniedError as exc:
            raise CommandError("That account may not do this.") from exc
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=_text))

    def send(self, year, method, username, **options) -> dict:
        username = username or f"{settings.VEZA_INSTANCE_PARTICIPANT.lower()}.coordinator"
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No account {username}: run `federation-demo setup` first.")
        participant = Participant.objects.get(code=settings.VEZA_INSTANCE_PARTICIPANT)
        release = release_build(actor=actor, participant=participant, year=year, method=method)
        release = release_approve(actor=actor, release=release, code=authenticator_code(actor))
        release_send(actor=actor, release=release)
        release.refresh_from_db()
        return self._release(release)

    def show(self) -> dict:
        latest = Release.objects.order_by("-created_at", "-pk").first()
        return {
            "release": self._release(latest) if latest else None,
            "received": [
                {
                    "participant": b.participant,
                    "year": b.year,
                    "revision": b.revision,
                    "observations": b.rows_imported,
                }
                for b in ImportBatch.objects.filter(source="release").order_by("created_at")
            ],
        }

    def _release(self, release: Release) -> dict:
        return {
            "id": release.pk,
            "participant": release.participant.code,
            "year": release.year,
            "status": release.status,
            "sent_to": settings.VEZA_RELEASES_TO,
            "sent_at": release.sent_at,
            "acknowledged_at": release.acknowledged_at,
            "hub_receipt": release.hub_receipt,
        }

"""Login throttling per account and per address.

After a few free failures each further failure doubles the wait, up to a cap. The wait always
ends: an attacker can slow a person's logins down but never lock them out for good, and the right
password works again as soon as the window has passed.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veza.core.models import LoginThrottle

__all__ = ["throttle_check", "throttle_fail", "throttle_keys", "throttle_reset"]


def throttle_keys(username: str, ip: str | None) -> list[str]:
    # Hashed so that the table never holds a typed user name (which may be a mistyped password).
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    keys = [f"user:{name}"]
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def throttle_check(keys: list[str]) -> int:
    """Seconds to wait before the next try is looked at (0 when it may go ahead)."""
    now = timezone.now()
    wait = 0
    for row in LoginThrottle.objects.filter(key__in=keys, blocked_until__gt=now):
        wait = max(wait, int((row.blocked_until - now).total_seconds()) + 1)
    return wait


def _delay(failures: int) -> int:
    excess = failures - settings.VEZA_LOGIN_FREE_FAILURES
    if excess < 0:
        return 0
    return min(
        settings.VEZA_LOGIN_BACKOFF_SECONDS * (2 ** min(excess, 20)),
        settings.VEZA_LOGIN_BACKOFF_CAP_SECONDS,
    )


@transaction.atomic
def throttle_fail(keys: list[str]) -> None:
    now = timezone.now()
    for key in keys:
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
        row.failures += 1
        delay = _delay(row.failures)
        row.blocked_until = now + timedelta(seconds=delay) if delay else None
        row.save(update_fields=["failures", "blocked_until", "updated_at"])


def throttle_reset(keys: list[str]) -> None:
    # Only the account's counter is cleared by a success: an address that tries many accounts
    # keeps its own count.
    LoginThrottle.objects.filter(key__in=[k for k in keys if k.startswith("user:")]).delete()

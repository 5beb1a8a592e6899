"""Background work of the pool (`veza worker`): reminders of tomorrow's assignments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

__all__ = ["reminders_task", "send_reminders"]


def send_reminders(now=None) -> int:
    """Remind the interpreter and the requester of each confirmed assignment that starts in the
    next 24 hours, once (the notice names no person: a time, a setting, a link)."""
    from django.db import transaction

    from veza.interpreters.models import Booking, BookingStatus
    from veza.referrals.services import notify

    now = now or timezone.now()
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminded_at__isnull=True,
        start__gt=now,
        start__lte=now + timedelta(hours=24),
    ).select_related("interpreter__user", "request__requester")
    count = 0
    for booking in due:
        with transaction.atomic():
            notify([booking.interpreter.user], "interpreter.reminder")
            notify([booking.request.requester], "interpreter.request_reminder")
            Booking.objects.filter(pk=booking.pk).update(reminded_at=now)
        count += 1
    return count


@task()
def reminders_task(reschedule_minutes: int = 60) -> int:
    count = send_reminders()
    if reschedule_minutes:
        reminders_task.using(
            run_after=timezone.now() + timedelta(minutes=reschedule_minutes)
        ).enqueue(reschedule_minutes)
    return count

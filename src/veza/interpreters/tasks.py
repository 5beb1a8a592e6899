"""Background work of the pool (`veza worker`): reminders of tomorrow's assignments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from veza.core.worker import task_reschedule

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
        # The mark and the notices commit together, and the mark comes first: a worker killed
        # half-way leaves neither, and two runs at once remind once (the second finds it marked).
        with transaction.atomic():
            marked = Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not marked:
                continue
            notify([booking.interpreter.user], "interpreter.reminder")
            notify([booking.request.requester], "interpreter.request_reminder")
        count += 1
    return count


@task()
def reminders_task(reschedule_minutes: int = 60) -> int:
    count = send_reminders()
    if reschedule_minutes:
        task_reschedule(reminders_task, timedelta(minutes=reschedule_minutes), reschedule_minutes)
    return count

"""Background work of the referrals: e-mail copies of notifications, deadline reminders."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from veza.referrals.notices import notice_subject, notice_url

__all__ = ["deadlines_check_task", "email_notification"]


@task()
def email_notification(notification_id: int) -> None:
    """Mail one notification in its recipient's language. The mail names a case code and a link,
    never a person."""
    from veza.referrals.models import Notification

    notification = (
        Notification.objects.select_related("user", "case")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.email:
        return
    with translation.override(notification.user.language or settings.LANGUAGE_CODE):
        subject = notice_subject(notification.kind)
        link = settings.VEZA_BASE_URL.rstrip("/") + notice_url(notification.kind)
        if notification.case_id:
            body = _("%(subject)s (case %(code)s). Open Veza to see it: %(link)s") % {
                "subject": subject,
                "code": notification.case.code,
                "link": link,
            }
        else:
            body = _("%(subject)s. Open Veza to see it: %(link)s") % {
                "subject": subject,
                "link": link,
            }
        send_mail(f"Veza: {subject}", body, None, [notification.user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@task()
def deadlines_check_task(reschedule_minutes: int = 15) -> dict:
    """Remind and escalate, then queue the next check: `veza worker` keeps this going."""
    from veza.referrals.services import deadlines_check

    result = deadlines_check()
    if reschedule_minutes:
        deadlines_check_task.using(
            run_after=timezone.now() + timedelta(minutes=reschedule_minutes)
        ).enqueue(reschedule_minutes)
    return result

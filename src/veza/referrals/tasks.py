"""Background work of the referrals: e-mail copies of notifications, deadline reminders."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from veza.core.worker import task_reschedule
from veza.referrals.notices import notice_subject, notice_url

__all__ = ["deadlines_check_task", "email_notification", "notification_message_id"]


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
        message = EmailMessage(
            f"Veza: {subject}",
            body,
            None,
            [notification.user.email],
            headers={"Message-ID": notification_message_id(notification.pk)},
        )
        message.send()
    # At least once: marked sent only once the mail server has it. A worker killed in between
    # sends it again with the same Message-ID, which mail clients show as one message.
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def notification_message_id(notification_id: int) -> str:
    """The same Message-ID for every copy of one notification's e-mail (names no person)."""
    host = urlsplit(settings.VEZA_BASE_URL).hostname or "localhost"
    return f"<notification-{notification_id}.{settings.VEZA_INSTANCE_ID}@{host}>"


@task()
def deadlines_check_task(reschedule_minutes: int = 15) -> dict:
    """Remind and escalate, then queue the next check: `veza worker` keeps this going."""
    from veza.referrals.services import deadlines_check

    result = deadlines_check()
    if reschedule_minutes:
        task_reschedule(
            deadlines_check_task, timedelta(minutes=reschedule_minutes), reschedule_minutes
        )
    return result

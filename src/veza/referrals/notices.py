"""The kinds of in-app notice, each with its words and the page it points to. Referrals own the
notices (and their e-mail copies); an app above adds its own kinds here, so neither the worklist
nor the mail has to know every app that writes a notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

__all__ = [
    "NoticeKind",
    "notice_kind",
    "notice_subject",
    "notice_url",
    "notices_read",
    "notices_unread",
    "register_notice",
]


@dataclass(frozen=True)
class NoticeKind:
    code: str
    subject: str  # English, marked with gettext_noop; translated when shown or mailed
    url_name: str  # the page the notice sends its reader to


_KINDS: dict[str, NoticeKind] = {}
FALLBACK = NoticeKind("", gettext_noop("News in Veza"), "organisations:home")


def register_notice(code: str, subject: str, url_name: str) -> None:
    _KINDS[code] = NoticeKind(code, subject, url_name)


def notice_kind(code: str) -> NoticeKind:
    return _KINDS.get(code, FALLBACK)


def notice_subject(code: str) -> str:
    """The notice's words in the active language (the reader's, for a mail)."""
    return _(notice_kind(code).subject)


def notice_url(code: str) -> str:
    return reverse(notice_kind(code).url_name)


def notices_unread(user, *, prefix: str = "", limit: int = 30):
    """The person's unread notices, newest first (those whose kind starts with `prefix`)."""
    from veza.referrals.models import Notification

    return Notification.objects.filter(
        user=user, read_at__isnull=True, kind__startswith=prefix
    ).select_related("case", "referral")[:limit]


def notices_read(user, *, prefix: str = "") -> int:
    from django.utils import timezone

    from veza.referrals.models import Notification

    return Notification.objects.filter(
        user=user, read_at__isnull=True, kind__startswith=prefix
    ).update(read_at=timezone.now())


for _code, _subject in (
    ("referral.received", gettext_noop("A referral is waiting for your answer")),
    ("referral.accepted", gettext_noop("Your referral was accepted")),
    ("referral.declined", gettext_noop("Your referral was declined")),
    ("referral.withdrawn", gettext_noop("A referral to your organisation was withdrawn")),
    ("referral.completed", gettext_noop("A referral was completed")),
    ("referral.consent_withdrawn", gettext_noop("Consent was withdrawn: a referral ended")),
    ("deadline.reminder", gettext_noop("A deadline is coming up")),
    ("deadline.overdue", gettext_noop("A deadline has passed")),
):
    register_notice(_code, _subject, "referrals:worklist")

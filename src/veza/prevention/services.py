"""The one write of prevention: a completed self-check adds one to its month's count.

Deliberately without an audit entry: the person is anonymous, and an audit entry records the
client's address (veza.core.audit), which would tie a use of the self-check to a connection —
the very thing the page promises not to keep. The count is the whole record. Nor is there a
permission check: completing the self-check is public by design (docs/prevention.md).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.errors import ValidationError
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.prevention.models import SelfCheckUse
from veza.prevention.selfcheck import load_selfcheck

__all__ = ["month_of", "selfcheck_use_record"]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def selfcheck_use_record(
    *,
    language: str,
    participant: Participant | None,
    count: int = 1,
    month: datetime.date | None = None,
) -> None:
    """Add `count` completed checks to the month's row (made on first use).

    Safe when two checks complete at once, on PostgreSQL too: the increment is one UPDATE with
    F(); when the row does not exist yet, the INSERT runs in a savepoint and, if a concurrent
    request inserted the same row first (the unique constraint refuses ours), the UPDATE is
    retried — so no completed check is lost and no row is doubled.
    """
    if language not in load_selfcheck().languages:
        raise ValidationError(_("The self-check is not offered in this language."))
    if participant is not None and participant.kind == ParticipantKind.REGIONAL:
        raise ValidationError(_("Choose a participant with its own help numbers."))
    if count < 1:
        raise ValidationError(_("A count of uses is at least one."))
    month = month_of(month or timezone.localdate())
    rows = SelfCheckUse.objects.filter(month=month, participant=participant, language=language)
    if rows.update(count=F("count") + count):
        return
    try:
        with transaction.atomic():
            SelfCheckUse.objects.create(
                month=month, participant=participant, language=language, count=count
            )
    except IntegrityError:
        rows.update(count=F("count") + count)

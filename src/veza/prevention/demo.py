"""Demo counts of self-check use: the last six months in several languages and participants,
with some small counts, so the coordinator's and analyst's page shows figures withheld as
"protected" (invented, like all demo data)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veza.core.errors import PermissionDeniedError
from veza.organisations.models import Participant
from veza.prevention.models import SelfCheckUse
from veza.prevention.services import month_of, selfcheck_use_record

__all__ = ["demo_selfcheck_uses"]

#: (participant code or None, language, monthly count); counts below 5 end up protected.
USES = [
    ("AL", "sq", 38),
    ("AL", "en", 6),
    ("AL", "rom", 2),
    ("RS", "sr-latn", 41),
    ("RS", "sr", 12),
    ("RS", "rom", 9),
    ("RS", "ar", 7),
    ("RS", "fa", 3),
    ("MK", "mk", 22),
    ("MK", "sq", 9),
    ("XK", "sq", 17),
    ("BA", "bs", 14),
    ("ME", "sr-latn", 4),
    (None, "ar", 5),
    (None, "ps", 1),
]
MONTHS = 6


@transaction.atomic
def demo_selfcheck_uses(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if SelfCheckUse.objects.exists():
        return {"lines": ["Self-check counts exist already."]}
    participants = {p.code: p for p in Participant.objects.all()}
    month = month_of(timezone.localdate())
    made = 0
    for back in range(MONTHS):
        for code, language, count in USES:
            if code is not None and code not in participants:
                continue
            # Vary the months a little, never below 1, so the series are not flat.
            monthly = max(1, count - (back * count) // 10) if count >= 5 else count
            if count < 5 and back:  # small counts in one month only: under 5 for the year
                continue
            selfcheck_use_record(
                language=language,
                participant=participants.get(code) if code else None,
                count=monthly,
                month=month,
            )
            made += monthly
        month = month_of(month - datetime.timedelta(days=1))
    return {
        "lines": [
            f"Self-check: {made} completed checks over {MONTHS} months in counts per language and "
            "participant; rs.coordinator and hub.analyst see them at /prevention/self-check-uses/."
        ]
    }

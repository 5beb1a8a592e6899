"""Legal holds: a case that must not be purged while proceedings or a request need it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.core.scoping import require_operator
from veza.privacy.models import LegalHold

__all__ = ["legal_hold_lift", "legal_hold_place"]


@transaction.atomic
def legal_hold_place(*, actor, case, reason: str, until: dt.date | None = None) -> LegalHold:
    """Keep the case (and everything linked to it) out of the retention purge."""
    # Holds are placed on the command line by the instance's operator, on the written request
    # of the authority or the data protection officer.
    require_operator(actor)
    placed_by = actor
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(fields={"reason": [_("Say why the case is held.")]})
    if len(reason) > 300:
        raise ValidationError(fields={"reason": [_("Keep the reason under 300 characters.")]})
    if until is not None and until < timezone.localdate():
        raise ValidationError(fields={"until": [_("The end of the hold is in the past.")]})
    hold = LegalHold.objects.create(case=case, reason=reason, until=until, placed_by=placed_by)
    audit_log(
        "retention.hold_place",
        actor=actor,
        obj=hold,
        organisation_id=case.organisation_id,
        detail={"case": case.pk, "until": until.isoformat() if until else None},
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, actor, case) -> int:
    """Lift every hold in force on the case; returns how many were lifted."""
    require_operator(actor)
    lifted_by = actor
    holds = list(LegalHold.objects.select_for_update().filter(case=case, lifted_at__isnull=True))
    now = timezone.now()
    for hold in holds:
        hold.lifted_at = now
        hold.lifted_by = lifted_by
        hold.save(update_fields=["lifted_at", "lifted_by"])
        audit_log(
            "retention.hold_lift",
            actor=actor,
            obj=hold,
            organisation_id=case.organisation_id,
            detail={"case": case.pk},
        )
    return len(holds)

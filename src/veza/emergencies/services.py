"""Emergency mode as the coordinator's pages use it: the organisations app's services (the state,
its validation and audit entry), and a notice to everyone who works in the area, in the same
transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from veza.organisations.models import EmergencyArea, Participant
from veza.organisations.services import emergency_end, emergency_start
from veza.referrals.services import notify

__all__ = ["area_end", "area_start"]


def _members(area: EmergencyArea):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation__in=area.organisations.all(),
        )
        .distinct()
    )


@transaction.atomic
def area_start(
    *, actor, participant: Participant, name: str, organisation_ids, note: str = ""
) -> EmergencyArea:
    """Switch the area into emergency mode and tell the people who work there."""
    area = emergency_start(
        actor=actor,
        participant=participant,
        name=name,
        organisation_ids=organisation_ids,
        note=note,
    )
    notify(_members(area), "emergency.started")
    return area


@transaction.atomic
def area_end(*, actor, area: EmergencyArea) -> EmergencyArea:
    """End emergency mode for the area and tell the people who work there."""
    area = emergency_end(actor=actor, area=area)
    notify(_members(area), "emergency.ended")
    return area

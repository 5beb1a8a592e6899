"""A demo area in emergency mode: a mass arrival at Serbia's northern border, switched on ten hours
ago, with the quick screens the police recorded since (invented, like all demo data)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from veza.core.errors import PermissionDeniedError
from veza.indicators.services import content_bundle
from veza.organisations.models import EmergencyArea, Organisation, Participant
from veza.organisations.services import emergency_start
from veza.screening.choices import Origin
from veza.screening.demo import VIGNETTES, answers_for
from veza.screening.models import Screening
from veza.screening.services import screening_complete, screening_save, screening_start

__all__ = ["demo_emergency"]

AREA = "Northern border and Subotica reception point (demo)"
#: The demo organisations of Serbia working in the area (keys of organisations.demo).
SECTORS = ("border_asylum_reception", "cso_outreach", "police")
HOURS_AGO = 10
SCREENINGS = 16


@transaction.atomic
def demo_emergency(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if EmergencyArea.objects.filter(is_demo=True).exists():
        return {"lines": ["The demo emergency area exists already."]}
    participant = Participant.objects.get(code="RS")
    organisations = {
        o.sector: o
        for o in Organisation.objects.filter(
            participant=participant, is_demo=True, sector__in=SECTORS
        )
    }
    if not organisations:
        return {"lines": ["No demo organisations of RS: no demo emergency area."]}
    area = emergency_start(
        actor="demo",
        participant=participant,
        name=AREA,
        organisation_ids=[o.pk for o in organisations.values()],
        note="Demo: about 300 people arrived overnight from across the border.",
    )
    started = timezone.now() - timedelta(hours=HOURS_AGO)
    EmergencyArea.objects.filter(pk=area.pk).update(started_at=started, is_demo=True)
    made = _quick_screens(organisations.get("police"), started)
    return {
        "lines": [
            f"Emergency mode: '{AREA}' ({len(organisations)} organisations of RS) with "
            f"{made} quick screens; rs.coordinator sees the live count at /emergencies/."
        ]
    }


def _quick_screens(police, started) -> int:
    """Quick screens by the police officer, spread over the hours since the start."""
    user = get_user_model().objects.filter(username="rs.police").first()
    if police is None or user is None:
        return 0
    questionnaire = content_bundle(police.participant).parse_questionnaire
    step = timedelta(hours=HOURS_AGO) / (SCREENINGS + 1)
    for number in range(SCREENINGS):
        _name, age, forms, indicators, urgent = VIGNETTES[number % len(VIGNETTES)]
        screening = screening_start(
            actor=user, organisation=police, questionnaire_code="quick", origin=Origin.DEMO
        )
        answers = answers_for(
            questionnaire(screening.questionnaire), age, forms, indicators, urgent
        )
        screening = screening_save(
            actor=user, screening=screening, answers=answers, expected_version=screening.version
        )
        at = started + step * (number + 1)
        done = None
        if number < SCREENINGS - 2:  # the last two are still being filled in
            screening_complete(actor=user, screening=screening, expected_version=screening.version)
            done = at + timedelta(minutes=12)
        Screening.objects.filter(pk=screening.pk).update(
            is_demo=True, created_at=at, updated_at=done or at, completed_at=done
        )
    return SCREENINGS

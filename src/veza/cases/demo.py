"""Demo cases: opened from the demo screenings that found a potential or presumed victim, with
consent, some identities (invented names), and formal decisions by the identification bodies."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from veza.cases.models import Case
from veza.cases.services import case_open, consent_record, decision_record, identity_write
from veza.organisations.models import Membership
from veza.screening.models import Screening

__all__ = ["demo_cases"]

# Invented names, for the demonstration only.
NAMES = [
    ("Arta", "Demolli"),
    ("Mira", "Primerović"),
    ("Elira", "Shembulli"),
    ("Jovana", "Testić"),
    ("Ana", "Ogledova"),
    ("Selma", "Uzorković"),
    ("Nadia", "Example"),
    ("Dren", "Provaj"),
]


def demo_cases(*, progress=None) -> dict:
    if Case.objects.filter(is_demo=True).exists():
        return {"lines": ["Demo cases exist already."]}
    User = get_user_model()
    screenings = (
        Screening.objects.filter(is_demo=True, outcome__in=["potential_victim", "presumed_victim"])
        .select_related("organisation__participant", "created_by")
        .order_by("participant__code", "id")
    )
    made = 0
    participants = sorted({s.participant.code for s in screenings})
    for number, code in enumerate(participants, start=1):
        officer = (
            Membership.objects.live()
            .filter(
                role__code="identification_officer",
                organisation__participant__code=code,
                user__is_demo=True,
            )
            .select_related("user", "organisation")
            .first()
        )
        for index, screening in enumerate(s for s in screenings if s.participant.code == code):
            actor = User.objects.get(pk=screening.created_by_id)
            if not actor.has_perm("cases.add_case", screening.organisation):
                continue
            case = case_open(
                actor=actor,
                organisation=screening.organisation,
                screening=screening,
                sex="female" if index % 3 else "male",
                citizenship=code if index % 2 else "SY",
            )
            consent_record(
                actor=actor,
                case=case,
                purpose="assistance",
                information_version="info-2026-1",
                given_by="guardian" if case.is_child else "person",
                child_views="Wants to be with her older sister." if case.is_child else "",
            )
            if actor.has_perm("cases.change_identity", case):
                given, family = NAMES[(index + number) % len(NAMES)]
                identity_write(
                    actor=actor,
                    case=case,
                    given_names=given,
                    family_name=family,
                    languages=["Arabic"] if case.citizenship == "SY" else [code.lower()],
                )
            if officer is not None and screening.outcome == "presumed_victim":
                decision_record(
                    actor=officer.user,
                    case=case,
                    status="Actual",
                    organisation=officer.organisation,
                    decided_on=timezone.localdate(),
                )
            Case.objects.filter(pk=case.pk).update(is_demo=True)
            made += 1
        if progress:
            progress(number, len(participants), code)
    return {"lines": [f"Demo cases: {made}, with consent, identities and decisions."]}

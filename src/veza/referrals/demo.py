"""Demo services and referrals: every organisation publishes what it offers; the demo cases are
referred on, with referrals in every state and deadlines due soon and overdue."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from veza.cases.models import Case
from veza.cases.services import consent_record
from veza.core.audit import audit_log
from veza.organisations.models import Membership, Organisation
from veza.referrals.models import Deadline, Referral, Service
from veza.referrals.services import (
    referral_accept,
    referral_complete,
    referral_decide,
    referral_decline,
    referral_send,
    referral_start,
    referral_withdraw,
    service_save,
)

__all__ = ["demo_referrals"]

# Which service each kind of demo organisation offers, with its capacity and languages.
OFFERS = {
    "shelter_protection": ("shelter", ["women", "children"], 12, 3, True),
    "health": ("health", ["women", "men", "children"], None, None, True),
    "identification_body": ("identification", [], None, None, True),
    "social_welfare": ("mhpss", ["children", "unaccompanied_children"], 20, 6, False),
    "cso_outreach": ("legal_aid", ["women", "men", "lgbti"], None, None, False),
    "employment_services": ("employment", ["women", "men"], None, None, False),
    "interpreter_service": ("interpretation", ["women", "men", "children"], None, None, True),
}
LANGUAGES = {
    "AL": "Albanian",
    "BA": "Bosnian",
    "XK": "Albanian",
    "ME": "Montenegrin",
    "MK": "Macedonian",
    "RS": "Serbian",
}


def _member(org, role):
    membership = Membership.objects.live().filter(organisation=org, role__code=role).first()
    return get_user_model().objects.get(pk=membership.user_id) if membership else None


def demo_referrals(*, progress=None) -> dict:
    if Referral.objects.filter(is_demo=True).exists():
        return {"lines": ["Demo referrals exist already."]}
    services = 0
    for org in Organisation.objects.filter(is_demo=True).select_related("participant"):
        offer = OFFERS.get(org.sector)
        provider = (
            _member(org, "service_provider")
            or _member(org, "case_manager")
            or _member(org, "identification_officer")
        )
        if offer is None:
            continue
        kind, groups, total, free, emergency = offer
        values = {
            "service_type": kind,
            "target_groups": groups,
            "languages": [LANGUAGES.get(org.participant.code, "English"), "English"],
            "area": org.city,
            "opening_hours": "Mon-Fri 8-16" if not emergency else "24/7",
            "emergency": emergency,
            "capacity_total": total,
            "capacity_free": free,
            "description": "Demo service.",
        }
        if provider is not None and provider.has_perm("referrals.change_service", org):
            service_save(actor=provider, organisation=org, **values)
        else:
            # No member of this demo organisation maintains the directory: seed it directly.
            service = Service.objects.create(
                organisation=org, capacity_updated_at=timezone.now(), **values
            )
            audit_log(
                "service.create",
                actor="demo",
                obj=service,
                organisation_id=org.pk,
                detail={"service_type": kind},
            )
        services += 1
    referrals = 0
    states: dict[str, int] = {}
    cases = Case.objects.filter(is_demo=True).select_related("organisation", "participant")
    codes = sorted({c.participant.code for c in cases})
    counter = 0
    for number, code in enumerate(codes, start=1):
        for case in (c for c in cases if c.participant.code == code):
            index = counter
            counter += 1
            actor = (
                _member(case.organisation, "case_manager")
                or _member(case.organisation, "frontline_professional")
                or _member(case.organisation, "police")
            )
            if actor is None:
                actor = get_user_model().objects.get(pk=case.created_by_id)
            if not actor.has_perm("referrals.add_referral", case.organisation):
                continue
            targets = [
                s
                for s in Service.objects.filter(organisation__participant=case.participant)
                .exclude(organisation=case.organisation)
                .select_related("organisation")
                if s.service_type in ("shelter", "identification", "mhpss", "legal_aid")
            ]
            if not targets:
                continue
            service = targets[index % len(targets)]
            consent_record(
                actor=actor,
                case=case,
                purpose="referral",
                recipient=service.organisation,
                information_version="info-2026-1",
                given_by="guardian" if case.is_child else "person",
                child_views="Agrees to go." if case.is_child else "",
            )
            referral = referral_send(
                actor=actor,
                case=case,
                service=service,
                reason="Needs protection and support (demo).",
                urgency=("immediate", "urgent", "routine")[index % 3],
            )
            responder = (
                _member(service.organisation, "service_provider")
                or _member(service.organisation, "identification_officer")
                or _member(service.organisation, "case_manager")
            )
            step = index % 6
            if responder is not None and step >= 1:
                if step == 2:
                    referral_decline(
                        actor=responder, referral=referral, reason="No free place this week (demo)."
                    )
                else:
                    referral_accept(actor=responder, referral=referral)
                    if step >= 3 and service.service_type == "identification":
                        referral_decide(
                            actor=responder,
                            referral=referral,
                            status="Actual",
                            decided_on=timezone.localdate(),
                        )
                    if step >= 3:
                        referral_start(actor=responder, referral=referral)
                    if step == 4:
                        referral_complete(actor=responder, referral=referral)
            if step == 5:
                referral_withdraw(actor=actor, referral=referral)
            if step == 0 and index % 2 == 0:
                # An unanswered referral whose first-contact deadline has passed.
                Deadline.objects.filter(referral=referral).update(
                    due_at=timezone.now() - timedelta(hours=6)
                )
            Referral.objects.filter(pk=referral.pk).update(is_demo=True)
            referral.refresh_from_db()
            states[referral.status] = states.get(referral.status, 0) + 1
            referrals += 1
        if progress:
            progress(number, len(codes), code)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    return {"lines": [f"Demo services: {services}; referrals: {referrals} ({summary})."]}

"""Reads of the referrals app, starting from what the user may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from veza.core.scoping import access_by_id, require_perm
from veza.indicators.choices import Outcome, UrgentFlag
from veza.organisations.models import emergency_for_any
from veza.organisations.scope import user_scope
from veza.referrals.models import Deadline, Referral, Service
from veza.screening.choices import ScreeningStatus
from veza.screening.models import Screening

__all__ = ["directory_search", "referral_get_visible", "screenings_to_act", "worklist"]

#: Outcomes that call for a case and a referral.
TO_ACT_OUTCOMES = (Outcome.POTENTIAL_VICTIM, Outcome.PRESUMED_VICTIM)


def directory_search(
    *, user, service_type=None, target_group=None, language=None, free_places=False, emergency=False
) -> QuerySet[Service]:
    require_perm(user, "referrals.view_service")
    qs = Service.objects.visible_to(user).filter(is_active=True, organisation__is_active=True)
    if service_type:
        qs = qs.filter(service_type=service_type)
    if free_places:
        qs = qs.filter(capacity_free__gt=0)
    if emergency:
        qs = qs.filter(emergency=True)
    services = list(qs.select_related("organisation__participant"))
    # JSON lists are filtered here so that SQLite and PostgreSQL behave the same.
    if target_group:
        services = [s for s in services if target_group in s.target_groups]
    if language:
        wanted = language.strip().casefold()
        services = [s for s in services if any(wanted in x.casefold() for x in s.languages)]
    return services


def referral_get_visible(*, user, pk) -> Referral:
    return access_by_id(Referral, user, pk, perm="referrals.view_referral")


def worklist(*, user) -> dict:
    """What is waiting for the user: the six lists of the worklist page, and the emergency area
    one of the user's organisations is in (None when there is none)."""
    from veza.cases.models import Case

    scope = user_scope(user)
    mine = scope.organisations_with("referrals.view_referral") | scope.organisations_with(
        "cases.view_case"
    )
    coordinator_of = scope.participants_with("cases.view_participant_cases")
    now = timezone.now()
    referrals = Referral.objects.visible_to(user).select_related(
        "case", "from_organisation", "to_organisation", "service"
    )
    # The open deadlines of the user's organisations and of their cases (and, for a coordinator,
    # of every case of the participant). A coordinator's cases are most of the participant's, so
    # the open deadlines are joined to their cases; an organisation's own cases are few, so they
    # are looked up first (measured at 100,000 cases: 47 → 14 ms, bench/README.md "Load").
    if coordinator_of:
        scoped = (
            Q(organisation_id__in=mine)
            | Q(case__organisation_id__in=mine)
            | Q(case__participant_id__in=coordinator_of)
        )
    else:
        own_cases = Case.objects.filter(organisation_id__in=mine).values("id")
        scoped = Q(organisation_id__in=mine) | Q(case_id__in=own_cases)
    deadlines = (
        Deadline.objects.filter(done_at__isnull=True)
        .filter(scoped)
        .select_related("case", "organisation", "referral")
    )
    return {
        "to_act": screenings_to_act(user=user),
        "emergency": emergency_for_any(list(scope.perms_by_organisation)),
        "my_cases": Case.objects.visible_to(user)
        .filter(organisation_id__in=mine)
        .exclude(case_status__in=["Closed", "ClosedReferred"])
        .order_by("-updated_at")[:20],
        "waiting_for_me": referrals.filter(to_organisation_id__in=mine, status="sent"),
        "awaiting_answer": referrals.filter(from_organisation_id__in=mine, status="sent"),
        "due_soon": deadlines.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=48)),
        "overdue": deadlines.filter(due_at__lte=now),
    }


def screenings_to_act(*, user, limit: int = 20) -> list[Screening]:
    """Completed screenings of the user's organisations that raised an urgent flag or found a
    potential or presumed victim, and that no case follows yet: those with urgent flags first,
    then the newest. Two queries, whatever the number of screenings."""
    organisations = user_scope(user).organisations_with("screening.view_screening")
    if not organisations:
        return []
    from veza.cases.models import Case

    # "No case follows it" as NOT EXISTS: read newest first along the index of completed
    # screenings, each looked up in the link table, until twenty are found.
    followed = Case.screenings.through.objects.filter(screening_id=OuterRef("pk"))
    waiting = (
        Screening.objects.visible_to(user)
        .filter(organisation_id__in=organisations, status=ScreeningStatus.COMPLETED)
        .filter(~Exists(followed))
        .defer("answers", "result", "present")
        .order_by("-completed_at", "-id")
    )
    # An empty list is stored as the JSON value [] by SQLite and PostgreSQL alike.
    urgent = list(waiting.exclude(urgent=[])[:limit])
    rest = (
        list(waiting.filter(urgent=[], outcome__in=TO_ACT_OUTCOMES)[: limit - len(urgent)])
        if len(urgent) < limit
        else []
    )
    labels = dict(UrgentFlag.choices)
    for screening in urgent + rest:
        screening.urgent_labels = [str(labels.get(flag, flag)) for flag in screening.urgent]
    return urgent + rest

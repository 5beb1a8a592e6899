"""Reads of the referrals app, starting from what the user may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from veza.core.scoping import access_by_id, require_perm
from veza.organisations.scope import user_scope
from veza.referrals.models import Deadline, Referral, Service

__all__ = ["directory_search", "referral_get_visible", "worklist"]


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
    """What is waiting for the user: the five lists of the worklist page."""
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
    deadlines = (
        Deadline.objects.filter(done_at__isnull=True)
        .filter(
            Q(organisation_id__in=mine)
            | Q(case__organisation_id__in=mine)
            | Q(case__participant_id__in=coordinator_of)
        )
        .select_related("case", "organisation", "referral")
    )
    return {
        "my_cases": Case.objects.visible_to(user)
        .filter(organisation_id__in=mine)
        .exclude(case_status__in=["Closed", "ClosedReferred"])
        .order_by("-updated_at")[:20],
        "waiting_for_me": referrals.filter(to_organisation_id__in=mine, status="sent"),
        "awaiting_answer": referrals.filter(from_organisation_id__in=mine, status="sent"),
        "due_soon": deadlines.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=48)),
        "overdue": deadlines.filter(due_at__lte=now),
    }

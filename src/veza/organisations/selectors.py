"""Reads of the organisations app, always starting from what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from veza.core.scoping import access_by_id, require_perm
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Membership, Organisation, Participant
from veza.organisations.scope import user_scope

__all__ = [
    "aggregate_participants",
    "membership_list_for_user",
    "organisation_get_visible",
    "organisation_list_visible",
]


def organisation_list_visible(
    *, user, participant: str | None = None, sector: str | None = None, q: str | None = None
) -> QuerySet[Organisation]:
    require_perm(user, "organisations.view_organisation")
    qs = Organisation.objects.visible_to(user).select_related("participant")
    if participant:
        qs = qs.filter(participant__code=participant)
    if sector:
        qs = qs.filter(sector=sector)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(city__icontains=q))
    return qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    ).order_by("participant__code", "name")


def aggregate_participants(user, perm: str) -> tuple[list[Participant], bool]:
    """The national participants whose aggregate, non-personal figures the user reads with
    `perm` — every one for a regional role, else those where the user holds it — and whether the
    user is regional. None (and not regional) without the permission."""
    scope = user_scope(user)
    held = scope.participants_with(perm)
    if not held:
        return [], False
    national = Participant.objects.filter(kind=ParticipantKind.NATIONAL).order_by("code")
    if scope.sees_all_participants:
        return list(national), True
    return list(national.filter(pk__in=held)), False


def organisation_get_visible(*, user, pk) -> Organisation:
    return access_by_id(Organisation, user, pk, perm="organisations.view_organisation")


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.live()
        .filter(user=user)
        .select_related("organisation__participant", "role")
        .order_by("organisation__name")
    )

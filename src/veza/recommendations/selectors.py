"""Reads of recommendations and action plans, always starting from the participants where the
user holds the permission. Recommendations and plans belong to national participants; the
regional centre holds none, and a regional role sees only counts (see `coverage.comparison`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope
from veza.recommendations.models import (
    Measure,
    ProgressReport,
    Recommendation,
    Source,
    Strategy,
)

__all__ = [
    "VIEW",
    "has_national_scope",
    "measures_visible",
    "national_participants",
    "participants_for",
    "recommendation_filter",
    "recommendations_visible",
    "reports_visible",
    "sources_visible",
    "strategies_visible",
]

VIEW = "recommendations.view_recommendation"


def national_participants(user, perm: str = VIEW) -> frozenset[int]:
    """The national participants where the user holds `perm` (the regional centre has no
    recommendations of its own)."""
    ids = user_scope(user).participants_with(perm)
    if not ids:
        return frozenset()
    # Asked up to eight times a request (each visible-to and the page's own checks): one query
    # per set of participants, kept on the user beside its scope (see organisations.scope).
    known = user.__dict__.setdefault("_veza_national_participants", {})
    key = frozenset(ids)
    if key not in known:
        known[key] = frozenset(
            Participant.objects.filter(pk__in=ids, kind=ParticipantKind.NATIONAL).values_list(
                "pk", flat=True
            )
        )
    return known[key]


def has_national_scope(user, perm: str = VIEW) -> bool:
    return bool(national_participants(user, perm))


def participants_for(user, perm: str = VIEW) -> QuerySet:
    return Participant.objects.filter(pk__in=national_participants(user, perm)).order_by("code")


def sources_visible(user) -> QuerySet:
    """Sources are public documents shared by every participant: anyone who may read
    recommendations reads them."""
    if not user.has_perm("recommendations.view_source") and not user.has_perm(VIEW):
        return Source.objects.none()
    return Source.objects.all()


def recommendations_visible(user, perm: str = VIEW) -> QuerySet:
    return Recommendation.objects.filter(
        participant_id__in=national_participants(user, perm)
    ).select_related("participant", "source")


def strategies_visible(user, perm: str = "recommendations.view_strategy") -> QuerySet:
    return Strategy.objects.filter(
        participant_id__in=national_participants(user, perm)
    ).select_related("participant")


def measures_visible(user, perm: str = "recommendations.view_measure") -> QuerySet:
    return Measure.objects.filter(
        objective__strategy__participant_id__in=national_participants(user, perm)
    ).select_related("objective", "objective__strategy", "objective__strategy__participant")


def reports_visible(user, perm: str = "recommendations.view_progressreport") -> QuerySet:
    return ProgressReport.objects.filter(
        measure__objective__strategy__participant_id__in=national_participants(user, perm)
    ).select_related("measure", "author")


def recommendation_filter(
    queryset: QuerySet,
    *,
    participant: str = "",
    theme: str = "",
    topic: str = "",
    source: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet:
    """The list's filters. `status` is "answered" or "unanswered" (see coverage.answered_ids)."""
    from veza.recommendations.coverage import answered_ids

    if participant:
        queryset = queryset.filter(participant__code=participant.upper())
    if theme:
        queryset = queryset.filter(theme=theme)
    if source and str(source).isdigit():
        queryset = queryset.filter(source_id=int(source))
    if q:
        queryset = queryset.filter(Q(text__icontains=q) | Q(reference__icontains=q))
    if topic:
        # Topics are a short JSON list; filtered here so that SQLite and PostgreSQL agree.
        ids = [pk for pk, topics in queryset.values_list("pk", "topics") if topic in (topics or [])]
        queryset = queryset.filter(pk__in=ids)
    if status in ("answered", "unanswered"):
        participants = set(queryset.values_list("participant_id", flat=True))
        answered = answered_ids(participants)
        queryset = (
            queryset.filter(pk__in=answered)
            if status == "answered"
            else queryset.exclude(pk__in=answered)
        )
    return queryset

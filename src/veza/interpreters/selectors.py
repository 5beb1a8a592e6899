"""Reads of the interpreter pool: the candidates for a request, built from the database for the
pure matching engine, and the usage figures for the coordinator."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from veza.interpreters import matching
from veza.interpreters.models import (
    HOLDING,
    Availability,
    Booking,
    BookingStatus,
    Feedback,
    Interpreter,
    InterpreterRequest,
    Skill,
)

__all__ = ["candidates_for", "concerns", "suggest", "usage", "visible_requests"]


def _point(lat, lon):
    return (lat, lon) if lat is not None and lon is not None else None


def candidates_for(request: InterpreterRequest) -> list[matching.Candidate]:
    """Every active interpreter of the joint pool (all participants: remote work crosses
    borders) who speaks one of the person's languages, with their availability and bookings
    around the request's day; the engine decides."""
    ids = list(
        Skill.objects.filter(
            language__in=request.languages, interpreter__is_active=True
        ).values_list("interpreter_id", flat=True)
    )
    interpreters = (
        Interpreter.objects.filter(pk__in=ids)
        .select_related("participant")
        .prefetch_related("skills")
    )
    day_start, day_end = request.start - timedelta(days=1), request.end + timedelta(days=1)
    windows, busy = defaultdict(list), defaultdict(list)
    for interpreter_id, start, end in Availability.objects.filter(
        interpreter_id__in=ids, start__lt=day_end, end__gt=day_start
    ).values_list("interpreter_id", "start", "end"):
        windows[interpreter_id].append((start, end))
    for interpreter_id, start, end in Booking.objects.filter(
        interpreter_id__in=ids, status__in=HOLDING, start__lt=day_end, end__gt=day_start
    ).values_list("interpreter_id", "start", "end"):
        busy[interpreter_id].append((start, end))
    settings_done = defaultdict(dict)
    for row in (
        Booking.objects.filter(interpreter_id__in=ids, status=BookingStatus.DONE)
        .values("interpreter_id", "request__setting")
        .annotate(n=Count("pk"))
    ):
        settings_done[row["interpreter_id"]][row["request__setting"]] = row["n"]
    since = timezone.now() - timedelta(days=90)
    hours = defaultdict(float)
    for interpreter_id, start, end in Booking.objects.filter(
        interpreter_id__in=ids,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.DONE],
        start__gte=since,
    ).values_list("interpreter_id", "start", "end"):
        hours[interpreter_id] += (end - start).total_seconds() / 3600
    feedback = dict(
        Feedback.objects.filter(
            booking__interpreter_id__in=ids, by_interpreter=False, quality__isnull=False
        )
        .values("booking__interpreter_id")
        .annotate(q=Avg("quality"))
        .values_list("booking__interpreter_id", "q")
    )
    return [
        matching.Candidate(
            id=i.pk,
            gender=i.gender,
            skills=tuple(
                matching.Skill(s.language, s.proficiency, frozenset(s.dialects or []))
                for s in i.skills.all()
            ),
            target_languages=frozenset(i.target_languages or []),
            participant=i.participant.code,
            location=_point(i.latitude, i.longitude),
            remote=i.remote,
            on_site=i.on_site,
            vetted_until=i.vetted_until if i.vetting == "valid" else None,
            confidentiality_signed=i.confidentiality_signed is not None,
            conflicts=frozenset(str(c).lower() for c in i.conflicts or []),
            available=tuple(sorted(windows[i.pk])),
            busy=tuple(sorted(busy[i.pk])),
            settings_done=settings_done[i.pk],
            trafficking_trained=i.trafficking_training is not None,
            trauma_trained=i.trauma_training is not None,
            recent_hours=hours[i.pk],
            feedback=(feedback[i.pk] - 1) / 4 if i.pk in feedback else None,
            travel_km_max=i.travel_km_max,
        )
        for i in interpreters
    ]


def engine_request(request: InterpreterRequest) -> matching.Request:
    return matching.Request(
        languages=tuple(request.languages),
        target_language=request.target_language,
        start=request.start,
        end=request.end,
        remote=request.remote,
        location=_point(request.latitude, request.longitude),
        participant=request.participant.code,
        dialect=request.dialect,
        gender_required=request.gender_required,
        gender_preferred=request.gender_preferred,
        setting=request.setting,
        avoid=frozenset(request.avoid or []),
        urgent=request.urgent,
        min_proficiency=request.min_proficiency,
        trafficking_setting=request.trafficking_related,
    )


def suggest(request: InterpreterRequest, *, limit: int = 10):
    """The ranked interpreters (with the model objects) and the excluded ones with the reason."""
    candidates = candidates_for(request)
    result = matching.match(
        engine_request(request), candidates, today=timezone.localdate(), limit=limit
    )
    by_id = Interpreter.objects.in_bulk(
        [r.candidate_id for r in result.ranked] + [e.candidate_id for e in result.excluded]
    )
    ranked = [(by_id[r.candidate_id], r) for r in result.ranked]
    excluded = [(by_id[e.candidate_id], e) for e in result.excluded]
    return ranked, excluded


def usage(participant_ids) -> dict:
    """Requests and bookings per language, setting and participant; the languages asked for that
    no active interpreter of that participant speaks (unmet demand)."""
    requests = InterpreterRequest.objects.filter(participant_id__in=participant_ids)
    per_language = defaultdict(lambda: {"requests": 0, "booked": 0})
    unmet = defaultdict(int)
    spoken = defaultdict(set)
    for participant_id, language in Skill.objects.filter(
        interpreter__is_active=True, interpreter__participant_id__in=participant_ids
    ).values_list("interpreter__participant_id", "language"):
        spoken[participant_id].add(language)
    for participant_id, languages, status in requests.values_list(
        "participant_id", "languages", "status"
    ):
        for language in languages:
            per_language[language]["requests"] += 1
            if status in ("booked", "done"):
                per_language[language]["booked"] += 1
        if not set(languages) & spoken[participant_id]:
            for language in languages:
                unmet[language] += 1
    per_setting = list(
        requests.values("setting")
        .annotate(
            requests=Count("pk"),
            booked=Count("pk", filter=Q(status__in=["booked", "done"])),
        )
        .order_by("-requests")
    )
    per_participant = list(
        requests.values("participant__code")
        .annotate(requests=Count("pk"), booked=Count("pk", filter=Q(status__in=["booked", "done"])))
        .order_by("participant__code")
    )
    bookings = Booking.objects.filter(request__participant_id__in=participant_ids)
    return {
        "per_language": sorted(per_language.items(), key=lambda kv: -kv[1]["requests"]),
        "per_setting": per_setting,
        "per_participant": per_participant,
        "unmet": sorted(unmet.items(), key=lambda kv: -kv[1]),
        "no_shows": bookings.filter(status=BookingStatus.NO_SHOW).count(),
        "cancelled": bookings.filter(status=BookingStatus.CANCELLED).count(),
        "concerns": Feedback.objects.filter(booking__request__participant_id__in=participant_ids)
        .filter(Q(confidentiality_concern=True) | Q(safety_concern=True) | Q(distress=True))
        .count(),
    }


def concerns(participant_ids, *, limit: int = 20) -> list[Feedback]:
    """The latest feedback that raised a concern (confidentiality, safety, distress), for the
    coordinator to follow up."""
    return list(
        Feedback.objects.filter(booking__request__participant_id__in=participant_ids)
        .filter(Q(confidentiality_concern=True) | Q(safety_concern=True) | Q(distress=True))
        .select_related("booking__interpreter", "booking__request")
        .order_by("-created_at")[:limit]
    )


def visible_requests(user):
    """Requests of the user's organisations, and of the participants whose pool they coordinate."""
    from veza.organisations.scope import user_scope

    scope = user_scope(user)
    return InterpreterRequest.objects.filter(
        Q(organisation_id__in=scope.organisations_with("interpreters.view_interpreterrequest"))
        | Q(participant_id__in=scope.participants_with("interpreters.coordinate_pool"))
    ).select_related("organisation", "participant")

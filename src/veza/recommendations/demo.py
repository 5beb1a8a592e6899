"""Demo recommendations for every participant and action plans for RS and MK (invented, marked
as demo content, see `demo_content.py`). Running it again adds what is missing and changes
nothing else."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError
from veza.organisations.models import Participant
from veza.organisations.services import national_participant_codes
from veza.recommendations.choices import LinkKind
from veza.recommendations.demo_content import PARTICIPANTS, PLANS, POOL, SOURCES
from veza.recommendations.models import (
    Measure,
    Objective,
    ProgressReport,
    Recommendation,
    RecommendationLink,
    Source,
    Strategy,
)

__all__ = ["demo_recommendations", "half_years"]


def half_years(today: datetime.date, count: int) -> list[tuple[str, datetime.date]]:
    """The last `count` half-years that ended before today, newest first: ("2026 H1", end)."""
    result = []
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    while len(result) < count:
        end = datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)
        result.append((f"{year} H{half}", end))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return result


def _source(key: str, participant: Participant, year: int) -> Source:
    body, title, round_or_year = SOURCES[key]
    source, _created = Source.objects.get_or_create(
        body=body,
        title=title.format(name=participant.name),
        round_or_year=round_or_year.format(year=year),
        defaults={"is_demo": True, "published": datetime.date(year, 6, 30)},
    )
    return source


def _recommendations(participant: Participant) -> tuple[dict, int]:
    made = {}
    created = 0
    for key, year, reference, pool, priority, repeats in PARTICIPANTS[participant.code]:
        theme, topics, text = POOL[pool]
        recommendation, new = Recommendation.objects.get_or_create(
            participant=participant,
            source=_source(key, participant, year),
            reference=reference,
            defaults={
                "year": year,
                "text": text,
                "theme": theme,
                "topics": topics,
                "priority": priority,
                "is_demo": True,
            },
        )
        created += int(new)
        made[(key, reference)] = recommendation
        for earlier_key in repeats:
            RecommendationLink.objects.get_or_create(
                recommendation=recommendation,
                earlier=made[earlier_key],
                defaults={"kind": LinkKind.REPEATS},
            )
    return made, created


def _plan(participant: Participant, made: dict, today: datetime.date) -> bool:
    title, start, end, context, objectives, measures = PLANS[participant.code]
    strategy, created = Strategy.objects.get_or_create(
        participant=participant,
        title=title,
        defaults={"period_start": start, "period_end": end, "context": context, "is_demo": True},
    )
    if not created:
        return False
    by_theme = {}
    for order, (theme, text) in enumerate(objectives, start=1):
        by_theme[theme] = Objective.objects.create(
            strategy=strategy, theme=theme, text=text, order=order
        )
    periods = half_years(today, 3)
    for (
        theme,
        name,
        responsible,
        partners,
        days,
        budget,
        currency,
        funding,
        output,
        outcome,
        baseline,
        target,
        answers,
        reports,
    ) in measures:
        measure = Measure.objects.create(
            objective=by_theme[theme],
            title=name,
            responsible=responsible,
            partners=partners,
            deadline=today + datetime.timedelta(days=days),
            budget=Decimal(budget) if budget else None,
            currency=currency,
            funding_source=funding,
            output_indicator=output,
            outcome_indicator=outcome,
            baseline=baseline,
            target=target,
            is_demo=True,
        )
        measure.recommendations.set([made[a] for a in answers if a in made])
        for ago, status, value, evidence in reports:
            label, period_end = periods[ago - 1]
            ProgressReport.objects.create(
                measure=measure,
                period=label,
                period_end=period_end,
                status=status,
                indicator_value=value,
                evidence=evidence,
            )
    return True


@transaction.atomic
def demo_recommendations(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    today = timezone.localdate()
    codes = national_participant_codes()
    created = plans = 0
    for index, code in enumerate(codes, start=1):
        participant = Participant.objects.get(code=code)
        if code not in PARTICIPANTS:
            continue
        made, new = _recommendations(participant)
        created += new
        if code in PLANS:
            plans += int(_plan(participant, made, today))
        if progress:
            progress(index, len(codes), code)
    if created or plans:
        audit_log(
            "demo.recommendations", actor="system", detail={"created": created, "plans": plans}
        )
    return {
        "lines": [
            f"Recommendations: {created} new demo recommendation(s), {plans} new action plan(s) "
            "(RS, MK); rs.policy imports src/veza/data/recommendations/demo-import.csv."
        ]
    }

"""Coverage of recommendations by action-plan measures: what no measure answers, what repeats
unanswered across years or sources (persistent gaps), which measures are overdue, and the same
counts side by side for several participants.

Definitions (also in docs/recommendations.md):

- a measure *answers* a recommendation when it is linked to it and its current status (its
  latest progress report) is not "cancelled";
- recommendations linked as "repeats" form a *chain* (one recommendation made again in later
  years or by other sources); a chain is *repeated* when it holds recommendations of two or more
  different years or sources, and a *persistent gap* when it is repeated and no measure answers
  any recommendation in it;
- a measure is *overdue* when its deadline has passed and its current status is neither done
  nor cancelled (no report at all counts as not started).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope
from veza.recommendations.choices import CLOSED, LinkKind, ProgressStatus, Theme
from veza.recommendations.models import (
    Measure,
    ProgressReport,
    Recommendation,
    RecommendationLink,
)

__all__ = [
    "Chain",
    "answered_ids",
    "chains",
    "comparison",
    "comparison_participants",
    "latest_reports",
    "overdue_measures",
    "recommendations_over_time",
    "status_by_theme",
    "status_over_time",
]

#: The key for a measure without any progress report yet.
NO_REPORT = "no_report"


def latest_reports(measure_ids) -> dict[int, ProgressReport]:
    """The current report of each measure: the latest by period end, then by when written."""
    latest: dict[int, ProgressReport] = {}
    for report in ProgressReport.objects.filter(measure_id__in=list(measure_ids)).order_by(
        "measure_id", "-period_end", "-created_at", "-pk"
    ):
        latest.setdefault(report.measure_id, report)
    return latest


def _measures(participant_ids):
    return Measure.objects.filter(objective__strategy__participant_id__in=list(participant_ids))


def answered_ids(participant_ids) -> set[int]:
    """Recommendations that a measure (not cancelled) answers."""
    measure_ids = list(_measures(participant_ids).values_list("pk", flat=True))
    latest = latest_reports(measure_ids)
    live = [
        pk
        for pk in measure_ids
        if pk not in latest or latest[pk].status != ProgressStatus.CANCELLED
    ]
    through = Measure.recommendations.through
    return set(
        through.objects.filter(measure_id__in=live).values_list("recommendation_id", flat=True)
    )


@dataclass
class Chain:
    """Recommendations of one participant linked as repeats, oldest first."""

    recommendations: list[Recommendation]
    answered: bool
    occurrences: int = 0  # distinct (source, year) pairs
    themes: list[str] = field(default_factory=list)

    @property
    def repeated(self) -> bool:
        return self.occurrences >= 2

    @property
    def gap(self) -> bool:
        return self.repeated and not self.answered

    @property
    def first(self) -> Recommendation:
        return self.recommendations[0]

    @property
    def latest(self) -> Recommendation:
        return self.recommendations[-1]

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.recommendations})


def chains(participant_ids, *, answered: set[int] | None = None) -> list[Chain]:
    """Every chain of two or more recommendations linked as repeats (union of the links)."""
    participant_ids = list(participant_ids)
    links = list(
        RecommendationLink.objects.filter(
            kind=LinkKind.REPEATS, recommendation__participant_id__in=participant_ids
        ).values_list("recommendation_id", "earlier_id")
    )
    if not links:
        return []
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[root_a] = root_b
    members: dict[int, list[int]] = defaultdict(list)
    for pk in list(parent):
        members[find(pk)].append(pk)
    if answered is None:
        answered = answered_ids(participant_ids)
    by_id = Recommendation.objects.select_related("source", "participant").in_bulk(list(parent))
    result = []
    for ids in members.values():
        recs = sorted(
            (by_id[i] for i in ids if i in by_id), key=lambda r: (r.year, r.source.body, r.pk)
        )
        result.append(
            Chain(
                recommendations=recs,
                answered=any(r.pk in answered for r in recs),
                occurrences=len({(r.source_id, r.year) for r in recs}),
                themes=sorted({r.theme for r in recs}),
            )
        )
    result.sort(key=lambda c: (c.first.participant.code, -len(c.recommendations), c.first.pk))
    return result


def overdue_measures(participant_ids, *, today: datetime.date) -> list[tuple[Measure, object]]:
    """(measure, current report or None) for every measure past its deadline and not closed."""
    measures = list(
        _measures(participant_ids)
        .filter(deadline__lt=today)
        .select_related("objective__strategy__participant")
        .order_by("deadline", "pk")
    )
    latest = latest_reports([m.pk for m in measures])
    return [
        (m, latest.get(m.pk))
        for m in measures
        if m.pk not in latest or latest[m.pk].status not in CLOSED
    ]


def status_by_theme(participant_ids) -> dict[str, dict[str, int]]:
    """Measures per 4P theme (of their objective) and current status."""
    measures = list(_measures(participant_ids).values_list("pk", "objective__theme"))
    latest = latest_reports([pk for pk, _t in measures])
    counts: dict[str, dict[str, int]] = {t: defaultdict(int) for t in Theme.values}
    for pk, theme in measures:
        counts[theme][latest[pk].status if pk in latest else NO_REPORT] += 1
    return {t: dict(c) for t, c in counts.items()}


def status_over_time(participant_ids, *, until: int) -> dict[str, dict[int, int]]:
    """Measures by status at the end of each year (from their reports' history): status ->
    year -> count. A measure counts from the year of its first report."""
    reports = list(
        ProgressReport.objects.filter(
            measure__objective__strategy__participant_id__in=list(participant_ids)
        )
        .order_by("measure_id", "period_end", "created_at", "pk")
        .values_list("measure_id", "period_end", "status")
    )
    if not reports:
        return {}
    first = min(end.year for _m, end, _s in reports)
    history: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for measure_id, end, status in reports:
        history[measure_id].append((end, status))
    result: dict[str, dict[int, int]] = {s: {} for s in ProgressStatus.values}
    for year in range(first, max(until, first) + 1):
        year_end = datetime.date(year, 12, 31)
        for status in result:
            result[status][year] = 0
        for entries in history.values():
            current = [s for end, s in entries if end <= year_end]
            if current:
                result[current[-1]][year] += 1
    return result


def recommendations_over_time(participant_ids, *, answered: set[int]) -> dict[int, tuple]:
    """Per year: recommendations received, and how many of them no measure answers today."""
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, year in Recommendation.objects.filter(
        participant_id__in=list(participant_ids)
    ).values_list("pk", "year"):
        result[year][0] += 1
        if pk not in answered:
            result[year][1] += 1
    return {year: tuple(v) for year, v in sorted(result.items())}


def comparison_participants(user) -> list[Participant]:
    """Participants whose counts the user may compare: every national participant for a
    regional role that may read recommendations; otherwise those where the user holds the
    permission. Counts only: lists and texts stay with each participant's own users."""
    from veza.recommendations.selectors import VIEW, national_participants

    if not user.has_perm(VIEW):
        return []
    national = Participant.objects.filter(kind=ParticipantKind.NATIONAL).order_by("code")
    if user_scope(user).sees_all_participants:
        return list(national)
    return list(national.filter(pk__in=national_participants(user)))


def comparison(participants, *, today: datetime.date) -> list[dict]:
    """Per participant and theme: recommendations, unanswered, in persistent gaps; overdue
    measures per participant."""
    ids = [p.pk for p in participants]
    answered = answered_ids(ids)
    gaps_by: dict[tuple[int, str], int] = defaultdict(int)
    for chain in chains(ids, answered=answered):
        if chain.gap:
            for r in chain.recommendations:
                gaps_by[(r.participant_id, r.theme)] += 1
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for pk, participant_id, theme in Recommendation.objects.filter(
        participant_id__in=ids
    ).values_list("pk", "participant_id", "theme"):
        counts[(participant_id, theme)][0] += 1
        if pk not in answered:
            counts[(participant_id, theme)][1] += 1
    overdue: dict[int, int] = defaultdict(int)
    for measure, _report in overdue_measures(ids, today=today):
        overdue[measure.objective.strategy.participant_id] += 1
    rows = []
    for participant in participants:
        themes = []
        for theme in Theme.values:
            total, unanswered = counts[(participant.pk, theme)]
            themes.append(
                {
                    "theme": theme,
                    "total": total,
                    "unanswered": unanswered,
                    "gaps": gaps_by[(participant.pk, theme)],
                }
            )
        rows.append(
            {
                "participant": participant,
                "themes": themes,
                "total": sum(t["total"] for t in themes),
                "unanswered": sum(t["unanswered"] for t in themes),
                "gaps": sum(t["gaps"] for t in themes),
                "overdue": overdue[participant.pk],
            }
        )
    return rows

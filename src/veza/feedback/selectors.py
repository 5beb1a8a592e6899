"""The reads of survivor feedback: where a worker may offer the form, and the summary of answers,
protected like a statistical release.

The summary is one table per question (a person answers each question at most once, so a
question's table counts people; adding tables of different questions would count answers, which
no one reads). Each table crosses the service types with the answers — and the participants, for
the regional analyst, never anything below the participant — margins included, and goes through
veza.statistics.disclosure: cells below the threshold are withheld (primary), and enough others
(secondary) that no withheld cell can be worked out from the published cells and totals.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from veza.feedback.choices import Answer, Question
from veza.feedback.models import OFFER, VIEW, FeedbackResponse
from veza.organisations.models import Organisation, Participant
from veza.organisations.scope import user_scope
from veza.organisations.selectors import aggregate_participants
from veza.referrals.choices import ServiceType
from veza.statistics.disclosure import Protected, Table, protect

__all__ = [
    "THRESHOLD",
    "QuestionTable",
    "Summary",
    "offer_organisations",
    "summary_for",
    "summary_participants",
    "summary_years",
]

#: Cells below this count are withheld, as in the statistical releases.
THRESHOLD = 5


def offer_organisations(user) -> list[Organisation]:
    """The organisations in which the user may offer the form."""
    ids = user_scope(user).organisations_with(OFFER)
    return list(
        Organisation.objects.filter(pk__in=ids, is_active=True)
        .select_related("participant")
        .order_by("participant__code", "name")
    )


def summary_participants(user) -> tuple[list[Participant], bool]:
    """The participants whose summary the user may read, and whether the user is regional (sees
    every national participant, side by side) or national (their own participant(s))."""
    return aggregate_participants(user, VIEW)


def summary_years(participants) -> list[int]:
    """Years with answers, newest first, and this year in any case."""
    dates = FeedbackResponse.objects.filter(participant__in=participants).dates("month", "year")
    years = {d.year for d in dates} | {timezone.localdate().year}
    return sorted(years, reverse=True)


@dataclass
class QuestionTable:
    question: str
    label: str
    protected: Protected

    def published(self) -> dict[tuple[str, ...], int | None]:
        return self.protected.published()


@dataclass
class Summary:
    year: int
    regional: bool  # by participant (the regional analyst): a participant dimension
    participants: list[Participant]
    #: The codes of each dimension shown (only those with answers; the rest are all zero).
    codes: dict[str, tuple[str, ...]]
    tables: list[QuestionTable]
    responses: int | None  # the number of responses, itself withheld below the threshold

    @property
    def dimensions(self) -> tuple[str, ...]:
        return ("participant", "service", "answer") if self.regional else ("service", "answer")


def _counts(participants, year: int):
    rows = FeedbackResponse.objects.filter(
        participant__in=participants,
        month__gte=datetime.date(year, 1, 1),
        month__lt=datetime.date(year + 1, 1, 1),
    ).values_list("participant__code", "service_type", "answers")
    per_question: dict[str, Counter] = {q: Counter() for q in Question.values}
    responses = 0
    services: set[str] = set()
    seen_participants: set[str] = set()
    for participant_code, service_type, answers in rows.iterator():
        responses += 1
        services.add(service_type)
        seen_participants.add(participant_code)
        for question, answer in (answers or {}).items():
            if question in per_question and answer in Answer.values:
                per_question[question][(participant_code, service_type, answer)] += 1
    return per_question, responses, services, seen_participants


def summary_for(*, user, year: int) -> Summary:
    """The protected summary of one year for what the user may read (empty when nothing)."""
    participants, regional = summary_participants(user)
    # A national user of several participants (rare) sees them side by side too, never merged.
    regional = regional or len(participants) > 1
    per_question, responses, services, seen = _counts(participants, year)
    codes = {
        "participant": tuple(p.code for p in participants if p.code in seen),
        "service": tuple(s for s in ServiceType.values if s in services),
        "answer": tuple(Answer.values),
    }
    tables = []
    if responses:
        dimensions = ("participant", "service", "answer") if regional else ("service", "answer")
        for question in Question:
            counts: Counter = Counter()
            for (participant_code, service, answer), n in per_question[question.value].items():
                key = (participant_code, service, answer) if regional else (service, answer)
                counts[key] += n
            table = Table.from_records(dimensions, {d: codes[d] for d in dimensions}, counts)
            tables.append(
                QuestionTable(question.value, question.label, protect(table, threshold=THRESHOLD))
            )
    return Summary(
        year=year,
        regional=regional,
        participants=participants,
        codes=codes,
        tables=tables,
        responses=None if 0 < responses < THRESHOLD else responses,
    )

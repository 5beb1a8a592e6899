"""Reads of training, always starting from what the user may see: courses of the participants
where they hold the permission, their own attempts and certificates, and a holder's certificate
for the coordinator of the holder's participant."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope
from veza.training.models import Certificate, Course, Enrolment, PracticeAttempt
from veza.training.practice import load_practice

__all__ = [
    "VIEW_ATTEMPTS",
    "VIEW_COURSE",
    "attempt_get_own",
    "best_scores",
    "certificate_by_code",
    "certificate_get",
    "cohort_scores",
    "course_get",
    "courses_visible",
    "participants_for",
]

VIEW_COURSE = "training.view_course"
VIEW_ATTEMPTS = "training.view_practiceattempt"


def participants_for(user, perm: str = VIEW_COURSE) -> QuerySet:
    return Participant.objects.filter(pk__in=user_scope(user).participants_with(perm)).order_by(
        "code"
    )


def courses_visible(user, perm: str = VIEW_COURSE) -> QuerySet:
    return (
        Course.objects.filter(participant_id__in=user_scope(user).participants_with(perm))
        .select_related("participant", "organiser")
        .annotate(
            enrolled=Count("enrolments"),
            trained=Count("enrolments", filter=Q(enrolments__status__in=("attended", "completed"))),
        )
    )


def course_get(user, pk, perm: str = VIEW_COURSE) -> Course:
    return visible_or_404(courses_visible(user, perm), pk)


def attempt_get_own(user, pk) -> PracticeAttempt:
    """A trainee's own attempt; anybody else's is "not found"."""
    if user is None or not user.is_authenticated:
        raise NotFoundError()
    return visible_or_404(PracticeAttempt.objects.filter(user_id=user.pk), pk)


def certificate_get(user, pk) -> Certificate:
    """The holder's own certificate, or one of a holder in a participant where the user may see
    practice scores (the coordinator); anything else is "not found"."""
    if user is None or not user.is_authenticated:
        raise NotFoundError()
    participants = user_scope(user).participants_with(VIEW_ATTEMPTS)
    rows = Certificate.objects.filter(Q(user_id=user.pk) | Q(participant_id__in=participants))
    return visible_or_404(rows.select_related("user", "participant"), pk)


def certificate_by_code(user, code: str) -> Certificate | None:
    """The certificate with this verification code among those the user may see (their own, and
    their participants' when they see practice scores), or None. Spaces, dashes and case in what
    was typed do not matter: the code is read back from paper."""
    wanted = "".join(c for c in (code or "").upper() if c.isalnum())
    if len(wanted) != 12:
        return None
    participants = user_scope(user).participants_with(VIEW_ATTEMPTS)
    rows = Certificate.objects.filter(Q(user_id=user.pk) | Q(participant_id__in=participants))
    formatted = f"{wanted[:4]}-{wanted[4:8]}-{wanted[8:]}"
    return rows.select_related("user", "participant").filter(code=formatted).first()


def best_scores(user_ids) -> dict[tuple[int, str], tuple[int, bool]]:
    """(user id, case id) → (best score, passed) over every attempt."""
    best: dict[tuple[int, str], tuple[int, bool]] = {}
    rows = PracticeAttempt.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "case_id", "score", "passed"
    )
    for user_id, case_id, score, passed in rows:
        key = (user_id, case_id)
        old = best.get(key, (-1, False))
        best[key] = (max(old[0], score), old[1] or passed)
    return best


def cohort_scores(course: Course) -> dict:
    """The course's trainees by practice cases: best score each, per trainee average over the cases
    tried, and the cohort's average over every best score."""
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .exclude(status="withdrawn")
        .select_related("user", "organisation")
    )
    cases = list(load_practice().cases.values())
    best = best_scores(e.user_id for e in enrolments)
    rows, every = [], []
    for enrolment in enrolments:
        cells = [best.get((enrolment.user_id, c.id)) for c in cases]
        scores = [cell[0] for cell in cells if cell]
        every += scores
        rows.append(
            {
                "enrolment": enrolment,
                "cells": cells,
                "average": round(sum(scores) / len(scores)) if scores else None,
            }
        )
    return {
        "cases": cases,
        "rows": rows,
        "average": round(sum(every) / len(every)) if every else None,
    }

"""Demo training in Serbia: a course on the indicators and the SOPs with professionals of several
organisations (some attended, one absent, so the coverage view shows gaps), a health worker who
passed both cases of the first module and holds its certificate, and a police officer who has
not practised yet (the trainee of the browser test's journey). Invented, like all demo data."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from veza.core.errors import PermissionDeniedError
from veza.organisations.models import Membership, Organisation, Participant
from veza.training.choices import CourseKind, EnrolmentStatus, Topic
from veza.training.models import Course
from veza.training.practice import load_practice
from veza.training.services import attempt_submit, attendance_record, course_create, enrolment_add

__all__ = ["demo_training"]

TITLE = "Recognising and referring victims: the indicators and the national SOPs (demo)"
#: Demo accounts of Serbia and what they did at the course.
ATTENDANCE = {
    "rs.frontline": EnrolmentStatus.COMPLETED,
    "rs.provider": EnrolmentStatus.ATTENDED,
    "rs.identification": EnrolmentStatus.ATTENDED,
    "rs.casemanager": EnrolmentStatus.ABSENT,
}


@transaction.atomic
def demo_training(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if Course.objects.filter(is_demo=True).exists():
        return {"lines": ["The demo training course exists already."]}
    participant = Participant.objects.filter(code="RS").first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ATTENDANCE)}
    if participant is None or len(users) != len(ATTENDANCE):
        return {"lines": ["No demo accounts of RS: no demo training."]}
    today = timezone.localdate()
    organiser = Organisation.objects.filter(
        participant=participant, is_demo=True, sector="national_coordinator"
    ).first()
    course = course_create(
        actor="demo",
        participant=participant,
        is_demo=True,
        title=TITLE,
        kind=CourseKind.COURSE,
        topics=[Topic.INDICATORS, Topic.SOP, Topic.NRM_REFERRAL],
        sector="",
        organiser=organiser,
        trainers="N. Trainer, M. Mentor (demo)",
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=29),
        place="Belgrade",
        description="Two days: the indicator lists, the screening questionnaires, the SOP stages.",
    )
    members = []
    for user in users.values():
        membership = (
            Membership.objects.live()
            .filter(user=user, organisation__participant=participant)
            .order_by("pk")
            .first()
        )
        members.append((user.pk, membership.organisation_id))
    enrolment_add(actor="demo", course=course, members=members)
    attendance_record(
        actor="demo",
        course=course,
        statuses={
            e.pk: ATTENDANCE[e.user.username] for e in course.enrolments.select_related("user")
        },
    )
    # The health worker passed the first module: the expected answers of both cases.
    first = next(iter(load_practice().modules.values()))
    for case_id in first.cases:
        attempt_submit(
            actor=users["rs.frontline"],
            case_id=case_id,
            answers=load_practice().cases[case_id].answers,
        )
    return {
        "lines": [
            f"Training: one course of RS with {len(members)} enrolled; rs.frontline holds the "
            "certificate of the first module; rs.police has not practised yet; rs.coordinator "
            "sees the gaps at /training/coverage/."
        ]
    }

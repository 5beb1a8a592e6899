"""Writes of training: courses, enrolments and attendance (the national coordinator), practice
attempts and certificates (the trainee). Each service checks the actor's permission, validates,
writes and audits in one transaction; bad input raises ValidationError and writes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from veza.core.versioning import save_versioned
from veza.indicators.questionnaire import read_answers
from veza.indicators.services import content_bundle
from veza.organisations.choices import Sector
from veza.organisations.models import Membership, Participant
from veza.organisations.scope import user_scope
from veza.screening.services import evaluate_answers
from veza.training.choices import CourseKind, EnrolmentStatus, Topic
from veza.training.models import Certificate, Course, Enrolment, PracticeAttempt
from veza.training.practice import compare, load_practice

__all__ = [
    "COURSE_FIELDS",
    "PRACTISE",
    "attempt_submit",
    "attendance_record",
    "course_create",
    "course_update",
    "enrolment_add",
    "enrolment_candidates",
    "practice_participant",
    "practice_questionnaire",
    "require_for",
]

COURSE_FIELDS = (
    "title",
    "kind",
    "topics",
    "sector",
    "organiser",
    "trainers",
    "starts_on",
    "ends_on",
    "place",
    "description",
)
PRACTISE = "training.practise"


def require_for(actor, perm: str, participant_id: int) -> None:
    """Refuse unless the actor holds `perm` in that participant (the command line may act)."""
    if isinstance(actor, str):
        return
    if participant_id not in user_scope(actor).participants_with(perm):
        raise PermissionDeniedError()


def _actor_user(actor):
    return None if isinstance(actor, str) else actor


def _clean_course(participant: Participant, values: Mapping[str, Any]) -> dict:
    problems: dict[str, list] = {}
    out: dict[str, Any] = {}
    for name, limit, required in (
        ("title", 200, True),
        ("trainers", 300, False),
        ("place", 200, False),
        ("description", 5000, False),
    ):
        value = str(values.get(name) or "").strip()
        if required and not value:
            problems[name] = [_("This field is required.")]
        elif len(value) > limit:
            problems[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
        out[name] = value
    out["kind"] = values.get("kind") or ""
    if out["kind"] not in CourseKind.values:
        problems["kind"] = [_("Choose the kind of training.")]
    topics = list(dict.fromkeys(values.get("topics") or ()))
    if not topics or any(t not in Topic.values for t in topics):
        problems["topics"] = [_("Choose at least one topic from the list.")]
    out["topics"] = topics
    out["sector"] = values.get("sector") or ""
    if out["sector"] and out["sector"] not in Sector.values:
        problems["sector"] = [_("Choose a sector from the list, or none for every sector.")]
    organiser = values.get("organiser")
    if organiser is not None and getattr(organiser, "participant_id", None) != participant.pk:
        problems["organiser"] = [_("Choose an organisation of the participant.")]
    out["organiser"] = organiser
    starts, ends = values.get("starts_on"), values.get("ends_on")
    for name, value in (("starts_on", starts), ("ends_on", ends)):
        if not isinstance(value, datetime.date):
            problems[name] = [_("Give a date.")]
    if not problems and ends < starts:
        problems["ends_on"] = [_("The course cannot end before it starts.")]
    out["starts_on"], out["ends_on"] = starts, ends
    if problems:
        raise ValidationError(fields=problems)
    return out


@transaction.atomic
def course_create(*, actor, participant: Participant, is_demo: bool = False, **values) -> Course:
    """Add a training course or event of the participant."""
    require_for(actor, "training.add_course", participant.pk)
    fields = _clean_course(participant, values)
    course = Course.objects.create(
        participant=participant, created_by=_actor_user(actor), is_demo=is_demo, **fields
    )
    audit_log(
        "training.course_add",
        actor=actor,
        obj=course,
        detail={"participant": participant.code, "topics": fields["topics"]},
    )
    return course


@transaction.atomic
def course_update(*, actor, course: Course, expected_version, **values) -> Course:
    """Correct a course; refused (409) when someone else saved it since it was read."""
    require_for(actor, "training.change_course", course.participant_id)
    fields = _clean_course(course.participant, values)
    for key, value in fields.items():
        setattr(course, key, value)
    save_versioned(course, list(fields), expected_version=expected_version)
    audit_log("training.course_change", actor=actor, obj=course, detail={"fields": list(fields)})
    return course


def enrolment_candidates(course: Course) -> list[Membership]:
    """Live memberships of the participant's organisations (of the course's sector, if any)
    whose person is not enrolled yet: one row per person and organisation."""
    enrolled = Enrolment.objects.filter(course=course).values_list("user_id", flat=True)
    rows = (
        Membership.objects.live()
        .filter(organisation__participant_id=course.participant_id)
        .exclude(user_id__in=enrolled)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__username")
    )
    if course.sector:
        rows = rows.filter(organisation__sector=course.sector)
    seen: set[tuple[int, int]] = set()
    out = []
    for row in rows:
        if (row.user_id, row.organisation_id) not in seen:
            seen.add((row.user_id, row.organisation_id))
            out.append(row)
    return out


@transaction.atomic
def enrolment_add(*, actor, course: Course, members: Iterable[tuple[int, int]]) -> int:
    """Enrol several professionals at once: `members` are (user id, organisation id) pairs, each
    a live membership in an organisation of the course's participant (and sector)."""
    require_for(actor, "training.add_enrolment", course.participant_id)
    wanted = list(dict.fromkeys((int(u), int(o)) for u, o in members))
    if not wanted:
        raise ValidationError(fields={"members": [_("Choose at least one professional.")]})
    allowed = {(m.user_id, m.organisation_id) for m in enrolment_candidates(course)}
    refused = [pair for pair in wanted if pair not in allowed]
    if refused:
        raise ValidationError(
            fields={
                "members": [
                    _(
                        "Only professionals of the participant's organisations who are not "
                        "enrolled yet can be enrolled."
                    )
                ]
            }
        )
    users = [u for u, _o in wanted]
    if len(set(users)) != len(users):
        raise ValidationError(
            fields={"members": [_("A professional is enrolled for one organisation only.")]}
        )
    Enrolment.objects.bulk_create(
        [
            Enrolment(course=course, user_id=u, organisation_id=o, recorded_by=_actor_user(actor))
            for u, o in wanted
        ]
    )
    audit_log(
        "training.enrolment_add",
        actor=actor,
        obj=course,
        detail={"enrolled": len(wanted), "users": users},
    )
    return len(wanted)


@transaction.atomic
def attendance_record(*, actor, course: Course, statuses: Mapping[int, str]) -> int:
    """Record who attended (or completed, missed, withdrew): enrolment id → status. Only the
    enrolments whose status changes are written; returns how many."""
    require_for(actor, "training.change_enrolment", course.participant_id)
    if any(s not in EnrolmentStatus.values for s in statuses.values()):
        raise ValidationError(fields={"status": [_("Choose a status from the list.")]})
    enrolments = {e.pk: e for e in Enrolment.objects.filter(course=course, pk__in=list(statuses))}
    if len(enrolments) != len(statuses):
        raise NotFoundError()
    changed = []
    for pk, status in statuses.items():
        enrolment = enrolments[pk]
        if enrolment.status != status:
            enrolment.status = status
            enrolment.recorded_by = _actor_user(actor)
            enrolment.save(update_fields=["status", "recorded_by", "updated_at"])
            changed.append([enrolment.user_id, status])
    if changed:
        audit_log("training.attendance", actor=actor, obj=course, detail={"changed": changed})
    return len(changed)


def practice_participant(user) -> Participant:
    """The participant a trainee practises in (their first organisation with the permission)."""
    scope = user_scope(user)
    organisations = sorted(scope.organisations_with(PRACTISE))
    if not organisations:
        raise PermissionDeniedError()
    return Participant.objects.get(pk=scope.participant_by_organisation[organisations[0]])


def practice_questionnaire(case_id: str):
    """The practice case and the shipped questionnaire it is screened with (the built-in
    version the expected answers were written for, whatever a participant adopted)."""
    case = load_practice().cases.get(case_id)
    if case is None:
        raise NotFoundError()
    bundle = content_bundle(None)
    stored = bundle.questionnaires[case.questionnaire]
    return case, bundle, stored, bundle.parse_questionnaire(stored)


@transaction.atomic
def attempt_submit(
    *, actor, case_id: str, answers: Mapping[str, Any]
) -> tuple[PracticeAttempt, Certificate | None]:
    """Screen a practice case: the real engine gives the outcome, which is compared with the
    expected one indicator by indicator. Stored in the training tables only. When the attempt
    completes a module (every case passed), its certificate is issued in the same transaction."""
    participant = practice_participant(actor)
    case, bundle, stored, parsed = practice_questionnaire(case_id)
    result = evaluate_answers(bundle, parsed, answers)
    expected = evaluate_answers(bundle, parsed, case.answers)
    comparison = compare(
        parsed.indicator_ids(),
        expected_present=read_answers(parsed, case.answers).present,
        given_present=result["reading"].present,
        expected_outcome=expected["outcome"],
        given_outcome=result["outcome"],
    )
    attempt = PracticeAttempt.objects.create(
        user=actor,
        participant=participant,
        case_id=case.id,
        questionnaire_code=stored.code,
        questionnaire_version=stored.version,
        answers=dict(answers),
        outcome=result["outcome"],
        score=comparison.score,
        passed=comparison.passed,
        comparison=comparison.as_dict(),
    )
    audit_log(
        "training.practice_submit",
        actor=actor,
        obj=attempt,
        detail={"case": case.id, "score": attempt.score, "passed": attempt.passed},
    )
    certificate = _certificate_if_complete(actor, participant, case.id) if attempt.passed else None
    return attempt, certificate


def _certificate_if_complete(user, participant, case_id: str) -> Certificate | None:
    passed = set(
        PracticeAttempt.objects.filter(user=user, passed=True).values_list("case_id", flat=True)
    )
    issued = None
    for module in load_practice().modules_of(case_id):
        if not set(module.cases) <= passed:
            continue
        if Certificate.objects.filter(user=user, module_id=module.id).exists():
            continue
        issued = Certificate.objects.create(user=user, participant=participant, module_id=module.id)
        audit_log(
            "training.certificate_issue",
            actor=user,
            obj=issued,
            detail={"module": module.id},
        )
    return issued

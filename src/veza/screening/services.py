"""Writes of the screening app. Each runs in one transaction and writes its audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.scoping import require_perm_or_operator_in
from veza.core.versioning import save_versioned
from veza.indicators import engine
from veza.indicators.questionnaire import read_answers
from veza.indicators.services import ContentBundle, content_bundle
from veza.screening.choices import Mode, Origin, ScreeningStatus
from veza.screening.models import Screening, new_reference

__all__ = [
    "evaluate_answers",
    "screening_complete",
    "screening_discard",
    "screening_follow_up",
    "screening_import",
    "screening_save",
    "screening_start",
]


def _translate_errors(errors: Mapping[str, str]) -> dict[str, list[str]]:
    # read_answers is pure Python and speaks English; map its messages to translated ones.
    table = {
        "not a question of this questionnaire": _("This is not a question of this questionnaire."),
        "give the age in years, or say it is unknown": _(
            "Give the age in years, or say that it is unknown."
        ),
        "the age must be between 0 and 120": _("The age must be between 0 and 120."),
        "answer yes, no, unsure or not asked": _("Answer yes, no, unsure or not asked."),
        "choose one answer": _("Choose one answer."),
    }
    result = {}
    for key, message in errors.items():
        if message.startswith("unknown choice"):
            result[key] = [_("This answer is not one of the choices.")]
        else:
            result[key] = [table.get(message, message)]
    return result


def _check_permission(actor, screening: Screening) -> None:
    if not actor.has_perm("screening.change_screening", screening.organisation):
        raise PermissionDeniedError()
    if not screening.is_draft:
        raise ValidationError(_("This screening is completed and can no longer be changed."))


@transaction.atomic
def screening_start(
    *,
    actor,
    organisation,
    questionnaire_code: str,
    person_ref: str = "",
    origin: str = Origin.WEB,
    follow_up_of: Screening | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Screening:
    if not actor.has_perm("screening.add_screening", organisation):
        raise PermissionDeniedError()
    bundle = content_bundle(organisation.participant)
    questionnaire = bundle.questionnaires.get(questionnaire_code)
    if questionnaire is None:
        raise ValidationError(
            fields={
                "questionnaire": [_("There is no questionnaire called %s.") % questionnaire_code]
            }
        )
    person_ref = (person_ref or "").strip()
    if len(person_ref) > 40:
        raise ValidationError(fields={"person_ref": [_("At most 40 characters.")]})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                screening = Screening.objects.create(
                    reference=new_reference(organisation.participant.code),
                    person_ref=person_ref,
                    organisation=organisation,
                    participant=organisation.participant,
                    created_by=actor,
                    mode=questionnaire.mode,
                    sector=questionnaire.sector,
                    questionnaire=questionnaire,
                    origin=origin,
                    follow_up_of=follow_up_of,
                    answers=dict(answers or {}),
                )
            break
        except IntegrityError:  # a reference collision: draw another
            continue
    else:  # pragma: no cover - 32^6 references make five collisions in a row implausible
        raise ValidationError(_("Could not create a reference; please try again."))
    audit_log(
        "screening.start",
        actor=actor,
        obj=screening,
        organisation_id=organisation.pk,
        detail={
            "questionnaire": f"{questionnaire.code} v{questionnaire.version}",
            "origin": origin,
        },
    )
    return screening


def _parsed_questionnaire(screening: Screening, bundle: ContentBundle | None = None):
    bundle = bundle or content_bundle(screening.participant)
    return bundle.parse_questionnaire(screening.questionnaire)


@transaction.atomic
def screening_save(
    *,
    actor,
    screening: Screening,
    answers: Mapping[str, Any],
    expected_version: int | None,
    section: int | None = None,
) -> Screening:
    """Merge some answers into a draft. Bad answers: nothing saved, every problem named."""
    _check_permission(actor, screening)
    parsed = _parsed_questionnaire(screening)
    merged = {**screening.answers, **answers}
    merged = {k: v for k, v in merged.items() if v not in (None, "", [])}
    reading = read_answers(parsed, merged)
    own_errors = {k: v for k, v in reading.errors.items() if k in answers}
    if own_errors:
        raise ValidationError(fields=_translate_errors(own_errors))
    screening.answers = merged
    fields = ["answers"]
    if section is not None:
        screening.current_section = max(0, min(section, len(parsed.sections)))
        fields.append("current_section")
    save_versioned(screening, fields, expected_version=expected_version, require_version=False)
    audit_log(
        "screening.update",
        actor=actor,
        obj=screening,
        organisation_id=screening.organisation_id,
        detail={"questions": sorted(answers)},
    )
    return screening


def evaluate_answers(bundle: ContentBundle, questionnaire, answers: Mapping[str, Any]) -> dict:
    """The full result for a questionnaire's answers, with every indicator set it concerns."""
    reading = read_answers(questionnaire, answers)
    if reading.errors:
        raise ValidationError(fields=_translate_errors(reading.errors))
    if reading.missing:
        raise ValidationError(
            fields={
                q: [_("This answer is needed to finish the screening.")] for q in reading.missing
            }
        )
    age_group = reading.age_group or "adult"
    rule = bundle.rule.parsed
    sets = bundle.primary_sets_for(age_group, reading.kinds)
    if not sets:
        raise ValidationError(_("No indicator set applies to this person; ask an administrator."))
    results = [
        engine.evaluate(
            s.parsed,
            rule,
            reading.present,
            age_group=age_group,
            urgent=reading.urgent,
            strict=False,
        )
        for s in sets
    ]
    deciding = max(results, key=lambda r: engine.outcome_rank(r.outcome))
    supplementary = []
    for s in bundle.supplementary_sets():
        if age_group in s.age_groups:
            r = engine.evaluate(s.parsed, rule, reading.present, age_group=age_group, strict=False)
            if r.present:
                supplementary.append(
                    {"set": s.code, "version": s.version, "present": list(r.present)}
                )
    quick_action = ""
    if questionnaire.mode == "quick":
        if reading.urgent or engine.outcome_rank(deciding.outcome) >= engine.outcome_rank(
            "potential_victim"
        ):
            quick_action = "refer_now"
        elif deciding.outcome == "indicators_present":
            quick_action = "interview_later"
        else:
            quick_action = "no_action"
    return {
        "reading": reading,
        "sets": sets,
        "outcome": deciding.outcome,
        "action": deciding.action,
        "quick_action": quick_action,
        "result": {
            "age_group": age_group,
            "kinds": list(reading.kinds),
            "deciding_set": deciding.set_id,
            "rule": {"id": rule.id, "version": rule.version},
            "sets": [r.to_dict() for r in results],
            "supplementary": supplementary,
            "urgent": list(reading.urgent),
        },
    }


@transaction.atomic
def screening_complete(*, actor, screening: Screening, expected_version: int | None) -> Screening:
    """Compute the outcome with the content versions in force now, and freeze it."""
    _check_permission(actor, screening)
    bundle = content_bundle(screening.participant)
    parsed = _parsed_questionnaire(screening, bundle)
    evaluation = evaluate_answers(bundle, parsed, screening.answers)
    fields = _apply_evaluation(screening, evaluation, bundle, actor)
    save_versioned(screening, fields, expected_version=expected_version, require_version=False)
    screening.sets.set(evaluation["sets"])
    audit_log(
        "screening.complete",
        actor=actor,
        obj=screening,
        organisation_id=screening.organisation_id,
        detail={
            "outcome": screening.outcome,
            "urgent": screening.urgent,
            "sets": [f"{s.code} v{s.version}" for s in evaluation["sets"]],
            "rule": f"{bundle.rule.code} v{bundle.rule.version}",
        },
    )
    return screening


def _apply_evaluation(screening: Screening, evaluation: dict, bundle: ContentBundle, actor):
    """Freeze the result on the screening; the names of the fields that changed."""
    reading = evaluation["reading"]
    screening.status = ScreeningStatus.COMPLETED
    screening.age = reading.age
    screening.age_group = evaluation["result"]["age_group"]
    screening.exploitation = list(reading.exploitation)
    screening.urgent = list(reading.urgent)
    screening.present = sorted(reading.present)
    screening.outcome = evaluation["outcome"]
    screening.action = evaluation["action"]
    screening.quick_action = evaluation["quick_action"]
    screening.result = evaluation["result"]
    screening.rule = bundle.rule
    screening.completed_at = screening.completed_at or timezone.now()
    screening.completed_by = actor
    return [
        "status",
        "age",
        "age_group",
        "exploitation",
        "urgent",
        "present",
        "outcome",
        "action",
        "quick_action",
        "result",
        "rule",
        "completed_at",
        "completed_by",
    ]


@transaction.atomic
def screening_import(
    *,
    actor,
    organisation,
    questionnaire,
    answers: Mapping[str, Any],
    external_id: str,
    origin_tool: str,
    person_ref: str = "",
    completed_at=None,
    bundle: ContentBundle | None = None,
) -> Screening:
    """A completed screening from a submission made offline with the questionnaire version
    `questionnaire` (a stored version, perhaps older than the one in force); the outcome is
    computed here by the engine with the participant's indicator lists and rule. `actor` may
    be the operator on the command line (a string)."""
    require_perm_or_operator_in(actor, "screening.add_screening", organisation)
    user = None if isinstance(actor, str) else actor
    bundle = bundle or content_bundle(organisation.participant)
    parsed = bundle.parse_questionnaire(questionnaire)
    evaluation = evaluate_answers(bundle, parsed, answers)
    screening = Screening(
        reference=new_reference(organisation.participant.code),
        person_ref=(person_ref or "").strip()[:40],
        organisation=organisation,
        participant=organisation.participant,
        created_by=user,
        mode=parsed.mode,
        sector=parsed.sector or "",
        questionnaire=questionnaire,
        origin=Origin.IMPORT,
        origin_tool=origin_tool[:40],
        external_id=external_id[:100],
        answers=dict(answers),
        completed_at=completed_at,
    )
    _apply_evaluation(screening, evaluation, bundle, user)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                screening.save()
            break
        except IntegrityError:
            if Screening.objects.filter(external_id=screening.external_id).exists():
                raise ConflictError(_("This submission was imported already.")) from None
            screening.reference = new_reference(organisation.participant.code)
    else:  # pragma: no cover - 32^6 references make five collisions in a row implausible
        raise ValidationError(_("Could not create a reference; please try again."))
    screening.sets.set(evaluation["sets"])
    audit_log(
        "screening.import",
        actor=actor,
        obj=screening,
        organisation_id=organisation.pk,
        detail={
            "questionnaire": f"{questionnaire.code} v{questionnaire.version}",
            "tool": origin_tool,
            "outcome": screening.outcome,
            "urgent": screening.urgent,
        },
    )
    return screening


@transaction.atomic
def screening_discard(*, actor, screening: Screening) -> None:
    _check_permission(actor, screening)
    audit_log(
        "screening.discard", actor=actor, obj=screening, organisation_id=screening.organisation_id
    )
    screening.delete()


@transaction.atomic
def screening_follow_up(*, actor, screening: Screening, questionnaire_code: str) -> Screening:
    """Complete a quick screen into a full sector screening: what was found carries over."""
    if screening.mode != Mode.QUICK or screening.is_draft:
        raise ValidationError(_("Only a completed quick screen can be followed up."))
    bundle = content_bundle(screening.participant)
    target = bundle.questionnaires.get(questionnaire_code)
    if target is None or target.mode != Mode.FULL:
        raise ValidationError(
            fields={"questionnaire": [_("Choose one of the sector questionnaires.")]}
        )
    parsed = bundle.parse_questionnaire(target)
    quick = _parsed_questionnaire(screening, bundle)
    quick_age = next(q.id for q in quick.questions.values() if q.type == "age")
    present, flags = set(screening.present), set(screening.urgent)
    carried: dict[str, Any] = {}
    for question in parsed.questions.values():
        if question.type == "age":
            carried[question.id] = screening.answers.get(quick_age)
        elif question.type == "yes_no" and (
            (question.indicators and set(question.indicators) <= present)
            or (question.urgent and question.urgent in flags)
        ):
            carried[question.id] = "yes"
    carried = {k: v for k, v in carried.items() if v not in (None, "")}
    return screening_start(
        actor=actor,
        organisation=screening.organisation,
        questionnaire_code=questionnaire_code,
        person_ref=screening.person_ref,
        follow_up_of=screening,
        answers=carried,
    )

"""Importing offline submissions into screenings: all of a file, or nothing.

Each submission is read back through the questionnaire version named in its hidden fields
(the version that produced the form, even if a newer one is in force now), and its outcome is
computed by the screening engine. A submission already imported (the same instance id, in
this file or an earlier one) is skipped and counted; any submission that does not fit refuses
the whole file, with every problem named by row and question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.core.imports import ImportRejected, RowProblem
from veza.core.scoping import require_perm_or_operator_in
from veza.fieldforms.models import SubmissionImport
from veza.fieldforms.submissions import Submission, read_submissions
from veza.fieldforms.xlsform import AGE_KNOWN, REFERENCE
from veza.indicators.models import Questionnaire
from veza.indicators.services import content_bundle
from veza.referrals.selectors import TO_ACT_OUTCOMES
from veza.screening.models import Screening
from veza.screening.services import evaluate_answers, screening_import

__all__ = ["answers_from_submission", "submissions_import"]


def answers_from_submission(parsed, fields: Mapping[str, object]) -> dict[str, Any]:
    """The answers the way Veza's own pages record them, from a submission's fields."""
    answers: dict[str, Any] = {}
    for question in parsed.questions.values():
        if question.type == "age":
            known = str(fields.get(f"{question.id}__unknown") or "").strip()
            years = fields.get(question.id)
            if known == AGE_KNOWN and years not in (None, ""):
                value: Any = years if isinstance(years, int) else str(years).strip()
                if isinstance(value, str) and value.endswith(".0"):  # a number read as float
                    value = value[:-2]
                answers[question.id] = value
            elif known and known != AGE_KNOWN:
                answers[question.id] = known
            continue
        value = fields.get(question.id)
        if value in (None, "", []):
            continue
        if question.type in ("multi", "exploitation"):
            chosen = value if isinstance(value, list) else str(value).split()
            if chosen:
                answers[question.id] = [str(c) for c in chosen]
        else:
            answers[question.id] = str(value).strip()
    return answers


def _when(text: str):
    """When the form was finished on the device (aware), or None if it does not say."""
    try:
        value = parse_datetime((text or "").strip())
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _multi_questions() -> set[str]:
    names: set[str] = set()
    for content in Questionnaire.objects.published().values_list("content", flat=True):
        for section in content.get("sections") or []:
            for question in section.get("questions") or []:
                if question.get("type") in ("multi", "exploitation"):
                    names.add(str(question.get("id")))
    return names


def _questionnaire(fields, cache: dict) -> Questionnaire | None:
    code = str(fields.get("veza_questionnaire") or "").strip()
    version = str(fields.get("veza_questionnaire_version") or "").strip()
    key = (code, version)
    if key not in cache:
        cache[key] = (
            Questionnaire.objects.published().filter(code=code, version=int(version)).first()
            if code and version.isdigit()
            else None
        )
    return cache[key]


def _check(submission: Submission, bundle, cache, problems: list[RowProblem]):
    """The questionnaire version and the answers of one submission, or its problems."""
    fields = submission.fields
    row = submission.row
    if "veza_questionnaire" not in fields:
        problems.append(
            RowProblem(
                row,
                "veza_questionnaire",
                _("This submission was not made with a form exported by Veza."),
            )
        )
        return None
    stored = _questionnaire(fields, cache)
    if stored is None:
        problems.append(
            RowProblem(
                row,
                "veza_questionnaire",
                _("Veza has no questionnaire %(code)s version %(version)s.")
                % {
                    "code": fields.get("veza_questionnaire"),
                    "version": fields.get("veza_questionnaire_version"),
                },
            )
        )
        return None
    if not submission.instance_id:
        problems.append(
            RowProblem(row, "instanceID", _("The submission has no instance id (meta/instanceID)."))
        )
        return None
    if len(str(fields.get(REFERENCE) or "")) > 40:
        problems.append(RowProblem(row, REFERENCE, _("At most 40 characters.")))
    try:
        parsed = bundle.parse_questionnaire(stored)
    except Exception:  # a version whose indicators the lists in force no longer have
        problems.append(
            RowProblem(
                row,
                "veza_questionnaire",
                _("The form's questionnaire no longer fits the indicator lists in force."),
            )
        )
        return None
    answers = answers_from_submission(parsed, fields)
    try:
        evaluate_answers(bundle, parsed, answers)
    except ValidationError as exc:
        for question, messages in (exc.fields or {"": [exc.text()]}).items():
            for message in messages:
                problems.append(RowProblem(row, question, str(message)))
        return None
    return stored, answers


def submissions_import(
    *,
    actor,
    organisation,
    file_name: str,
    raw: bytes,
    progress: Callable[[int, int, str], None] | None = None,
) -> SubmissionImport:
    """Every submission of the file as a completed screening of `organisation`, or nothing."""
    require_perm_or_operator_in(actor, "screening.add_screening", organisation)
    user = None if isinstance(actor, str) else actor
    bundle = content_bundle(organisation.participant)
    data = read_submissions(file_name, raw, multi=_multi_questions())
    problems: list[RowProblem] = []
    cache: dict = {}
    ids = {s.instance_id for s in data.submissions if s.instance_id}
    known = set(Screening.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
    planned: list[tuple[Submission, Questionnaire, dict]] = []
    seen: set[str] = set()
    duplicates = 0
    for submission in data.submissions:
        if submission.instance_id and (
            submission.instance_id in known or submission.instance_id in seen
        ):
            duplicates += 1
            continue
        checked = _check(submission, bundle, cache, problems)
        if checked is not None:
            seen.add(submission.instance_id)
            planned.append((submission, *checked))
    if problems:
        raise ImportRejected(problems)
    with transaction.atomic():
        batch = SubmissionImport.objects.create(
            organisation=organisation,
            tool=data.tool,
            format=data.format,
            sha256=hashlib.sha256(raw).hexdigest(),
            submissions=len(data.submissions),
            duplicates=duplicates,
            imported_by=user,
        )
        created = []
        for number, (submission, stored, answers) in enumerate(planned, start=1):
            screening = screening_import(
                actor=actor,
                organisation=organisation,
                questionnaire=stored,
                answers=answers,
                external_id=submission.instance_id,
                origin_tool=data.tool,
                person_ref=str(submission.fields.get(REFERENCE) or ""),
                completed_at=_when(submission.submitted_at),
                bundle=bundle,
            )
            created.append(screening)
            if progress:
                progress(number, len(planned), screening.reference)
        batch.created = len(created)
        batch.save(update_fields=["created"])
        batch.screenings.set(created)
        audit_log(
            "submissions.import",
            actor=actor,
            obj=batch,
            organisation_id=organisation.pk,
            detail={
                "tool": data.tool,
                "format": data.format,
                "created": len(created),
                "duplicates": duplicates,
            },
        )
        to_act = [s for s in created if s.urgent or s.outcome in TO_ACT_OUTCOMES]
        if to_act:
            from veza.referrals.services import members_with, notify

            others = [
                u for u in members_with(organisation, "screening.view_screening") if u != user
            ]
            notify(others, "screening.imported")
    return batch

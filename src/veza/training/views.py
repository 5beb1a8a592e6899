"""Training pages: practice (the trainee), my training, certificates, courses and attendance, and
the coverage of training (the national coordinator). Thin: the work is in services, selectors
and coverage."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.audit import audit_read
from veza.core.charts import stacked_bars
from veza.core.errors import ConflictError, NotFoundError, ValidationError
from veza.core.scoping import require_perm, visible_or_404
from veza.core.web import add_errors, posted_version
from veza.indicators.choices import Outcome
from veza.indicators.services import content_bundle
from veza.indicators.text import localized
from veza.organisations.choices import Sector
from veza.organisations.models import Organisation
from veza.training.choices import EnrolmentStatus
from veza.training.coverage import coverage_for, trained_people
from veza.training.forms import CourseForm, EnrolForm, practice_answers, practice_forms
from veza.training.models import Certificate, Enrolment, PracticeAttempt
from veza.training.practice import Comparison, load_practice
from veza.training.selectors import (
    attempt_get_own,
    best_scores,
    certificate_by_code,
    certificate_get,
    cohort_scores,
    course_get,
    courses_visible,
    participants_for,
)
from veza.training.services import (
    COURSE_FIELDS,
    PRACTISE,
    attempt_submit,
    attendance_record,
    course_create,
    course_update,
    enrolment_add,
    enrolment_candidates,
    practice_questionnaire,
)

__all__ = [
    "attempt_detail",
    "certificate_pdf",
    "course_detail",
    "course_edit",
    "course_enrol",
    "course_list",
    "course_new",
    "coverage",
    "coverage_organisation",
    "my_training",
    "practice_case",
    "practice_index",
]

COVERAGE = "training.view_coverage"


def _modules(language: str, best=None, certificates=()):
    data = load_practice()
    held = {c.module_id: c for c in certificates}
    return [
        {
            "id": module.id,
            "title": localized(module.title, language),
            "certificate": held.get(module.id),
            "cases": [
                {
                    "id": case_id,
                    "title": localized(data.cases[case_id].title, language),
                    "best": (best or {}).get(case_id),
                }
                for case_id in module.cases
            ],
        }
        for module in data.modules.values()
    ]


def _own_best(user) -> dict:
    return {case: value for (_u, case), value in best_scores([user.pk]).items()}


@require_GET
def practice_index(request):
    require_perm(request.user, PRACTISE)
    language = get_language()
    certificates = Certificate.objects.filter(user=request.user)
    return render(
        request,
        "training/practice_index.html",
        {"modules": _modules(language, _own_best(request.user), certificates)},
    )


@require_http_methods(["GET", "POST"])
def practice_case(request, case_id: str):
    require_perm(request.user, PRACTISE)
    language = get_language()
    case, _bundle, _stored, parsed = practice_questionnaire(case_id)
    forms_ = practice_forms(parsed, language=language, data=request.POST or None)
    status = 200
    if request.method == "POST":
        answers = practice_answers(forms_)
        if answers is None:
            status = 400
        else:
            try:
                attempt, certificate = attempt_submit(
                    actor=request.user, case_id=case.id, answers=answers
                )
            except ValidationError as exc:
                messages.error(request, exc.text())
                status = 400
            else:
                if certificate is not None:
                    messages.success(
                        request, _("Well done: you have earned a certificate. See My training.")
                    )
                return redirect("training:attempt", pk=attempt.pk)
    sections = [
        {
            "title": localized(section.title, language),
            "intro": localized(section.intro, language),
            "rows": [{"question": q, "field": form[q.id]} for q in section.questions],
            "unknowns": {
                q.id: form[f"{q.id}__unknown"] for q in section.questions if q.type == "age"
            },
            "form": form,
        }
        for section, form in zip(parsed.sections, forms_, strict=True)
    ]
    return render(
        request,
        "training/practice_case.html",
        {
            "case": case,
            "title": localized(case.title, language),
            "scenario": localized(case.scenario, language),
            "questionnaire_title": localized(parsed.title, language),
            "sections": sections,
        },
        status=status,
    )


def _indicator_labels(language: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for indicator_set in content_bundle(None).sets.values():
        for indicator in indicator_set.parsed.indicators:
            labels.setdefault(indicator.id, localized(indicator.text, language))
    return labels


@require_GET
def attempt_detail(request, pk: int):
    attempt = attempt_get_own(request.user, pk)
    language = get_language()
    case = load_practice().cases.get(attempt.case_id)
    comparison = Comparison.from_dict(attempt.comparison)
    labels = _indicator_labels(language)
    outcomes = dict(Outcome.choices)
    rows = [
        {
            "row": row,
            "label": labels.get(row.indicator, row.indicator),
            "why": localized(case.why[row.indicator], language)
            if case and row.indicator in case.why
            else "",
        }
        for row in comparison.rows
    ]
    return render(
        request,
        "training/attempt_detail.html",
        {
            "attempt": attempt,
            "title": localized(case.title, language) if case else attempt.case_id,
            "comparison": comparison,
            "differences": [r for r in rows if not r["row"].alike],
            "same": [r for r in rows if r["row"].alike],
            "expected_outcome": outcomes.get(comparison.expected_outcome, ""),
            "given_outcome": outcomes.get(comparison.given_outcome, ""),
        },
    )


@require_GET
def my_training(request):
    """The trainee's own courses, attempts, best scores and certificates."""
    user = request.user
    if not user.is_authenticated:
        raise NotFoundError()
    require_perm(user, PRACTISE)
    language = get_language()
    certificates = list(Certificate.objects.filter(user=user))
    titles = {m.id: localized(m.title, language) for m in load_practice().modules.values()}
    for certificate in certificates:
        certificate.title = titles.get(certificate.module_id, certificate.module_id)
    cases = {c.id: localized(c.title, language) for c in load_practice().cases.values()}
    attempts = list(PracticeAttempt.objects.filter(user=user).defer("answers", "comparison")[:50])
    for attempt in attempts:
        attempt.title = cases.get(attempt.case_id, attempt.case_id)
    return render(
        request,
        "training/my_training.html",
        {
            "enrolments": Enrolment.objects.filter(user=user)
            .select_related("course", "organisation")
            .order_by("-course__starts_on"),
            "modules": _modules(language, _own_best(user), certificates),
            "attempts": attempts,
            "certificates": certificates,
        },
    )


@require_GET
def certificate_pdf(request, pk: int):
    """The certificate to print: the holder's name, the module, the date and the code."""
    from weasyprint import CSS, HTML

    certificate = certificate_get(request.user, pk)
    module = load_practice().modules.get(certificate.module_id)
    html = render_to_string(
        "training/certificate_pdf.html",
        {
            "certificate": certificate,
            "holder": certificate.user.get_full_name() or certificate.user.username,
            "module": localized(module.title, get_language()) if module else certificate.module_id,
            "language": get_language(),
        },
        request=request,
    )
    css = Path(__file__).resolve().parent.parent / "static/veza/sheet.css"
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(css))])
    audit_read(
        "training.certificate_download",
        actor=request.user,
        obj=certificate,
        detail={"module": certificate.module_id},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="veza-certificate-{certificate.module_id}.pdf"'
    )
    return response


# --- Courses and attendance (the national coordinator) ------------------------------------


@require_GET
def course_list(request):
    require_perm(request.user, "training.view_course")
    return render(
        request,
        "training/course_list.html",
        {
            "courses": courses_visible(request.user)[:200],
            "can_add": bool(participants_for(request.user, "training.add_course")),
        },
    )


def _organisations(participant):
    return list(
        Organisation.objects.filter(participant=participant, is_active=True).order_by("name")
    )


@require_http_methods(["GET", "POST"])
def course_new(request):
    require_perm(request.user, "training.add_course")
    participant = participants_for(request.user, "training.add_course").first()
    if participant is None:
        raise NotFoundError()
    form = CourseForm(request.POST or None, organisations=_organisations(participant))
    if request.method == "POST" and form.is_valid():
        try:
            course = course_create(actor=request.user, participant=participant, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Course saved. Now enrol the professionals."))
            return redirect("training:course-enrol", pk=course.pk)
    return render(
        request,
        "training/course_form.html",
        {"form": form, "course": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def course_edit(request, pk: int):
    course = course_get(request.user, pk, "training.change_course")
    initial = {name: getattr(course, name) for name in COURSE_FIELDS}
    initial["organiser"] = str(course.organiser_id or "")
    form = CourseForm(
        request.POST or None, organisations=_organisations(course.participant), initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                course_update(
                    actor=request.user,
                    course=course,
                    expected_version=posted_version(request),
                    **form.values(),
                )
            except ConflictError as exc:
                messages.error(request, exc.message)
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("training:course", pk=course.pk)
    return render(
        request, "training/course_form.html", {"form": form, "course": course}, status=status
    )


@require_http_methods(["GET", "POST"])
def course_detail(request, pk: int):
    """A course: who is enrolled and whether they attended (a form to record it), and the
    cohort's practice scores."""
    course = course_get(request.user, pk)
    can_record = request.user.has_perm("training.change_enrolment")
    status = 200
    if request.method == "POST":
        require_perm(request.user, "training.change_enrolment")
        statuses = {}
        for key, value in request.POST.items():
            if key.startswith("status-") and key[7:].isdigit():
                statuses[int(key[7:])] = value
        try:
            changed = attendance_record(actor=request.user, course=course, statuses=statuses)
        except ValidationError as exc:
            messages.error(request, exc.text())
            status = 400
        else:
            messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": changed})
            return redirect("training:course", pk=course.pk)
    enrolments = list(
        Enrolment.objects.filter(course=course).select_related("user", "organisation")
    )
    audit_read("training.course_read", actor=request.user, obj=course)
    language = get_language()
    cohort = cohort_scores(course)
    cohort["titles"] = [localized(c.title, language) for c in cohort["cases"]]
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "enrolments": enrolments,
            "statuses": EnrolmentStatus.choices,
            "can_record": can_record,
            "cohort": cohort,
            "sector_label": dict(Sector.choices).get(course.sector, ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def course_enrol(request, pk: int):
    course = course_get(request.user, pk, "training.add_enrolment")
    form = EnrolForm(request.POST or None, candidates=enrolment_candidates(course))
    if request.method == "POST" and form.is_valid():
        try:
            count = enrolment_add(actor=request.user, course=course, members=form.pairs())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(n)s enrolled.") % {"n": count})
            return redirect("training:course", pk=course.pk)
    return render(
        request,
        "training/course_enrol.html",
        {"form": form, "course": course},
        status=400 if form.errors else 200,
    )


# --- Coverage -------------------------------------------------------------------------------


def _coverage_participant(request):
    require_perm(request.user, COVERAGE)
    participants = list(participants_for(request.user, COVERAGE))
    chosen = request.GET.get("participant")
    participant = next((p for p in participants if p.code == chosen), None) or (
        participants[0] if participants else None
    )
    if participant is None:
        raise NotFoundError()
    return participant, participants


@require_GET
def certificate_verify(request):
    """Is a certificate shown on paper genuine? The code printed on it finds the holder, the
    module and the date, within the participants whose practice scores the user sees."""
    require_perm(request.user, "training.view_practiceattempt")
    code = (request.GET.get("code") or "").strip()[:40]
    certificate = certificate_by_code(request.user, code) if code else None
    module = load_practice().modules.get(certificate.module_id) if certificate else None
    if certificate is not None:
        audit_read("training.certificate_verify", actor=request.user, obj=certificate)
    return render(
        request,
        "training/certificate_verify.html",
        {
            "code": code,
            "certificate": certificate,
            "module": localized(module.title, get_language()) if module else "",
        },
    )


@require_GET
def coverage(request):
    participant, participants = _coverage_participant(request)
    data = coverage_for(participant)
    sectors = dict(Sector.choices)
    for row in data["sectors"]:
        row.label = sectors.get(row.sector, row.sector)
    chart = stacked_bars(
        [
            (row.label[:24], [row.indicators_count, row.member_count - row.indicators_count])
            for row in data["rows"]
            if row.members
        ],
        keys=[_("trained on the indicators"), _("not yet")],
        title=_("People trained on the indicators, by organisation"),
    )
    return render(
        request,
        "training/coverage.html",
        {**data, "participant": participant, "participants": participants, "chart": chart},
    )


@require_GET
def coverage_organisation(request, pk: int):
    """Who in one organisation is trained (names of professionals: the coordinator only)."""
    participant, _participants = _coverage_participant(request)
    organisation = visible_or_404(Organisation.objects.filter(participant=participant), pk)
    people = trained_people(participant, organisation)
    audit_read(
        "training.coverage_people",
        actor=request.user,
        obj=organisation,
        organisation_id=organisation.pk,
        detail={"people": len(people)},
    )
    return render(
        request,
        "training/coverage_organisation.html",
        {"organisation": organisation, "people": people, "participant": participant},
    )

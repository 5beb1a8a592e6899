"""Pages of strategies and action plans: the list, one plan with its objectives and measures,
a measure with the recommendations it answers and its progress reports (with history), and
the draft plan as DOCX or PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.errors import ConflictError, NotFoundError, ValidationError
from veza.core.scoping import require_perm, visible_or_404
from veza.core.web import add_errors, posted_version
from veza.recommendations.choices import CLOSED, Theme
from veza.recommendations.coverage import latest_reports
from veza.recommendations.forms import MeasureForm, ObjectiveForm, ProgressForm, StrategyForm
from veza.recommendations.plan import plan_data
from veza.recommendations.plan_render import plan_docx, plan_pdf
from veza.recommendations.selectors import (
    measures_visible,
    participants_for,
    recommendations_visible,
    strategies_visible,
)
from veza.recommendations.services import (
    measure_save,
    objective_save,
    plan_exported,
    progress_report_add,
    strategy_save,
)

__all__ = ["measure_detail", "measure_new", "plan_detail", "plan_draft", "plan_list"]

VIEW = "recommendations.view_strategy"
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _may(user, perm: str, participant_id: int) -> bool:
    return participant_id in {p.pk for p in participants_for(user, perm)}


@require_http_methods(["GET", "POST"])
def plan_list(request):
    require_perm(request.user, VIEW)
    participants = list(participants_for(request.user, "recommendations.add_strategy"))
    form = StrategyForm(request.POST or None, participants=participants) if participants else None
    if request.method == "POST":
        require_perm(request.user, "recommendations.add_strategy")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            participant = next((p for p in participants if p.pk == data.pop("participant")), None)
            if participant is None:
                raise NotFoundError()
            try:
                strategy = strategy_save(actor=request.user, participant=participant, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("recommendations:plan", pk=strategy.pk)
    return render(
        request,
        "recommendations/plans.html",
        {"strategies": strategies_visible(request.user), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _measure_rows(measures, today):
    latest = latest_reports([m.pk for m in measures])
    rows = []
    for m in measures:
        report = latest.get(m.pk)
        status = report.status if report else ""
        rows.append(
            {
                "m": m,
                "report": report,
                "overdue": bool(m.deadline and m.deadline < today and status not in CLOSED),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    require_perm(request.user, VIEW)
    strategy = visible_or_404(strategies_visible(request.user), pk)
    may_change = _may(request.user, "recommendations.change_strategy", strategy.participant_id)
    may_add = _may(request.user, "recommendations.add_objective", strategy.participant_id)
    action = request.POST.get("action", "")
    form = StrategyForm(request.POST if action == "save" else None, instance=strategy)
    objective_form = ObjectiveForm(request.POST if action == "objective" else None)
    may_edit_objective = _may(
        request.user, "recommendations.change_objective", strategy.participant_id
    )
    editing = None  # (objective, its bound form) when a change of it was refused
    conflict = False
    if request.method == "POST":
        try:
            if action == "save" and form.is_valid():
                strategy_save(
                    actor=request.user,
                    participant=strategy.participant,
                    strategy=strategy,
                    expected_version=posted_version(request),
                    **form.cleaned_data,
                )
                messages.success(request, _("The plan is saved."))
                return redirect("recommendations:plan", pk=strategy.pk)
            if action == "objective" and objective_form.is_valid():
                objective_save(actor=request.user, strategy=strategy, **objective_form.cleaned_data)
                messages.success(request, _("The objective is added."))
                return redirect("recommendations:plan", pk=strategy.pk)
            if action == "objective_edit":
                objective = strategy.objectives.filter(
                    pk=request.POST.get("objective") or 0
                ).first()
                if objective is None:
                    raise NotFoundError()
                editing = (objective, ObjectiveForm(request.POST, prefix=f"o{objective.pk}"))
                if editing[1].is_valid():
                    objective_save(
                        actor=request.user,
                        strategy=strategy,
                        objective=objective,
                        **editing[1].cleaned_data,
                    )
                    messages.success(request, _("The objective is saved."))
                    return redirect("recommendations:plan", pk=strategy.pk)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            conflict = True
        except ValidationError as exc:
            target = {"objective": objective_form, "save": form}.get(action)
            add_errors(target if target is not None else editing[1], exc)
        strategy.refresh_from_db()
    today = timezone.localdate()
    measures = list(
        measures_visible(request.user)
        .filter(objective__strategy=strategy)
        .prefetch_related("recommendations__source")
    )
    rows = _measure_rows(measures, today)
    sections = []
    for theme, label in Theme.choices:
        objectives = [
            {
                "o": o,
                "form": editing[1]
                if editing and editing[0].pk == o.pk
                else ObjectiveForm(initial={"theme": o.theme, "text": o.text}, prefix=f"o{o.pk}"),
            }
            for o in strategy.objectives.all()
            if o.theme == theme
        ]
        sections.append(
            {
                "label": label,
                "objectives": objectives,
                "rows": [r for r in rows if r["m"].objective.theme == theme],
            }
        )
    return render(
        request,
        "recommendations/plan_page.html",
        {
            "strategy": strategy,
            "sections": sections,
            "form": form,
            "objective_form": objective_form,
            "may_change": may_change,
            "may_add": may_add,
            "may_edit_objective": may_edit_objective,
            "may_add_measure": _may(
                request.user, "recommendations.add_measure", strategy.participant_id
            )
            and strategy.objectives.exists(),
        },
        status=409
        if conflict
        else 400
        if form.errors or objective_form.errors or (editing and editing[1].errors)
        else 200,
    )


def _measure_form(request, strategy, *, instance=None, data=None):
    recommendations = recommendations_visible(request.user).filter(
        participant_id=strategy.participant_id
    )
    return MeasureForm(
        data,
        instance=instance,
        objectives=strategy.objectives.all(),
        recommendations=recommendations,
    )


def _save_measure(request, strategy, form, *, measure=None):
    data = dict(form.cleaned_data)
    objective = strategy.objectives.filter(pk=data.pop("objective")).first()
    if objective is None:
        raise NotFoundError()
    chosen = data.pop("recommendations")
    recommendations = list(
        recommendations_visible(request.user).filter(
            participant_id=strategy.participant_id, pk__in=chosen
        )
    )
    return measure_save(
        actor=request.user,
        objective=objective,
        measure=measure,
        expected_version=posted_version(request) if measure else None,
        recommendations=recommendations,
        **data,
    )


@require_http_methods(["GET", "POST"])
def measure_new(request, pk):
    require_perm(request.user, "recommendations.add_measure")
    strategy = visible_or_404(strategies_visible(request.user), pk)
    form = _measure_form(request, strategy, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = _save_measure(request, strategy, form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The measure is saved."))
            return redirect("recommendations:measure", pk=measure.pk)
    return render(
        request,
        "recommendations/measure_form.html",
        {"form": form, "strategy": strategy},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def measure_detail(request, pk):
    require_perm(request.user, "recommendations.view_measure")
    measure = visible_or_404(measures_visible(request.user), pk)
    strategy = measure.objective.strategy
    participant_id = strategy.participant_id
    action = request.POST.get("action", "")
    form = _measure_form(
        request, strategy, instance=measure, data=request.POST if action == "save" else None
    )
    progress_form = ProgressForm(request.POST if action == "progress" else None)
    conflict = False
    if request.method == "POST":
        try:
            if action == "save" and form.is_valid():
                _save_measure(request, strategy, form, measure=measure)
                messages.success(request, _("The measure is saved."))
                return redirect("recommendations:measure", pk=measure.pk)
            if action == "progress" and progress_form.is_valid():
                progress_report_add(
                    actor=request.user, measure=measure, **progress_form.cleaned_data
                )
                messages.success(request, _("The progress report is saved."))
                return redirect("recommendations:measure", pk=measure.pk)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            conflict = True
        except ValidationError as exc:
            add_errors(progress_form if action == "progress" else form, exc)
        measure.refresh_from_db()
    today = timezone.localdate()
    row = _measure_rows([measure], today)[0]
    return render(
        request,
        "recommendations/measure.html",
        {
            "measure": measure,
            "strategy": strategy,
            "row": row,
            "recommendations": measure.recommendations.select_related("source"),
            "reports": measure.reports.select_related("author"),
            "form": form,
            "progress_form": progress_form,
            "may_change": _may(request.user, "recommendations.change_measure", participant_id),
            "may_report": _may(request.user, "recommendations.add_progressreport", participant_id),
        },
        status=409 if conflict else 400 if form.errors or progress_form.errors else 200,
    )


def plan_download(user, strategy, kind: str) -> HttpResponse:
    """The draft plan as a file (audited as an export); shared by the page and the API."""
    if kind not in FORMATS:
        raise ValidationError(fields={"format": [_("Choose docx or pdf.")]})
    plan_exported(actor=user, strategy=strategy, kind=kind)
    plan = plan_data(strategy)
    body = plan_docx(plan) if kind == "docx" else plan_pdf(plan)
    response = HttpResponse(body, content_type=FORMATS[kind])
    name = slugify(f"{strategy.participant.code}-{strategy.title}")[:80] or "plan"
    response["Content-Disposition"] = f'attachment; filename="draft-{name}.{kind}"'
    return response


@require_GET
def plan_draft(request, pk):
    require_perm(request.user, VIEW)
    strategy = visible_or_404(strategies_visible(request.user), pk)
    return plan_download(request.user, strategy, request.GET.get("format", "pdf"))

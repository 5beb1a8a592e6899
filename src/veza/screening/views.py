"""Screening pages: the worklist, starting, one section at a time, review, outcome."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.core.audit import audit_read
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.hooks import actions_for
from veza.core.paging import BoundedPaginator
from veza.core.scoping import require_perm
from veza.core.web import add_errors, posted_version
from veza.indicators.choices import Action, Dimension, Element, Outcome, QuickAction, UrgentFlag
from veza.indicators.models import IndicatorSet
from veza.indicators.services import content_bundle
from veza.indicators.text import localized
from veza.organisations.models import Organisation, emergency_for_any
from veza.organisations.scope import user_scope
from veza.screening.choices import ORIGIN_TOOLS, Mode, ScreeningStatus
from veza.screening.forms import EXPLOITATION_LABELS, StartForm, section_form
from veza.screening.selectors import screening_get_visible, screening_list_visible
from veza.screening.services import (
    screening_complete,
    screening_discard,
    screening_follow_up,
    screening_save,
    screening_start,
)

__all__ = [
    "screening_complete_view",
    "screening_detail",
    "screening_discard_view",
    "screening_follow_up_view",
    "screening_list",
    "screening_new",
    "screening_review",
    "screening_section",
]


def _parsed(screening, bundle=None):
    bundle = bundle or content_bundle(screening.participant)
    return bundle.parse_questionnaire(screening.questionnaire)


@require_GET
def screening_list(request):
    status = request.GET.get("status") if request.GET.get("status") in ScreeningStatus else None
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in Outcome else None
    screenings = screening_list_visible(
        user=request.user, status=status, outcome=outcome, q=(request.GET.get("q") or "")[:40]
    )
    # The cards show no answers: their JSON is not read for them.
    screenings = screenings.defer("answers", "result")
    page = BoundedPaginator(screenings, 25).get_page(request.GET.get("page"))
    can_start = request.user.has_perm("screening.add_screening")
    return render(
        request,
        "screening/screening_list.html",
        {
            "page": page,
            "can_start": can_start,
            "statuses": ScreeningStatus.choices,
            "outcomes": Outcome.choices,
            "status": status or "",
            "outcome": outcome or "",
            "q": request.GET.get("q", ""),
        },
    )


def _organisations_for_start(user):
    ids = user_scope(user).organisations_with("screening.add_screening")
    return list(Organisation.objects.filter(pk__in=ids).select_related("participant"))


@require_http_methods(["GET", "POST"])
def screening_new(request):
    require_perm(request.user, "screening.add_screening")
    organisations = _organisations_for_start(request.user)
    bundle = content_bundle(organisations[0].participant)
    language = get_language()
    choices = sorted(
        (
            (code, localized(q.content.get("title"), language))
            for code, q in bundle.questionnaires.items()
        ),
        key=lambda c: (c[0] != "quick", c[0] != organisations[0].sector, c[1]),
    )
    initial = {
        "questionnaire": organisations[0].sector
        if organisations[0].sector in bundle.questionnaires
        else "quick"
    }
    # In a mass arrival the quick screen comes first, for an organisation of the area.
    emergency = emergency_for_any([o.pk for o in organisations])
    if emergency is not None and "quick" in bundle.questionnaires:
        in_area = set(emergency.organisations.values_list("pk", flat=True))
        initial = {
            "questionnaire": "quick",
            "organisation": next(str(o.pk) for o in organisations if o.pk in in_area),
        }
    form = StartForm(
        request.POST or None,
        questionnaires=choices,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(
            o for o in organisations if str(o.pk) == form.cleaned_data["organisation"]
        )
        try:
            screening = screening_start(
                actor=request.user,
                organisation=organisation,
                questionnaire_code=form.cleaned_data["questionnaire"],
                person_ref=form.cleaned_data["person_ref"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("screening:section", pk=screening.pk, index=1)
    return render(
        request,
        "screening/screening_new.html",
        {"form": form, "emergency": emergency},
        status=400 if form.errors else 200,
    )


def _questions_for_template(form, questions, answers, beside: str = ""):
    rows = []
    for question in questions:
        show_if = question.show_if or {}
        rows.append(
            {
                "question": question,
                "field": form[question.id],
                "unknown": form[f"{question.id}__unknown"] if question.type == "age" else None,
                "show_if": json.dumps(show_if) if "question" in show_if else "",
                # The same question in the person's language, to read aloud or show on screen.
                "beside": localized(question.text, beside) if beside else "",
            }
        )
    return rows


BESIDE = "screening_beside"


def _beside_language(request, language: str) -> str:
    """The person's language chosen to show beside the questions (kept for the session)."""
    from veza.indicators.text import CONTENT_LANGUAGES

    if "beside" in request.GET:
        chosen = request.GET["beside"]
        request.session[BESIDE] = chosen if chosen in CONTENT_LANGUAGES else ""
    chosen = request.session.get(BESIDE, "")
    known = dict(settings.LANGUAGES)
    return chosen if chosen in known and chosen != language else ""


def _hidden_by_earlier_answers(question, parsed, answers, section_ids) -> bool:
    """Hide questions whose condition depends on answers given on earlier pages."""
    from veza.indicators.questionnaire import read_answers

    condition = question.show_if
    if not condition:
        return False
    reading = read_answers(parsed, answers)
    if "age_group" in condition:
        return reading.age_group is not None and reading.age_group != condition["age_group"]
    if "exploitation" in condition:
        wanted = condition["exploitation"]
        return (
            bool(reading.exploitation)
            and wanted not in reading.exploitation
            and not (wanted in ("labour", "sexual") and wanted in reading.kinds)
        )
    if condition.get("question") in section_ids:
        return False  # decided in the page itself
    value = answers.get(condition.get("question"))
    allowed = set(condition.get("in") or [condition.get("equals")])
    if isinstance(value, list):
        return not allowed.intersection(value)
    return value not in allowed


@require_http_methods(["GET", "POST"])
def screening_section(request, pk: int, index: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    if not screening.is_draft:
        return redirect("screening:detail", pk=screening.pk)
    if not request.user.has_perm("screening.change_screening", screening.organisation):
        raise PermissionDeniedError()
    parsed = _parsed(screening)
    total = len(parsed.sections)
    if not 1 <= index <= total:
        return redirect("screening:section", pk=screening.pk, index=1)
    section = parsed.sections[index - 1]
    language = get_language()
    form = section_form(
        parsed, index - 1, language=language, data=request.POST or None, answers=screening.answers
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                screening_save(
                    actor=request.user,
                    screening=screening,
                    answers=form.answers(),
                    expected_version=posted_version(request),
                    section=index,
                )
            except ConflictError as exc:
                # Keep what the person typed: show it again with the newer version to save over.
                screening.refresh_from_db()
                messages.error(request, exc.message)
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
                status = 400
            else:
                target = request.POST.get("go")
                if target == "back" and index > 1:
                    return redirect("screening:section", pk=screening.pk, index=index - 1)
                if target == "later":
                    messages.success(
                        request,
                        _("Saved. You can continue screening %(ref)s later.")
                        % {"ref": screening.reference},
                    )
                    return redirect("screening:list")
                if index < total:
                    return redirect("screening:section", pk=screening.pk, index=index + 1)
                return redirect("screening:review", pk=screening.pk)
        else:
            status = 400
    beside = _beside_language(request, language)
    section_ids = {q.id for q in section.questions}
    questions = [
        q
        for q in section.questions
        if not _hidden_by_earlier_answers(q, parsed, screening.answers, section_ids)
    ]
    return render(
        request,
        "screening/screening_section.html",
        {
            "screening": screening,
            "questionnaire": parsed,
            "section": section,
            "section_title": localized(section.title, language),
            "section_intro": localized(section.intro, language),
            "guidance": localized(parsed.guidance, language) if index == 1 else "",
            "intro": localized(parsed.intro, language) if index == 1 else "",
            "rows": _questions_for_template(form, questions, screening.answers, beside),
            "beside": beside,
            "beside_title": localized(section.title, beside) if beside else "",
            "beside_choices": [
                (code, name)
                for code, name in settings.LANGUAGE_NATIVE_NAMES.items()
                if code != language
            ],
            "form": form,
            "index": index,
            "total": total,
            "is_last": index == total,
        },
        status=status,
    )


def _answer_summary(parsed, answers, language):
    from veza.screening.forms import YES_NO_LABELS

    labels = dict(YES_NO_LABELS)
    rows = []
    for number, section in enumerate(parsed.sections, start=1):
        items = []
        for question in section.questions:
            value = answers.get(question.id)
            if value in (None, "", []):
                continue
            if question.type == "yes_no":
                shown = str(labels.get(value, value))
            elif question.type in ("choice", "multi"):
                options = {o.value: localized(o.text, language) for o in question.options}
                values = value if isinstance(value, list) else [value]
                shown = ", ".join(options.get(v, v) for v in values)
            elif question.type == "exploitation":
                shown = ", ".join(str(EXPLOITATION_LABELS.get(v, v)) for v in value)
            elif value == "unknown_child":
                shown = _("Unknown — may be a child")
            elif value == "unknown_adult":
                shown = _("Unknown — clearly an adult")
            else:
                shown = str(value)
            items.append((localized(question.text, language), shown))
        rows.append({"number": number, "title": localized(section.title, language), "items": items})
    return rows


@require_GET
def screening_review(request, pk: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    if not screening.is_draft:
        return redirect("screening:detail", pk=screening.pk)
    parsed = _parsed(screening)
    return render(
        request,
        "screening/screening_review.html",
        {
            "screening": screening,
            "summary": _answer_summary(parsed, screening.answers, get_language()),
            "total": len(parsed.sections),
        },
    )


@require_POST
def screening_complete_view(request, pk: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    try:
        screening_complete(
            actor=request.user,
            screening=screening,
            expected_version=posted_version(request),
        )
    except ValidationError as exc:
        parsed = _parsed(screening)
        problems = [str(exc.message)] if not exc.fields else []
        titles = {q.id: localized(q.text) for q in parsed.questions.values()}
        for field, field_problems in exc.fields.items():
            problems += [f"{titles.get(field, field)}: {p}" for p in field_problems]
        return render(
            request,
            "screening/screening_review.html",
            {
                "screening": screening,
                "summary": _answer_summary(parsed, screening.answers, get_language()),
                "total": len(parsed.sections),
                "problems": problems,
            },
            status=400,
        )
    return redirect("screening:detail", pk=screening.pk)


def _outcome_context(screening):
    """Everything the outcome page explains, in the page language."""
    language = get_language()
    result = screening.result or {}
    set_rows = {s.code: s for s in screening.sets.all()}
    explained = []
    for set_result in result.get("sets", []):
        indicator_set = set_rows.get(set_result["set"])
        texts = {}
        if indicator_set is not None:
            texts = {
                i.id: (localized(i.text, language), i.strength, i.provenance)
                for i in indicator_set.parsed.indicators
            }
        dimensions = []
        for code, state in set_result["dimensions"].items():
            dimensions.append(
                {
                    "code": code,
                    "label": Dimension(code).label,
                    "positive": state["positive"],
                    "counts": state["counts"],
                    "indicators": [
                        {
                            "id": i,
                            "text": texts.get(i, (i, "", ""))[0],
                            "strength": texts.get(i, (i, "", ""))[1],
                            # A draft list is marked once, at its title; here only drafts
                            # inside a verified list.
                            "draft": indicator_set is not None
                            and indicator_set.provenance != "draft"
                            and texts.get(i, ("", "", ""))[2] == "draft",
                        }
                        for i in state["present"]
                    ],
                }
            )
        explained.append(
            {
                "set": indicator_set,
                "result": set_result,
                "outcome_label": Outcome(set_result["outcome"]).label,
                "deciding": set_result["set"] == result.get("deciding_set"),
                "dimensions": dimensions,
                "elements": [
                    {"code": e, "label": Element(e).label, **set_result["elements"][e]}
                    for e in set_result["elements"]
                ],
                "fired": set_result["fired"],
            }
        )
    supplementary = []
    for item in result.get("supplementary", []):
        s = IndicatorSet.objects.filter(code=item["set"], version=item["version"]).first()
        if s is not None:
            by_id = {i.id: localized(i.text, language) for i in s.parsed.indicators}
            supplementary.append({"set": s, "signals": [by_id.get(i, i) for i in item["present"]]})
    return {
        "urgent": [UrgentFlag(f).label for f in screening.urgent if f in UrgentFlag.values],
        "outcome_label": Outcome(screening.outcome).label if screening.outcome else "",
        "action_label": Action(screening.action).label if screening.action in Action.values else "",
        "quick_label": QuickAction(screening.quick_action).label if screening.quick_action else "",
        "origin_tool": ORIGIN_TOOLS.get(screening.origin_tool, screening.origin_tool),
        "explained": explained,
        "supplementary": supplementary,
        "exploitation": [str(EXPLOITATION_LABELS.get(e, e)) for e in screening.exploitation],
    }


@require_GET
def screening_detail(request, pk: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    audit_read(
        "screening.read",
        actor=request.user,
        obj=screening,
        organisation_id=screening.organisation_id,
    )
    if screening.is_draft:
        if request.user.has_perm("screening.change_screening", screening.organisation):
            return redirect(
                "screening:section", pk=screening.pk, index=max(1, screening.current_section or 1)
            )
        # Someone who may see but not answer it (a coordinator): the answers so far, read-only.
        parsed = _parsed(screening)
        return render(
            request,
            "screening/screening_review.html",
            {
                "screening": screening,
                "summary": _answer_summary(parsed, screening.answers, get_language()),
                "total": len(parsed.sections),
                "read_only": True,
            },
        )
    context = {"screening": screening, **_outcome_context(screening)}
    if screening.mode == Mode.QUICK and request.user.has_perm(
        "screening.add_screening", screening.organisation
    ):
        bundle = content_bundle(screening.participant)
        context["follow_up_choices"] = sorted(
            (code, localized(q.content.get("title")))
            for code, q in bundle.questionnaires.items()
            if q.mode == Mode.FULL
        )
    context["follow_ups"] = screening.follow_ups.all()
    context["actions"] = actions_for("screening.outcome", request, screening)
    return render(request, "screening/screening_outcome.html", context)


@require_POST
def screening_follow_up_view(request, pk: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    try:
        follow_up = screening_follow_up(
            actor=request.user,
            screening=screening,
            questionnaire_code=request.POST.get("questionnaire", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.text())
        return redirect("screening:detail", pk=screening.pk)
    messages.success(request, _("The answers of the quick screen were carried over."))
    return redirect("screening:section", pk=follow_up.pk, index=1)


@require_POST
def screening_discard_view(request, pk: int):
    screening = screening_get_visible(user=request.user, pk=pk)
    reference = screening.reference
    screening_discard(actor=request.user, screening=screening)
    messages.success(request, _("Screening %(ref)s was discarded.") % {"ref": reference})
    return redirect(reverse("screening:list"))

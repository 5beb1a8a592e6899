"""Pages: the worklist, the service directory, referrals and their answers, case exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.cases.emergency import refuse_under_emergency
from veza.cases.forms import DecisionForm
from veza.cases.selectors import case_get_visible
from veza.core.audit import audit_log, audit_read
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.paging import BoundedPaginator
from veza.core.scoping import require_perm
from veza.core.stepup import step_up_gate
from veza.core.web import add_errors, posted_version
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope
from veza.referrals.choices import ServiceType
from veza.referrals.export import case_htcds, case_summary_pdf
from veza.referrals.forms import (
    FIELD_LABELS,
    DeclineForm,
    DirectoryFilterForm,
    ReferralForm,
    ServiceForm,
)
from veza.referrals.models import CaseProgress, Deadline, Service
from veza.referrals.notices import notices_read, notices_unread
from veza.referrals.selectors import directory_search, referral_get_visible, worklist
from veza.referrals.services import (
    DEFAULT_SHARED,
    referral_accept,
    referral_complete,
    referral_decide,
    referral_decline,
    referral_send,
    referral_shared_data,
    referral_start,
    referral_withdraw,
    service_save,
)
from veza.referrals.sop import sop_for

__all__ = [
    "case_export_json",
    "case_export_pdf",
    "case_panels",
    "directory",
    "progress_update",
    "referral_act",
    "referral_detail",
    "referral_new",
    "service_edit",
    "worklist_view",
]


@require_GET
def worklist_view(request):
    require_perm(request.user, "referrals.view_referral")
    lists = worklist(user=request.user)
    # The lists that grow with the instance's work come a page at a time, each under its own
    # query parameter (the others are short by construction: see the selector).
    for name in WORKLIST_PAGED:
        lists[name] = BoundedPaginator(lists[name], WORKLIST_PAGE).get_page(request.GET.get(name))
    notices = notices_unread(request.user)
    return render(
        request, "referrals/worklist.html", {**lists, "notices": notices, "now": timezone.now()}
    )


#: The worklist's lists shown a page at a time, and how many rows one page of each holds.
WORKLIST_PAGED = ("overdue", "due_soon", "waiting_for_me", "awaiting_answer")
WORKLIST_PAGE = 20


@require_POST
def notices_read_view(request):
    """Mark one's own notices as read (all, or those of one app), then go back to the page."""
    prefix = request.POST.get("prefix", "")[:40]
    notices_read(request.user, prefix=prefix)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("referrals:worklist")
    return redirect(back)


@require_GET
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    services = directory_search(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(services, 25).get_page(request.GET.get("page"))
    own = user_scope(request.user).organisations_with("referrals.change_service")
    return render(
        request,
        "referrals/directory.html",
        {"form": form, "services": page, "page": page, "can_edit": bool(own), "own": own},
    )


@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int | None = None):
    own = user_scope(request.user).organisations_with("referrals.change_service")
    if not own:
        raise PermissionDeniedError()
    service = None
    if pk is not None:
        service = Service.objects.filter(pk=pk, organisation_id__in=own).first()
        if service is None:
            from veza.core.errors import NotFoundError

            raise NotFoundError()
    organisation = (
        service.organisation
        if service
        else Organisation.objects.filter(pk__in=own).order_by("name").first()
    )
    initial = {}
    if service is not None:
        initial = {f: getattr(service, f) for f in ServiceForm.base_fields}
        initial["languages"] = ", ".join(service.languages)
    form = ServiceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            service_save(
                actor=request.user,
                organisation=organisation,
                service=service,
                expected_version=posted_version(request, missing=None),
                **form.values(),
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("referrals:directory")
    return render(
        request,
        "referrals/service_form.html",
        {"form": form, "service": service, "organisation": organisation},
        status=status if status != 200 else (400 if form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
def referral_new(request, case_pk: int):
    case = case_get_visible(user=request.user, pk=case_pk)
    refuse_under_emergency(case)
    if not request.user.has_perm("referrals.add_referral", case.organisation):
        raise PermissionDeniedError()
    services = [
        s
        for s in directory_search(user=request.user)
        if s.organisation.participant_id == case.participant_id
        and s.organisation_id != case.organisation_id
    ]
    wanted = request.GET.get("service_type")
    if wanted in ServiceType.values:
        services = [s for s in services if s.service_type == wanted]
    form = ReferralForm(
        request.POST or None, services=services, initial={"shared_fields": DEFAULT_SHARED}
    )
    if request.method == "POST" and form.is_valid():
        service = next(s for s in services if str(s.pk) == form.cleaned_data["service"])
        try:
            referral = referral_send(
                actor=request.user,
                case=case,
                service=service,
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
                shared_fields=form.cleaned_data["shared_fields"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Referral sent to %(org)s.") % {"org": service.organisation.name}
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@require_GET
def referral_detail(request, pk: int):
    referral = referral_get_visible(user=request.user, pk=pk)
    audit_read(
        "referral.read",
        actor=request.user,
        obj=referral,
        organisation_id=referral.to_organisation_id,
    )
    user = request.user
    receiving = user.has_perm("referrals.view_referral", referral.to_organisation)
    sending = user.has_perm("referrals.view_referral", referral.from_organisation)
    shared = referral_shared_data(actor=user, referral=referral) if receiving else None
    can_answer = user.has_perm("referrals.respond_referral", referral.to_organisation)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "shared": [
                (FIELD_LABELS.get(k, k), v) for k, v in (shared or {}).items() if k != "code"
            ],
            "receiving": receiving,
            "sending": sending,
            "can_answer": can_answer,
            "can_withdraw": user.has_perm("referrals.add_referral", referral.from_organisation),
            "can_decide": can_answer
            and referral.service.service_type == ServiceType.IDENTIFICATION
            and user.has_perm("cases.record_decision", referral.to_organisation),
            "decline_form": DeclineForm(),
            "decision_form": DecisionForm(initial={"decided_on": timezone.localdate()}),
            "deadlines": referral.deadlines.all(),
            "shared_labels": [FIELD_LABELS.get(f, f) for f in referral.shared_fields],
        },
    )


ACTIONS = {
    "accept": referral_accept,
    "start": referral_start,
    "complete": referral_complete,
    "withdraw": referral_withdraw,
}


@require_POST
def referral_act(request, pk: int, step: str):
    referral = referral_get_visible(user=request.user, pk=pk)
    expected = posted_version(request, missing=None)
    try:
        if step == "decline":
            referral_decline(
                actor=request.user,
                referral=referral,
                reason=request.POST.get("reason", ""),
                expected_version=expected,
            )
        elif step == "decide":
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(fields={k: list(v) for k, v in form.errors.items()})
            referral_decide(actor=request.user, referral=referral, **form.cleaned_data)
        elif step in ACTIONS:
            ACTIONS[step](actor=request.user, referral=referral, expected_version=expected)
        else:
            from veza.core.errors import NotFoundError

            raise NotFoundError()
        messages.success(request, _("Done."))
    except (ValidationError, ConflictError) as exc:
        problems = [p for ps in getattr(exc, "fields", {}).values() for p in ps]
        messages.error(request, "; ".join(str(p) for p in problems) or str(exc.message))
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def progress_update(request, case_pk: int):
    case = case_get_visible(user=request.user, pk=case_pk)
    refuse_under_emergency(case)
    if not request.user.has_perm("cases.change_case", case):
        raise PermissionDeniedError()
    sop = sop_for(case.participant.code)
    stages = {s["id"]: s for s in sop["stages"]}
    stage = request.POST.get("stage")
    if stage not in stages:
        messages.error(request, _("Choose one of the stages."))
        return redirect("cases:detail", pk=case.pk)
    items = {i["id"] for i in stages[stage]["checklist"]}
    done = [d for d in request.POST.getlist("done") if d in items]
    progress, _created = CaseProgress.objects.get_or_create(case=case, defaults={"stage": stage})
    progress.stage, progress.done = stage, done
    progress.save()
    audit_log(
        "case.progress",
        actor=request.user,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"stage": stage, "done": done},
    )
    messages.success(request, _("Saved."))
    return redirect("cases:detail", pk=case.pk)


def case_panels(request, case) -> list[str]:
    """Panels the referrals add to a case page: SOP stage, referrals, deadlines."""
    sop = sop_for(case.participant.code)
    progress = CaseProgress.objects.filter(case=case).first()
    stage_id = progress.stage if progress else sop["stages"][0]["id"]
    stage = next((s for s in sop["stages"] if s["id"] == stage_id), sop["stages"][0])
    context = {
        "case": case,
        "stages": sop["stages"],
        "stage": stage,
        "done": progress.done if progress else [],
        "referrals": case.referrals.select_related("to_organisation", "service"),
        "deadlines": Deadline.objects.filter(case=case).select_related("organisation"),
        "now": timezone.now(),
        "can_refer": request.user.has_perm("referrals.add_referral", case.organisation)
        and not case.is_closed,
        "can_edit": request.user.has_perm("cases.change_case", case) and not case.is_closed,
    }
    return [render_to_string("referrals/_case_panels.html", context, request=request)]


def case_actions(request, case) -> list[dict]:
    actions = []
    if request.user.has_perm("cases.view_case", case):
        actions.append(
            {
                "label": _("Export (HTCDS JSON)"),
                "url": reverse("referrals:case-json", kwargs={"case_pk": case.pk}),
                "method": "post",
            }
        )
        actions.append(
            {
                "label": _("Case summary (PDF)"),
                "url": reverse("referrals:case-pdf", kwargs={"case_pk": case.pk}),
                "method": "post",
            }
        )
    return actions


def _export_allowed(request, case_pk: int, purpose: str):
    """The case, if it may be exported now; else the step-up form to answer with. Emergency
    access never exports (403)."""
    case = case_get_visible(user=request.user, pk=case_pk)
    refuse_under_emergency(case)
    return case, step_up_gate(request, purpose=purpose)


@require_POST
def case_export_json(request, case_pk: int):
    case, asked = _export_allowed(request, case_pk, "case.export")
    if asked is not None:
        return asked
    data = case_htcds(actor=request.user, case=case)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{case.code}.json"'
    return response


@require_POST
def case_export_pdf(request, case_pk: int):
    case, asked = _export_allowed(request, case_pk, "case.export")
    if asked is not None:
        return asked
    pdf = case_summary_pdf(actor=request.user, case=case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.code}.pdf"'
    return response

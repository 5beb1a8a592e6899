"""Case pages: list, open (from a screening), detail with timeline, facts, identity, consent,
formal decision, close. Names are only ever sent in POST bodies, never in URLs."""

from __future__ import annotations

import math

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.cases.choices import CaseStatus, Exploitation, MethodOfControl
from veza.cases.emergency import may_view_identity, refuse_under_emergency
from veza.cases.forms import CaseFactsForm, ConsentForm, DecisionForm, IdentityForm, NameSearchForm
from veza.cases.models import Consent
from veza.cases.selectors import case_get_visible, case_list_visible
from veza.cases.services import (
    case_close,
    case_open,
    case_update,
    consent_record,
    consent_withdraw,
    decision_record,
    identity_read,
    identity_search,
    identity_write,
)
from veza.core.audit import audit_read
from veza.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from veza.core.hooks import actions_for, panels_for
from veza.core.paging import BoundedPaginator
from veza.core.scoping import require_perm
from veza.core.web import add_errors, posted_version
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope
from veza.screening.selectors import screening_get_visible

__all__ = [
    "case_close_view",
    "case_detail",
    "case_edit",
    "case_list",
    "case_new",
    "consent_new",
    "consent_withdraw_view",
    "decision_new",
    "identity_edit",
    "identity_view",
    "screening_actions",
]


def _render_form(request, title, form, *, case=None, intro="", submit=None, status=200):
    return render(
        request,
        "cases/form.html",
        {"title": title, "form": form, "case": case, "intro": intro, "submit": submit or _("Save")},
        status=400 if form.errors and status == 200 else status,
    )


@require_http_methods(["GET", "POST"])
def case_list(request):
    found = None
    search = NameSearchForm(request.POST or None)
    can_search = bool(user_scope(request.user).organisations_with("cases.view_identity"))
    if request.method == "POST":
        if not can_search:
            raise PermissionDeniedError()
        if search.is_valid():
            found = identity_search(actor=request.user, name=search.cleaned_data["name"])
    status = request.GET.get("status") if request.GET.get("status") in CaseStatus else None
    cases = case_list_visible(user=request.user, status=status, q=(request.GET.get("q") or "")[:24])
    page = BoundedPaginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "statuses": CaseStatus.choices,
            "status": status or "",
            "q": request.GET.get("q", ""),
            "search": search if can_search else None,
            "found": found,
        },
    )


@require_http_methods(["GET", "POST"])
def case_new(request):
    require_perm(request.user, "cases.add_case")
    screening = None
    if request.GET.get("screening"):
        screening = screening_get_visible(user=request.user, pk=request.GET["screening"])
    orgs = user_scope(request.user).organisations_with("cases.add_case")
    if screening is not None:
        if screening.organisation_id not in orgs:
            raise PermissionDeniedError()
        organisation = screening.organisation
    else:
        organisation = Organisation.objects.filter(pk__in=orgs).order_by("name").first()
    initial = {}
    if screening is not None:
        initial = {"age": screening.age, "is_child": screening.age_group == "child"}
    form = CaseFactsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(
                actor=request.user,
                organisation=organisation,
                screening=screening,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Case %(code)s is open.") % {"code": case.code})
            return redirect("cases:detail", pk=case.pk)
    intro = _(
        "A case holds what is needed to protect the person. Record the identity only if "
        "the person agreed and it is needed."
    )
    if screening is not None:
        intro = _("Opening a case from screening %(ref)s.") % {"ref": screening.reference}
    return _render_form(request, _("Open a case"), form, intro=intro, submit=_("Open the case"))


def _countdown(case):
    if not case.reflection_started_at:
        return None
    days = case.participant.reflection_days
    ends = case.reflection_started_at + timezone.timedelta(days=days)
    left = math.ceil((ends - timezone.now()).total_seconds() / 86400)
    return {
        "days": days,
        "ends": ends,
        "left": max(left, 0),
        "over": left < 0,
        "share": min(100, max(0, round(100 * (days - max(left, 0)) / days))),
    }


@require_GET
def case_detail(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    if not case.emergency_access:  # a break-the-glass read is audited as such already
        audit_read("case.read", actor=request.user, obj=case, organisation_id=case.organisation_id)
    user = request.user
    labels = {**dict(Exploitation.choices), **dict(MethodOfControl.choices)}
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "exploitation": [labels.get(e, e) for e in case.exploitation],
            "control": [labels.get(c, c) for c in case.control_methods],
            "screenings": case.screenings.all(),
            "decisions": case.decisions.select_related("organisation"),
            "consents": case.consents.select_related("recipient"),
            "events": case.events.select_related("actor", "organisation")[:100],
            "countdown": _countdown(case),
            "can_edit": user.has_perm("cases.change_case", case) and not case.is_closed,
            "can_identity": may_view_identity(user, case),
            "can_consent": user.has_perm("cases.manage_consent", case) and not case.is_closed,
            "can_decide": bool(user_scope(user).organisations_with("cases.record_decision"))
            and not case.is_closed,
            "actions": actions_for("case.detail", request, case),
            "panels": [
                p for provider in panels_for("case.panels") for p in provider(request, case)
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    refuse_under_emergency(case)
    initial = {f: getattr(case, f) for f in CaseFactsForm.base_fields}
    form = CaseFactsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case_update(
                actor=request.user,
                case=case,
                expected_version=posted_version(request),
                **form.cleaned_data,
            )
        except ConflictError as exc:
            case.refresh_from_db()
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", pk=case.pk)
    return _render_form(request, _("Facts of the case"), form, case=case, status=status)


@require_GET
def identity_view(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    identity = identity_read(actor=request.user, case=case)
    return render(
        request,
        "cases/identity.html",
        {
            "case": case,
            "identity": identity,
            "can_edit": request.user.has_perm("cases.change_identity", case) and not case.is_closed,
        },
    )


@require_http_methods(["GET", "POST"])
def identity_edit(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    refuse_under_emergency(case)
    if not request.user.has_perm("cases.change_identity", case):
        raise PermissionDeniedError()
    initial = {}
    if request.method == "GET":
        identity = identity_read(actor=request.user, case=case)
        if identity is not None:
            initial = {
                "given_names": identity.given_names,
                "family_name": identity.family_name,
                "other_names": identity.other_names,
                "date_of_birth": identity.date_of_birth or None,
                "place_of_birth": identity.place_of_birth,
                "documents": "\n".join(identity.documents or []),
                "contacts": "\n".join(identity.contacts or []),
                "languages": ", ".join(identity.languages or []),
            }
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            identity_write(actor=request.user, case=case, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The identity was saved. It is stored encrypted."))
            return redirect("cases:identity", pk=case.pk)
    return _render_form(
        request,
        _("Identity"),
        form,
        case=case,
        intro=_(
            "Only people with the identity permission in this organisation can see this. "
            "Every look is recorded."
        ),
    )


@require_http_methods(["GET", "POST"])
def consent_new(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    refuse_under_emergency(case)
    if not request.user.has_perm("cases.manage_consent", case):
        raise PermissionDeniedError()
    organisations = list(
        Organisation.objects.filter(participant=case.participant, is_active=True).order_by("name")
    )
    form = ConsentForm(
        request.POST or None,
        organisations=organisations,
        initial={"given_by": "guardian" if case.is_child else "person"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipient = next((o for o in organisations if str(o.pk) == data["recipient"]), None)
        try:
            consent_record(
                actor=request.user,
                case=case,
                purpose=data["purpose"],
                recipient=recipient,
                information_version=data["information_version"],
                given_by=data["given_by"],
                child_views=data["child_views"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#consent")
    return _render_form(
        request,
        _("Record consent"),
        form,
        case=case,
        intro=_(
            "Consent is given for one purpose and, where it applies, one "
            "recipient. It can be withdrawn at any time."
        ),
    )


@require_POST
def consent_withdraw_view(request, pk: int):
    consent = Consent.objects.select_related("case").filter(pk=pk).first()
    if consent is None:
        raise NotFoundError()
    refuse_under_emergency(case_get_visible(user=request.user, pk=consent.case_id))
    try:
        consent_withdraw(actor=request.user, consent=consent, note=request.POST.get("note", ""))
        messages.success(request, _("Consent withdrawn: nothing more is shared under it."))
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("cases:detail", kwargs={"pk": consent.case_id}) + "#consent")


@require_http_methods(["GET", "POST"])
def decision_new(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    refuse_under_emergency(case)
    bodies = user_scope(request.user).organisations_with("cases.record_decision")
    body = Organisation.objects.filter(pk__in=bodies).order_by("name").first()
    if body is None:
        raise PermissionDeniedError()
    form = DecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            decision_record(actor=request.user, case=case, organisation=body, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("cases:detail", pk=case.pk)
    return _render_form(
        request,
        _("Formal identification decision"),
        form,
        case=case,
        intro=_("Recorded in the name of %(body)s.") % {"body": body.name},
    )


@require_POST
def case_close_view(request, pk: int):
    case = case_get_visible(user=request.user, pk=pk)
    refuse_under_emergency(case)
    try:
        case_close(
            actor=request.user,
            case=case,
            expected_version=posted_version(request),
            referred=request.POST.get("referred") == "1",
        )
        messages.success(request, _("The case is closed."))
    except (ValidationError, ConflictError) as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", pk=case.pk)


def screening_actions(request, screening) -> list[dict]:
    """On a screening's outcome page: open a case from it, or go to the cases it belongs to."""
    actions = []
    user = request.user
    for case in screening.cases.visible_to(user) if hasattr(screening, "cases") else []:
        actions.append(
            {
                "label": _("Case %(code)s") % {"code": case.code},
                "url": reverse("cases:detail", kwargs={"pk": case.pk}),
            }
        )
    if not screening.is_draft and user.has_perm("cases.add_case", screening.organisation):
        actions.insert(
            0,
            {"label": _("Open a case"), "url": reverse("cases:new") + f"?screening={screening.pk}"},
        )
    return actions

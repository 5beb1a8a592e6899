"""Pages of referrals between participants: refer a case to another participant's service (from
the case page), the list of referrals sent and received, and one referral with its answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from veza.cases.models import Case
from veza.core.audit import audit_log
from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import access_by_id, require_perm
from veza.core.web import add_errors
from veza.federation.models import CrossBorderReferral, PeerStatus, RemoteService
from veza.federation.referrals import referral_offer, referral_update
from veza.organisations.scope import user_scope
from veza.referrals.choices import ServiceType, Urgency
from veza.referrals.services import CASE_FIELDS, DEFAULT_SHARED, IDENTITY_FIELDS

__all__ = ["case_actions", "case_panels", "refer", "referral_detail", "referral_list"]

PERM = "federation.refer_cross_border"
VIEW = "federation.view_crossborderreferral"
FIELD_LABELS = {
    "is_child": gettext_lazy("child or not"),
    "sex": gettext_lazy("sex"),
    "age": gettext_lazy("age"),
    "citizenship": gettext_lazy("citizenship"),
    "exploitation": gettext_lazy("forms of exploitation"),
    "control_methods": gettext_lazy("methods of control"),
    "trafficking_status": gettext_lazy("trafficking status"),
    "screening_outcome": gettext_lazy("screening outcome"),
    "given_names": gettext_lazy("given names"),
    "family_name": gettext_lazy("family name"),
    "date_of_birth": gettext_lazy("date of birth"),
    "languages": gettext_lazy("languages"),
    "contacts": gettext_lazy("contacts"),
    "documents": gettext_lazy("documents"),
}


def _remote_services():
    return RemoteService.objects.filter(peer__status=PeerStatus.ACTIVE).select_related("peer")


class ReferForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service in another participant"), queryset=RemoteService.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you refer the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Urgency.choices)
    shared_fields = forms.MultipleChoiceField(
        label=gettext_lazy("What the other organisation receives"),
        choices=[(f, FIELD_LABELS[f]) for f in CASE_FIELDS + IDENTITY_FIELDS if f in FIELD_LABELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Only what the service needs. Identity fields go only with the person's agreement."
        ),
    )
    identity_confirmed = forms.BooleanField(
        label=gettext_lazy(
            "The person agreed to send the identity fields I chose to the other country"
        ),
        required=False,
    )
    risk_assessment = forms.CharField(
        label=gettext_lazy("Risk assessment (for a return)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
        help_text=gettext_lazy(
            "Before any return: the person's safety, the family and community, the reception on "
            "arrival; for a child, why the return is in the child's best interests."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = _remote_services()
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.peer.participant} — {s.organisation_name}"
            f"{', ' + s.city if s.city else ''} — {ServiceType(s.service_type).label}"
        )


@require_http_methods(["GET", "POST"])
def refer(request, case_pk):
    case = access_by_id(Case, request.user, case_pk, perm=PERM)
    form = ReferForm(
        request.POST or None, initial={"shared_fields": DEFAULT_SHARED, "urgency": "routine"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_offer(
                actor=request.user,
                case=case,
                remote_service=form.cleaned_data["service"],
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
                shared_fields=form.cleaned_data["shared_fields"],
                risk_assessment=form.cleaned_data["risk_assessment"],
                identity_confirmed=form.cleaned_data["identity_confirmed"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The referral is on its way to the other participant."))
            return redirect("federation:referral", pk=referral.pk)
    return render(
        request,
        "federation/refer.html",
        {"case": case, "form": form, "has_services": _remote_services().exists()},
        status=400 if form.errors else 200,
    )


def _visible(user):
    scope = user_scope(user)
    orgs = scope.organisations_with(VIEW)
    participants = scope.participants_with("cases.view_participant_cases")
    return CrossBorderReferral.objects.filter(
        Q(organisation_id__in=orgs) | Q(organisation__participant_id__in=participants)
    ).select_related("peer", "case", "organisation")


@require_GET
def referral_list(request):
    require_perm(request.user, VIEW)
    return render(request, "federation/referrals.html", {"referrals": _visible(request.user)[:200]})


@require_http_methods(["GET", "POST"])
def referral_detail(request, pk):
    require_perm(request.user, VIEW)
    referral = _visible(request.user).filter(pk=pk).first()
    if referral is None:
        raise NotFoundError()
    error = ""
    if request.method == "POST":
        try:
            referral_update(
                actor=request.user,
                referral=referral,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = exc.text()
        else:
            messages.success(request, _("Done. The other participant is told."))
            return redirect("federation:referral", pk=referral.pk)
    shared = []
    if referral.direction == "in" and referral.shared_data:
        shared = [(FIELD_LABELS.get(k, k), v) for k, v in referral.shared_data.items()]
        if any(k in IDENTITY_FIELDS for k in referral.shared_data):
            audit_log(
                "federation.read_shared_identity",
                actor=request.user,
                obj=referral,
                organisation_id=referral.organisation_id,
                detail={"fields": [k for k in referral.shared_data if k in IDENTITY_FIELDS]},
            )
    may_answer = referral.direction == "in" and request.user.has_perm(
        "referrals.respond_referral", referral.organisation
    )
    may_withdraw = referral.direction == "out" and request.user.has_perm(
        PERM, referral.organisation
    )
    return render(
        request,
        "federation/referral.html",
        {
            "referral": referral,
            "shared": shared,
            "may_answer": may_answer,
            "may_withdraw": may_withdraw,
            "error": error,
        },
        status=400 if error else 200,
    )


def case_actions(request, case) -> list[dict]:
    if case.is_closed or not request.user.has_perm(PERM, case.organisation):
        return []
    return [
        {
            "label": _("Refer to another participant"),
            "url": reverse("federation:refer", kwargs={"case_pk": case.pk}),
        }
    ]


def case_panels(request, case) -> list[str]:
    referrals = list(case.cross_border_referrals.select_related("peer"))
    if not referrals:
        return []
    return [
        render_to_string("federation/_case_panel.html", {"referrals": referrals}, request=request)
    ]

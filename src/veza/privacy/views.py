"""The subject-access page: whoever holds `privacy.subject_access` downloads everything held about
the person of a case in their scope, as JSON or PDF, with a fresh code from the authenticator."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from veza.core.audit import audit_log
from veza.core.scoping import require_perm
from veza.privacy.subject_access import (
    PERM,
    case_for_subject_access,
    subject_access_export,
)

__all__ = ["subject_access"]


class SubjectAccessForm(forms.Form):
    case = forms.CharField(
        label=_("Case code"),
        max_length=40,
        help_text=_("The case of the person who asked, e.g. RS-2026-7K2Q9D."),
    )
    format = forms.ChoiceField(
        label=_("File"),
        choices=[
            ("pdf", _("PDF summary, to hand to the person")),
            ("json", _("JSON, complete and machine-readable")),
        ],
        initial="pdf",
    )
    language = forms.ChoiceField(label=_("Language of the PDF"), choices=settings.LANGUAGES)
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        help_text=_("An export of personal data needs a fresh code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _fresh_code(user, code: str) -> str:
    from django_otp import devices_for_user

    from veza.core.totp import verify_code

    return verify_code(devices_for_user(user, confirmed=True), code)[0]


@require_http_methods(["GET", "POST"])
def subject_access(request):
    require_perm(request.user, PERM)
    form = SubjectAccessForm(
        request.POST or None, initial={"language": (get_language() or "en").lower()}
    )
    if request.method == "POST" and form.is_valid():
        # Look the case up first: outside the user's scope it is "not found" (404).
        case = case_for_subject_access(form.cleaned_data["case"], user=request.user)
        outcome = _fresh_code(request.user, form.cleaned_data["code"])
        if outcome != "ok":
            with transaction.atomic():
                audit_log(
                    "subject_access.export_failed",
                    actor=request.user,
                    obj=case,
                    organisation_id=case.organisation_id,
                    detail={"step": "code"},
                )
            form.add_error(
                "code",
                _("Too many wrong codes. Wait a few seconds, then try again.")
                if outcome == "throttled"
                else _("This code is not right or has already been used."),
            )
        else:
            kind = form.cleaned_data["format"]
            made = subject_access_export(
                actor=request.user,
                case=case,
                language=form.cleaned_data["language"],
                formats=(kind,),
            )
            content_type = "application/pdf" if kind == "pdf" else "application/json"
            response = HttpResponse(
                made.pdf if kind == "pdf" else made.json, content_type=content_type
            )
            response["Content-Disposition"] = f'attachment; filename="{made.reference}.{kind}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "privacy/subject_access_page.html",
        {"form": form},
        status=200 if not form.errors else 400,
    )

"""The subject-access page: whoever holds `privacy.subject_access` downloads everything held about
the person of a case in their scope, as JSON or PDF, after a fresh second factor (step-up)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from veza.core.scoping import require_perm
from veza.core.stepup import step_up_gate
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


@require_http_methods(["GET", "POST"])
def subject_access(request):
    require_perm(request.user, PERM)
    form = SubjectAccessForm(
        request.POST or None, initial={"language": (get_language() or "en").lower()}
    )
    if request.method == "POST" and form.is_valid():
        # Look the case up first: outside the user's scope it is "not found" (404).
        case = case_for_subject_access(form.cleaned_data["case"], user=request.user)
        # An export of personal data needs a fresh second factor (core.stepup): without one the
        # same POST is answered with the code form, and nothing is exported.
        asked = step_up_gate(request, purpose=PERM)
        if asked is not None:
            return asked
        kind = form.cleaned_data["format"]
        made = subject_access_export(
            actor=request.user,
            case=case,
            language=form.cleaned_data["language"],
            formats=(kind,),
        )
        content_type = "application/pdf" if kind == "pdf" else "application/json"
        response = HttpResponse(made.pdf if kind == "pdf" else made.json, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.reference}.{kind}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "privacy/subject_access_page.html",
        {"form": form},
        status=200 if not form.errors else 400,
    )

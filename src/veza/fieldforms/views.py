"""The offline forms page: download a questionnaire as an XLSForm, import the submissions made
with it, and see earlier imports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.errors import ConflictError, ValidationError
from veza.core.imports import ImportRejected
from veza.core.scoping import require_perm, visible_or_404
from veza.core.text import localized
from veza.core.web import add_errors
from veza.fieldforms.export import form_export
from veza.fieldforms.forms import ExportForm, ImportForm
from veza.fieldforms.models import SubmissionImport
from veza.fieldforms.services import submissions_import
from veza.fieldforms.xlsform import FORM_LANGUAGES
from veza.indicators.services import content_bundle
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope

__all__ = ["form_download", "forms_page", "import_detail"]

ADD = "screening.add_screening"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organisations(user):
    ids = user_scope(user).organisations_with(ADD)
    return list(Organisation.objects.filter(pk__in=ids).select_related("participant"))


def _export_form(data, organisations):
    bundle = content_bundle(organisations[0].participant)
    language = get_language()
    questionnaires = sorted(
        (
            (code, localized(q.content.get("title"), language))
            for code, q in bundle.questionnaires.items()
        ),
        key=lambda c: (c[0] != "quick", c[1]),
    )
    languages = [(code, FORM_LANGUAGES[code][0]) for code in FORM_LANGUAGES]
    initial = {
        "language": language if language in FORM_LANGUAGES else "en",
        "questionnaire": "quick",
    }
    return ExportForm(data, questionnaires=questionnaires, languages=languages, initial=initial)


@require_http_methods(["GET", "POST"])
def forms_page(request):
    require_perm(request.user, ADD)
    organisations = _organisations(request.user)
    export = _export_form(None, organisations)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    problems = []
    status = 200
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        upload = form.cleaned_data["file"]
        try:
            batch = submissions_import(
                actor=request.user,
                organisation=organisation,
                file_name=upload.name,
                raw=upload.read(),
            )
        except ImportRejected as exc:
            problems = exc.rows
            form.add_error(None, exc.message)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Imported %(created)s screening(s); %(duplicates)s already imported "
                    "were skipped."
                )
                % {"created": batch.created, "duplicates": batch.duplicates},
            )
            return redirect("fieldforms:import", pk=batch.pk)
        status = status if status != 200 else 400
    elif request.method == "POST":
        status = 400  # the form's own checks refused it: nothing was read
    return _page(request, export, form, problems, status)


def _page(request, export, form, problems, status):
    imports = SubmissionImport.objects.visible_to(request.user).select_related("organisation")
    return render(
        request,
        "fieldforms/index.html",
        {"export": export, "form": form, "problems": problems, "imports": imports[:20]},
        status=status,
    )


@require_GET
def form_download(request):
    require_perm(request.user, ADD)
    require_perm(request.user, "indicators.view_questionnaire")
    organisations = _organisations(request.user)
    export = _export_form(request.GET, organisations)
    if not export.is_valid():
        form = ImportForm(organisations=organisations)
        imports = SubmissionImport.objects.visible_to(request.user).select_related("organisation")[
            :20
        ]
        return render(
            request,
            "fieldforms/index.html",
            {"export": export, "form": form, "problems": [], "imports": imports},
            status=400,
        )
    made = form_export(
        participant=organisations[0].participant,
        questionnaire_code=export.cleaned_data["questionnaire"],
        language=export.cleaned_data["language"],
    )
    response = HttpResponse(made.content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    return response


@require_GET
def import_detail(request, pk: int):
    batch = visible_or_404(SubmissionImport.objects.visible_to(request.user), pk)
    screenings = batch.screenings.order_by("-completed_at", "id").select_related("questionnaire")
    return render(request, "fieldforms/import.html", {"batch": batch, "screenings": screenings})

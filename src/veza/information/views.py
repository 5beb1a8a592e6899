"""The victim information sheets on screen (the person's language, optionally with the
professional's beside it, right to left where the script is) and as a printable PDF."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from veza.core.errors import NotFoundError, PermissionDeniedError
from veza.information.apps import meets_people
from veza.information.sheets import contacts_for, load_sheets, sheet_language
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope

__all__ = ["index", "sheet", "sheet_pdf"]


def _require(user) -> None:
    if not meets_people(user):
        raise PermissionDeniedError()


def _participant(request, national) -> Participant | None:
    """The participant whose numbers are shown: the one asked for, else the user's own."""
    chosen = national.filter(code=request.GET.get("participant") or "").first()
    if chosen is not None:
        return chosen
    own = user_scope(request.user).participant_by_organisation.values()
    return national.filter(pk__in=list(own)).first()


def _context(request, language: str) -> dict:
    sheets = load_sheets()
    if language not in sheets.languages:
        raise NotFoundError()
    beside = request.GET.get("beside") or ""
    if beside not in sheets.languages or beside == language:
        beside = ""
    national = Participant.objects.exclude(kind=ParticipantKind.REGIONAL).order_by("code")
    participant = _participant(request, national)
    columns = [(language, sheets.direction(language), sheets.in_language(language))]
    if beside:
        columns.append((beside, sheets.direction(beside), sheets.in_language(beside)))
    return {
        "language": language,
        "beside": beside,
        "columns": [
            {
                "language": code,
                "dir": direction,
                "name": sheets.names[code],
                "sheets": items,
                "ui": {key: sheets.label(key, code) for key in sheets.ui},
            }
            for code, direction, items in columns
        ],
        "languages": [(code, sheets.names[code]) for code in sheets.languages],
        "participant": participant,
        "participants": national,
        "contacts": contacts_for(participant.code if participant else None),
        "own_language": sheet_language(get_language()),
    }


@require_GET
def index(request):
    """Choose the person's language (each named in itself)."""
    _require(request.user)
    sheets = load_sheets()
    return render(
        request,
        "information/index.html",
        {
            "languages": [
                (code, sheets.names[code], sheets.direction(code)) for code in sheets.languages
            ],
            "own_language": sheet_language(get_language()),
        },
    )


@require_GET
def sheet(request, language: str):
    _require(request.user)
    return render(request, "information/sheet.html", _context(request, language))


@require_GET
def sheet_pdf(request, language: str):
    """The same sheets to print and hand over (fonts for every script the sheets use)."""
    _require(request.user)
    from weasyprint import CSS, HTML

    context = {**_context(request, language), "pdf": True}
    html = render_to_string("information/sheet_pdf.html", context, request=request)
    css = Path(__file__).resolve().parent.parent / "static/veza/sheet.css"
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(css))])
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"veza-information-{language}{'-' + context['beside'] if context['beside'] else ''}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response

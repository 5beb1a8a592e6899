"""The public self-check (no login, no session, no cookie), its rights page and printable leaflet,
and the protected counts of use for the national coordinator and the regional analyst."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from veza.information.sheets import contacts_for, load_sheets
from veza.prevention.forms import SelfCheckForm
from veza.prevention.selectors import (
    national_participants,
    participant_by_code,
    use_table,
    use_years,
)
from veza.prevention.selfcheck import load_selfcheck, score
from veza.prevention.services import selfcheck_use_record

__all__ = ["check", "index", "leaflet", "rights", "uses"]

#: The information sheets shown on the public rights page.
RIGHTS_SHEETS = ("rights", "get_help")


def _language(code: str) -> str:
    if code not in load_selfcheck().languages:
        raise Http404
    return code


def _numbers(participant) -> list[tuple]:
    """(participant, its numbers) for the chosen participant, or for every one when the person
    preferred not to say: they still need a number to call."""
    chosen = [participant] if participant is not None else list(national_participants())
    return [(p, contacts_for(p.code)) for p in chosen if contacts_for(p.code) is not None]


def _public(request, language: str, **context) -> dict:
    selfcheck = load_selfcheck()
    return {
        "language": language,
        "dir": selfcheck.direction(language),
        "ui": selfcheck.labels(language),
        **context,
    }


@login_not_required
@require_GET
def index(request):
    """Choose a language (each named in itself) and, if the person wants, a participant whose
    numbers to show. Works as a plain GET form: no script, no cookie."""
    selfcheck = load_selfcheck()
    chosen = request.GET.get("lang") or ""
    if chosen in selfcheck.languages:
        url = reverse("prevention:check", args=[chosen])
        participant = participant_by_code(request.GET.get("participant"))
        return redirect(f"{url}?participant={participant.code}" if participant else url)
    return render(
        request,
        "prevention/index.html",
        {
            "languages": [
                (code, selfcheck.names[code], selfcheck.direction(code))
                for code in selfcheck.languages
            ],
            "participants": national_participants(),
        },
    )


# The self-check is csrf-exempt on purpose: it writes no personal data (only adds one to an
# anonymous monthly count) and must set no cookie, and a CSRF token needs one. A forged request
# can at worst add a count, which a visitor can do anyway; nothing is read or changed for anyone.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def check(request, language: str):
    """The questions (GET); the result, rendered directly from the answers (POST). The answers
    are never stored, logged or put in a URL; only the count of completed checks grows."""
    language = _language(language)
    selfcheck = load_selfcheck()
    participants = national_participants()
    if request.method == "POST":
        form = SelfCheckForm(
            request.POST, selfcheck=selfcheck, language=language, participants=participants
        )
        if form.is_valid():
            participant = participant_by_code(form.cleaned_data["participant"])
            selfcheck_use_record(language=language, participant=participant)
            result = score(form.questions, form.answers())
            return render(
                request,
                "prevention/result.html",
                _public(
                    request,
                    language,
                    result=result,
                    level_text=selfcheck.labels(language)[f"level_{result.level}"],
                    tips=selfcheck.tips(language),
                    numbers=_numbers(participant),
                    participant=participant,
                ),
            )
        status = 400
    else:
        chosen = participant_by_code(request.GET.get("participant"))
        form = SelfCheckForm(
            initial={"participant": chosen.code if chosen else ""},
            selfcheck=selfcheck,
            language=language,
            participants=participants,
        )
        status = 200
    return render(
        request,
        "prevention/check.html",
        _public(request, language, form=form, participants=participants),
        status=status,
    )


@login_not_required
@require_GET
def rights(request, language: str):
    """The "rights" and "get help" information sheets for the public, read-only, with the chosen
    participant's numbers: in the person's language where the sheets have it, otherwise in the
    language they pick (English until they do)."""
    language = _language(language)
    sheets = load_sheets()
    participant = participant_by_code(request.GET.get("participant"))
    own = language in sheets.languages
    chosen = request.GET.get("sheets") or ""
    shown = language if own else (chosen if chosen in sheets.languages else "en")
    column = {
        "language": shown,
        "dir": sheets.direction(shown),
        "name": sheets.names[shown],
        "sheets": [s for s in sheets.in_language(shown) if s.id in RIGHTS_SHEETS],
        "ui": {key: sheets.label(key, shown) for key in sheets.ui},
    }
    return render(
        request,
        "prevention/rights.html",
        _public(
            request,
            language,
            columns=[column],
            contacts=contacts_for(participant.code if participant else None),
            participant=participant,
            own=own,
            shown=shown,
            sheet_languages=[(code, sheets.names[code]) for code in sheets.languages],
        ),
    )


@login_not_required
@require_GET
def leaflet(request, language: str):
    """The self-check to print for outreach (A5 pages: an A4 sheet folded once), with the
    numbers of the chosen participant, in fonts for every script of the file."""
    from weasyprint import CSS, HTML

    language = _language(language)
    selfcheck = load_selfcheck()
    participant = participant_by_code(request.GET.get("participant"))
    html = render_to_string(
        "prevention/leaflet_pdf.html",
        _public(
            request,
            language,
            questions=selfcheck.questions(language),
            tips=selfcheck.tips(language),
            numbers=_numbers(participant),
            participant=participant,
            link=request.build_absolute_uri(reverse("prevention:index")),
        ),
    )
    static = Path(__file__).resolve().parent.parent / "static" / "veza" / "sheet.css"
    own = Path(__file__).resolve().parent / "static" / "prevention" / "leaflet.css"
    pdf = HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=str(static)), CSS(filename=str(own))]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"veza-self-check-{language}{'-' + participant.code if participant else ''}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_GET
def uses(request):
    """Completed self-checks per language and participant for a year, protected like a release
    (the coordinator sees their participant, the regional analyst every one)."""
    years = use_years(request.user)
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or (years[0] if years else this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    table = use_table(request.user, year=year)
    return render(
        request,
        "prevention/uses.html",
        {"table": table, "years": sorted({*years, this_year}, reverse=True), "year": year},
    )

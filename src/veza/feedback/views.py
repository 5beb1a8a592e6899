"""Pages of survivor feedback: the worker's page that makes a link and a printable card, the public
form the person opens on a phone (no login, no session, no cookie), and the protected summary."""

from __future__ import annotations

import datetime
import io

import segno
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.charts import stacked_bars
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.feedback.choices import Answer
from veza.feedback.form import form_language, load_form
from veza.feedback.forms import OfferForm
from veza.feedback.models import VIEW
from veza.feedback.selectors import (
    THRESHOLD,
    offer_organisations,
    summary_for,
    summary_participants,
    summary_years,
)
from veza.feedback.services import InvalidLinkError, feedback_link_make, feedback_link_read
from veza.feedback.services import feedback_submit as submit_answers
from veza.referrals.choices import ServiceType
from veza.statistics.disclosure import TOTAL

__all__ = ["card", "form", "offer", "summary", "thanks"]


def _offer_link(request):
    """The organisations, the form and — when the choice is valid — the link and its QR code."""
    organisations = offer_organisations(request.user)
    if not organisations:
        raise PermissionDeniedError()
    data = None
    if "service_type" in request.GET:
        data = request.GET.copy()
        if len(organisations) == 1 and not data.get("organisation"):
            data["organisation"] = str(organisations[0].pk)  # the only one: not asked
    form = OfferForm(data, organisations=organisations)
    link = None
    if form.is_bound and form.is_valid():
        chosen = {o.pk: o for o in organisations}.get(form.cleaned_data["organisation"])
        if chosen is None:
            raise PermissionDeniedError()
        made = feedback_link_make(
            actor=request.user, organisation=chosen, service_type=form.cleaned_data["service_type"]
        )
        url = request.build_absolute_uri(reverse("feedback:form", args=[made.token]))
        link = {
            "url": url,
            "qr": _qr(url),
            "service": ServiceType(made.service_type).label,
            "participant": made.participant,
            "query": data.urlencode(),
        }
    return form, link


def _qr(url: str) -> str:
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title="", dark="#111")
    # Made here from our own URL (a signed token of a fixed alphabet), never from user input.
    return mark_safe(buffer.getvalue().decode())  # noqa: S308


@require_GET
def offer(request):
    """Choose the service the person received; get the link and a card to print and hand over."""
    form, link = _offer_link(request)
    return render(request, "feedback/offer.html", {"form": form, "link": link})


@require_GET
def card(request):
    """The card to hand over: the QR code, the link and the form's title in every language."""
    _form, link = _offer_link(request)
    if link is None:
        return redirect(reverse("feedback:offer"))
    sheet = load_form()
    titles = [
        (code, sheet.direction(code), sheet.names[code], sheet.label("title", code))
        for code in sheet.languages
    ]
    return render(request, "feedback/card.html", {"link": link, "titles": titles})


def _language_context(request, language: str) -> dict:
    sheet = load_form()
    return {
        "language": language,
        "dir": sheet.direction(language),
        "ui": {key: sheet.label(key, language) for key in sheet.ui},
        "languages": [(code, sheet.names[code], sheet.direction(code)) for code in sheet.languages],
    }


# The form is public and anonymous: no login, no session and so no CSRF cookie to tie a token to.
# CSRF protects a signed-in person's session from a forged request; here there is no session to
# abuse, and setting a CSRF cookie would leave a trace on the person's phone. The signed link
# token is what authorises an answer; the worst a forged post can do is what anyone holding the
# card can do: add one anonymous answer.
@csrf_exempt
@login_not_required
@never_cache  # nothing kept by the browser or a proxy (no-store and more)
@require_http_methods(["GET", "POST"])
def form(request, token: str):
    """The form in the person's language (chosen with `?lang=`), every question optional."""
    language = form_language(request.POST.get("lang") or request.GET.get("lang"))
    context = _language_context(request, language)
    try:
        feedback_link_read(token)
    except InvalidLinkError:
        return render(request, "feedback/invalid.html", context, status=404)
    sheet = load_form()
    questions, answers = sheet.in_language(language)
    if request.method == "POST":
        given = {q.id: request.POST.get(f"q_{q.id}", "") for q in questions}
        try:
            submit_answers(token=token, language=language, answers=given)
        except InvalidLinkError:
            return render(request, "feedback/invalid.html", context, status=404)
        except ValidationError:
            context["refused"] = True
        else:
            return redirect(f"{reverse('feedback:thanks')}?lang={language}")
    context.update(
        {
            "token": token,
            "items": [
                {"id": q.id, "text": q.text, "chosen": request.POST.get(f"q_{q.id}", "")}
                for q in questions
            ],
            "answers": answers,
        }
    )
    return render(
        request, "feedback/form.html", context, status=400 if "refused" in context else 200
    )


@login_not_required
@never_cache
@require_GET
def thanks(request):
    """Thanks, whatever was answered (an empty form too: nothing is kept, nothing is asked)."""
    language = form_language(request.GET.get("lang"))
    return render(request, "feedback/thanks.html", _language_context(request, language))


def _rows(summary, table) -> list[dict]:
    """The table laid out for the page: per participant (regional) the service rows, then the
    total row; each cell (number or None when withheld), answers then the total."""
    published = table.published()
    answers = [*summary.codes["answer"], TOTAL]
    services = [*summary.codes["service"], TOTAL]
    groups = [*summary.codes["participant"], TOTAL] if summary.regional else [None]
    names = {p.code: p.name for p in summary.participants}
    rows = []
    for group in groups:
        for service in services:
            prefix = (group,) if summary.regional else ()
            cells = [published[(*prefix, service, answer)] for answer in answers]
            rows.append(
                {
                    "group": None
                    if group is None
                    else (_("All participants") if group == TOTAL else names.get(group, group)),
                    "first": service == services[0],
                    "span": len(services),
                    "label": _("All services") if service == TOTAL else ServiceType(service).label,
                    "total": service == TOTAL,
                    "cells": cells,
                }
            )
    return rows


def _chart(summary) -> str:
    """Answers per question over every service (and participant): published figures only."""
    margin = (TOTAL, TOTAL) if summary.regional else (TOTAL,)
    rows = [
        (str(t.label), [t.published()[(*margin, answer)] for answer in summary.codes["answer"]])
        for t in summary.tables
    ]
    return stacked_bars(
        rows,
        keys=[str(Answer(a).label) for a in summary.codes["answer"]],
        title=_("Answers per question, all services"),
    )


@require_GET
def summary(request):
    """The year's answers per service type (and participant, for the regional analyst), with
    small counts protected as in the statistical releases."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    participants, _regional = summary_participants(request.user)
    if not participants:
        raise PermissionDeniedError()
    years = summary_years(participants)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        datetime.date(year, 1, 1)
    except (TypeError, ValueError, OverflowError):
        year = timezone.localdate().year
    result = summary_for(user=request.user, year=year)
    tables = [
        {"label": t.label, "rows": _rows(result, t), "withheld": len(t.protected.withheld)}
        for t in result.tables
    ]
    return render(
        request,
        "feedback/summary.html",
        {
            "summary": result,
            "tables": tables,
            "years": years,
            "answers": [Answer(a).label for a in result.codes["answer"]],
            "chart": mark_safe(_chart(result)) if result.tables else "",  # noqa: S308 (our SVG, escaped)
            "threshold": THRESHOLD,
        },
    )

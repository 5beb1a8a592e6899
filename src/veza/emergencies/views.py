"""Pages of emergency mode: the coordinator switches an area into it and out of it, and follows
the live count of what the area's organisations do (counts only, no person)."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.core.charts import stacked_bars
from veza.core.errors import ConflictError, ValidationError
from veza.core.web import add_errors
from veza.emergencies.forms import AreaForm
from veza.emergencies.selectors import (
    area_counts,
    area_get_visible,
    area_list_visible,
)
from veza.emergencies.services import area_end, area_start
from veza.organisations.models import (
    MANAGE_EMERGENCY,
    Organisation,
    Participant,
    emergency_areas_of,
)
from veza.organisations.scope import user_scope
from veza.screening.choices import Mode

__all__ = ["area_counts_json", "area_detail", "area_end_view", "area_list"]

#: How many ended areas the list shows.
ENDED_SHOWN = 50


def _choices(user) -> tuple[list[Participant], list[tuple[int, str]]]:
    """The coordinator's participants, and their active organisations as checkbox labels (those
    already in an active area say so)."""
    participant_ids = user_scope(user).participants_with(MANAGE_EMERGENCY)
    participants = list(Participant.objects.filter(pk__in=participant_ids).order_by("code"))
    organisations = list(
        Organisation.objects.filter(participant_id__in=participant_ids, is_active=True)
        .select_related("participant")
        .order_by("participant__code", "name")
    )
    busy = emergency_areas_of([o.pk for o in organisations])
    several = len(participants) > 1
    labels = []
    for organisation in organisations:
        label = (
            f"{organisation.name} ({organisation.participant.code})"
            if several
            else str(organisation.name)
        )
        if organisation.pk in busy:
            label = _("%(organisation)s — in emergency mode already (%(area)s)") % {
                "organisation": label,
                "area": busy[organisation.pk][1],
            }
        labels.append((organisation.pk, label))
    return participants, labels


@require_http_methods(["GET", "POST"])
def area_list(request):
    """The areas of the coordinator's participant(s), active first, and the form to start one."""
    areas = area_list_visible(user=request.user)
    participants, organisations = _choices(request.user)
    form = AreaForm(
        request.POST or None,
        organisations=organisations,
        participants=[(p.pk, p.name) for p in participants],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data.get("participant", participants[0].pk if participants else None)
        participant = next((p for p in participants if p.pk == chosen), None)
        try:
            if participant is None:
                raise ValidationError(_("Choose the participant."))
            area = area_start(
                actor=request.user,
                participant=participant,
                name=data["name"],
                organisation_ids=data["organisations"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(area)s is in emergency mode. The people who work there are told.")
                % {"area": area.name},
            )
            return redirect("emergencies:detail", pk=area.pk)
    areas = list(areas.filter(ended_at__isnull=True)) + list(
        areas.filter(ended_at__isnull=False)[:ENDED_SHOWN]
    )
    return render(
        request,
        "emergencies/area_list.html",
        {
            "active": [a for a in areas if a.is_active],
            "ended": [a for a in areas if not a.is_active],
            "form": form,
            "several": len(participants) > 1,
        },
        status=400 if form.errors else 200,
    )


def _figures(area) -> dict:
    counts = area_counts(area)
    title = (
        _("Screenings started per hour, by kind")
        if counts.hourly
        else _("Screenings started per day, by kind")
    )
    chart = stacked_bars(
        [(label, [quick, full]) for label, quick, full in counts.timeline],
        keys=[str(Mode.QUICK.label), str(Mode.FULL.label)],
        title=title,
    )
    return {
        "area": area,
        "counts": counts,
        "chart": mark_safe(chart),  # noqa: S308  (the chart escapes every text it draws)
        "chart_title": title,
        "updated": _("Figures as of %(time)s") % {"time": time_format(timezone.localtime())},
    }


@require_GET
def area_detail(request, pk):
    """The live count of one area since emergency mode started: counts only."""
    area = area_get_visible(user=request.user, pk=pk)
    context = _figures(area)
    context["organisations"] = area.organisations.order_by("name")
    return render(request, "emergencies/area_detail.html", context)


@require_GET
def area_counts_json(request, pk):
    """The same figures for the page's script, which refreshes them every 30 seconds."""
    area = area_get_visible(user=request.user, pk=pk)
    context = _figures(area)
    response = JsonResponse(
        {
            "active": area.is_active,
            "counts": context["counts"].flat,
            "chart": render_to_string("emergencies/_chart.html", context),
            "updated": context["updated"],
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def area_end_view(request, pk):
    area = area_get_visible(user=request.user, pk=pk)
    try:
        area_end(actor=request.user, area=area)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Emergency mode has ended for %(area)s.") % {"area": area.name})
    return redirect("emergencies:detail", pk=area.pk)

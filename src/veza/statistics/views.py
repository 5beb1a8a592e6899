"""The regional hub's trends page: detected victims per participant, GLOTIP beside releases."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from veza.core.scoping import require_perm
from veza.statistics.charts import Series, line_chart
from veza.statistics.models import ImportBatch, Observation

__all__ = ["trends"]

AREAS = ["AL", "BA", "XK", "ME", "MK", "RS"]


def _series():
    rows = {}
    glotip = Observation.objects.filter(
        source="glotip",
        measure="detected_victims",
        area__in=AREAS,
        sex="_T",
        age="_T",
        exploitation="_T",
        breakdown="_T",
    ).values_list("area", "year", "value", "flag")
    for area, year, value, flag in glotip:
        rows.setdefault(("GLOTIP", area), {})[year] = (value, flag)
    latest = {}
    for batch in ImportBatch.objects.filter(source="release").order_by("revision"):
        latest[(batch.participant, batch.year)] = batch.pk
    released = Observation.objects.filter(
        batch_id__in=latest.values(), measure="VICTIMS_SEX_AGE", sex="_T", age="_T"
    ).values_list("area", "year", "value", "flag")
    for area, year, value, flag in released:
        rows.setdefault(("Veza", area), {})[year] = (value, flag)
    return rows


@require_GET
def trends(request):
    require_perm(request.user, "veza_statistics.view_observation")
    rows = _series()
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["source", "area", "year", "value", "flag"])
        for (source, area), years in sorted(rows.items()):
            for year, (value, flag) in sorted(years.items()):
                writer.writerow([source, area, year, "" if value is None else value, flag])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="detected-victims.csv"'
        return response
    series = [
        Series(
            f"{area} ({source})",
            [(year, value) for year, (value, _f) in sorted(years.items())],
            colour_key=area,
            dash_key=source,
        )
        for (source, area), years in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    chart = line_chart(series, title=_("Detected victims per participant and year"))
    years = sorted({y for values in rows.values() for y in values})
    table = [
        {
            "label": f"{area} ({source})",
            "cells": [rows[(source, area)].get(year, (None, "")) for year in years],
        }
        for (source, area) in sorted(rows, key=lambda k: (k[1], k[0]))
    ]
    batches = ImportBatch.objects.order_by("-created_at")[:20]
    return render(
        request,
        "statistics/trends.html",
        {
            "chart": mark_safe(chart),  # noqa: S308 - built here from numbers and escaped labels
            "years": years,
            "table": table,
            "batches": batches,
        },
    )

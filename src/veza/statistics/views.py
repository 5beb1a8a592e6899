"""The regional hub's trends page: detected victims per participant, GLOTIP beside releases."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from veza.core.charts import line_chart
from veza.core.scoping import require_perm
from veza.statistics.breakdowns import citizenship_context, citizenship_years, latest_releases
from veza.statistics.models import ImportBatch, Observation
from veza.statistics.report import report_html, report_pdf, trend_rows, trend_series

__all__ = ["DOWNLOADS", "report", "table_download", "trends"]


DOWNLOADS = {
    "csv": ("text/csv", "csv"),
    "sdmx": ("application/vnd.sdmx.data+csv; version=2.0.0", "sdmx.csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _download(rows, kind: str) -> HttpResponse:
    """The series as CSV, SDMX-CSV 2.0 or XLSX: a withheld value is an empty cell with its flag."""
    observations = [
        (source, area, year, value, flag)
        for (source, area), years in sorted(rows.items())
        for year, (value, flag) in sorted(years.items())
    ]
    if kind == "sdmx":
        header = ["SOURCE_DATA", "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"]
        header.append("CONF_STATUS")
        table = [
            [
                source,
                area,
                year,
                value,
                # U: low reliability (disputed); E: estimated (rounded or noisy); A: normal.
                {"conflict": "U", "R": "E", "N": "E"}.get(flag, "A"),
                "C" if flag in ("<5", "C") else "F",
            ]
            for source, area, year, value, flag in observations
        ]
    else:
        header = ["source", "area", "year", "value", "flag"]
        table = [list(row) for row in observations]
    return table_download(header, table, kind, name="detected-victims", flow="DETECTED_VICTIMS")


def table_download(header, table, kind: str, *, name: str, flow: str) -> HttpResponse:
    """Rows as CSV, SDMX-CSV 2.0 (the three SDMX columns first) or XLSX; None is an empty
    cell (a withheld value), never a zero."""
    if kind == "sdmx":
        header = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *header]
        table = [["dataflow", f"VEZA:DF_{flow}(1.0)", "I", *row] for row in table]
    content_type, suffix = DOWNLOADS[kind]
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for row in table:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    else:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if cell is None else cell for cell in row] for row in table)
        body = text.getvalue().encode("utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response


@require_GET
def trends(request):
    require_perm(request.user, "veza_statistics.view_observation")
    rows = trend_rows()
    download = request.GET.get("format")
    if download in DOWNLOADS:
        return _download(rows, download)
    context = _trends_context(rows)
    context.update(_flows_context(request.GET.get("year")))
    return render(request, "statistics/trends.html", context)


def _flows_context(wanted: str | None) -> dict:
    """Citizenship flows of the year asked for, else of the latest year that has them."""
    latest = latest_releases()
    years = citizenship_years(latest)
    if not years:
        return {}
    year = int(wanted) if (wanted or "").isdigit() and int(wanted) in years else years[-1]
    return {"flow_years": years, **citizenship_context(year, latest)}


def _trends_context(rows) -> dict:
    series = trend_series(rows)
    chart = line_chart(series, title=_("Detected victims per participant and year"))
    years = sorted({y for values in rows.values() for y in values})
    table = [
        {
            "label": f"{area} ({source})",
            "cells": [rows[(source, area)].get(year, (None, "")) for year in years],
        }
        for (source, area) in sorted(rows, key=lambda k: (k[1], k[0]))
    ]
    return {
        "chart": mark_safe(chart),  # noqa: S308 - built here from numbers and escaped labels
        "years": years,
        "table": table,
        "batches": ImportBatch.objects.order_by("-created_at")[:20],
    }


@require_GET
def report(request):
    """The regional trends report for a year, as a page or as a PDF (`?format=pdf`)."""
    require_perm(request.user, "veza_statistics.view_observation")
    years = sorted(set(Observation.objects.values_list("year", flat=True)))
    try:
        year = int(request.GET.get("year") or (years[-1] if years else 0))
    except ValueError:
        year = 0
    if year not in years:
        context = _trends_context(trend_rows())
        context["error"] = _("The hub holds no data for that year.")
        return render(request, "statistics/trends.html", context, status=400)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(report_pdf(year, request=request), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="veza-trends-{year}.pdf"'
        return response
    return HttpResponse(report_html(year, request=request))

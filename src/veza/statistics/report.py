"""The regional trends report: what the hub holds for a year, as HTML and as PDF (WeasyPrint).

Read-only: figures come from the stored observations (GLOTIP and the latest revision of each
participant's protected release). A withheld value is shown as withheld, never as a number, and is
left out of every sum and every change, which are then marked as incomplete.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from veza.core.charts import Series, line_chart, stacked_bars
from veza.statistics.breakdowns import (
    AREAS,
    cell,
    cell_sum,
    citizenship_context,
    latest_releases,
    profile_cells,
)
from veza.statistics.models import Observation

__all__ = ["AREAS", "report_context", "report_html", "report_pdf", "trend_rows"]

FORMS = ["SEXUAL", "FORCED_LABOUR", "OTHER"]


def trend_rows(
    latest: dict | None = None,
) -> dict[tuple[str, str], dict[int, tuple[int | None, str]]]:
    """Detected victims per (source, area) and year: GLOTIP and the latest national releases
    (`latest`: the releases' latest revisions, when the caller has them already)."""
    rows: dict = {}
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
    if latest is None:
        latest = latest_releases()
    batches = [b.pk for b in latest.values()]
    released = Observation.objects.filter(
        batch_id__in=batches, measure="VICTIMS_SEX_AGE", sex="_T", age="_T"
    ).values_list("area", "year", "value", "flag")
    for area, year, value, flag in released:
        rows.setdefault(("Veza", area), {})[year] = (value, flag)
    return rows


def trend_series(rows) -> list[Series]:
    return [
        Series(
            f"{area} ({source})",
            [(year, value) for year, (value, _f) in sorted(years.items())],
            colour_key=area,
            dash_key=source,
        )
        for (source, area), years in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def _change(now, before) -> str:
    if now is None or before is None or before == 0:
        return ""
    return f"{100 * (now - before) / before:+.0f} %"


def _released(values: dict, code: str) -> tuple[int | None, str]:
    if code not in values:
        return (None, "")
    return (values[code], "C" if values[code] is None else "")


def _glotip(year: int, **filters) -> dict[str, tuple[int | None, str]]:
    query = Observation.objects.filter(
        source="glotip", measure="detected_victims", area__in=AREAS, year=year, **filters
    )
    return {area: (value, flag) for area, value, flag in query.values_list("area", "value", "flag")}


def report_context(year: int) -> dict:
    from veza.organisations.models import Participant

    names = dict(Participant.objects.filter(code__in=AREAS).values_list("code", "name"))
    latest = latest_releases()
    rows = trend_rows(latest)
    summary = []
    for area in AREAS:
        glotip = rows.get(("GLOTIP", area), {})
        veza = rows.get(("Veza", area), {})
        now, before = glotip.get(year, (None, "")), glotip.get(year - 1, (None, ""))
        released = veza.get(year, (None, ""))
        batch = latest.get((area, year))
        summary.append(
            {
                "area": area,
                "name": names.get(area, area),
                "glotip": cell(*now),
                "glotip_before": cell(*before),
                "change": _change(now[0], before[0]),
                "release": cell(*released),
                "revision": batch.revision if batch else None,
            }
        )
    known = [row["glotip"]["value"] for row in summary if row["glotip"]["value"] is not None]
    known_before = [
        row["glotip_before"]["value"]
        for row in summary
        if row["glotip_before"]["value"] is not None
    ]
    complete = len(known) == len(AREAS) and len(known_before) == len(AREAS)

    # Forms of exploitation: GLOTIP by form; the releases' totals per form beside them.
    forms = {
        form: _glotip(year, exploitation=form, sex="_T", age="_T", breakdown="_T") for form in FORMS
    }
    form_rows = []
    for area in AREAS:
        cells = [forms[form].get(area, (None, "")) for form in FORMS]
        if any(v is not None or f for v, f in cells):
            form_rows.append({"label": f"{area} (GLOTIP)", "cells": [cell(*c) for c in cells]})
        batch = latest.get((area, year))
        if batch:
            released = dict(
                Observation.objects.filter(
                    batch=batch, measure="VICTIMS_EXPLOITATION_SEX", sex="_T"
                ).values_list("exploitation", "value")
            )
            other = [
                (v, "" if v is not None else "C")
                for k, v in released.items()
                if k not in ("SEXUAL", "FORCED_LABOUR", "_T")
            ]
            form_rows.append(
                {
                    "label": f"{area} (Veza)",
                    "cells": [
                        cell(*_released(released, "SEXUAL")),
                        cell(*_released(released, "FORCED_LABOUR")),
                        cell_sum(other),
                    ],
                }
            )
    form_labels = [_("Sexual exploitation"), _("Forced labour"), _("Other forms")]

    # Profiles of victims: sex and age group, GLOTIP beside the release of each participant.
    glotip_profiles: dict[str, dict] = {}
    for area, sex, age, value, flag in Observation.objects.filter(
        source="glotip",
        measure="detected_victims",
        area__in=AREAS,
        year=year,
        exploitation="_T",
        breakdown="_T",
    ).values_list("area", "sex", "age", "value", "flag"):
        glotip_profiles.setdefault(area, {})[(sex, age)] = (value, flag)
    released_profiles: dict[str, dict] = {}
    for area, sex, age, value, flag in Observation.objects.filter(
        batch_id__in=[b.pk for (_a, y), b in latest.items() if y == year],
        measure="VICTIMS_SEX_AGE",
    ).values_list("area", "sex", "age", "value", "flag"):
        released_profiles.setdefault(area, {})[(sex, age)] = (value, flag)
    profile_rows = []
    for area in AREAS:
        for source, profiles in (("GLOTIP", glotip_profiles), ("Veza", released_profiles)):
            cells = profile_cells(profiles.get(area, {}))
            if cells:
                profile_rows.append({"label": f"{area} ({source})", "cells": cells})
    profile_labels = [
        _("Women"),
        _("Girls"),
        _("Men"),
        _("Boys"),
        _("Other or unknown sex or age"),
        _("Total"),
    ]

    withheld = Observation.objects.filter(area__in=AREAS, year=year, value__isnull=True)
    latest_batches = [b.pk for b in latest.values()]
    return {
        "year": year,
        "previous": year - 1,
        "summary": summary,
        "total": sum(known) if known else None,
        "total_before": sum(known_before) if known_before else None,
        "total_change": _change(sum(known), sum(known_before)) if complete else "",
        "complete": complete,
        "trend_chart": mark_safe(  # noqa: S308 - numbers and escaped labels only
            line_chart(
                trend_series(
                    {
                        key: {y: v for y, v in years.items() if y <= year}
                        for key, years in rows.items()
                    }
                ),
                title=_("Detected victims per participant and year"),
            )
        ),
        "form_labels": form_labels,
        "form_rows": form_rows,
        "form_chart": _bars(form_rows, form_labels, _("Detected victims by form of exploitation")),
        "profile_labels": profile_labels,
        "profile_rows": profile_rows,
        "profile_chart": _bars(
            profile_rows, profile_labels[:4], _("Detected victims by sex and age group")
        ),
        **citizenship_context(year, latest),
        "withheld_glotip": withheld.filter(source="glotip").count(),
        # Only the latest revision of each release counts: earlier ones are kept, not shown.
        "withheld_release": withheld.filter(batch_id__in=latest_batches).count(),
        "conflicts": Observation.objects.filter(area__in=AREAS, year=year, flag="conflict").count(),
    }


def _bars(rows: list[dict], labels: list[str], title: str) -> str:
    return mark_safe(  # noqa: S308 - numbers and escaped labels only
        stacked_bars(
            [(row["label"], [c["value"] for c in row["cells"][: len(labels)]]) for row in rows],
            keys=labels,
            title=title,
        )
    )


def report_html(year: int, request=None, *, pdf: bool = False) -> str:
    context = {**report_context(year), "pdf": pdf}
    return render_to_string("statistics/report.html", context, request=request)


def report_pdf(year: int, request=None) -> bytes:
    from pathlib import Path

    from weasyprint import CSS, HTML

    # The page links its stylesheet (no inline style under the CSP); the PDF reads the file.
    css = Path(__file__).resolve().parent.parent / "static/veza/report.css"
    html = HTML(string=report_html(year, request=request, pdf=True))
    return html.write_pdf(stylesheets=[CSS(filename=str(css))])

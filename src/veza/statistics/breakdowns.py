"""The report's breakdowns: how a value is printed, profiles by sex and age, and victims by
citizenship (tables and flow diagrams), GLOTIP beside the latest revision of each release.

A withheld value is never printed as a number nor added as if known: a sum that misses one is
"at least" what is known, and a withheld flow is listed, never drawn.
"""

from __future__ import annotations

import functools

from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from veza.core.charts import Flow, flow_chart
from veza.organisations.services import national_participant_codes
from veza.statistics.models import ImportBatch, Observation

__all__ = [
    "AREAS",
    "PROFILE",
    "cell",
    "cell_sum",
    "citizenship_context",
    "citizenship_years",
    "country_name",
    "latest_releases",
    "profile_cells",
]

AREAS = national_participant_codes()
PROFILE = [("F", "Y_GE18"), ("F", "Y0T17"), ("M", "Y_GE18"), ("M", "Y0T17")]
TOP_ORIGINS = 5  # per participant and source; the rest is summed as "other citizenships"


def latest_releases() -> dict[tuple[str, int], ImportBatch]:
    """The latest revision of each participant's release, by (participant, year)."""
    latest = {}
    for batch in ImportBatch.objects.filter(source="release").order_by("revision"):
        latest[(batch.participant, batch.year)] = batch
    return latest


def cell(value, flag, minimum: int | None = None) -> dict:
    """A value as the report prints it: a number, "at least N" (a sum that misses a withheld
    value: `value` stays None), the withheld mark of its source, or "—" when not published."""
    if value is not None:
        text = str(value)
    elif minimum:
        text = _("at least %(count)s") % {"count": minimum}
    elif flag == "C":
        text = _("withheld")
    elif flag == "conflict":
        text = _("conflict")
    else:
        text = flag or "—"
    return {
        "value": value,
        "flag": flag,
        "minimum": minimum,
        "shown": "" if value is None else value,
        "text": text,
    }


def cell_sum(values: list[tuple[int | None, str]]) -> dict:
    """The sum of published values; when one is withheld the sum is only a lower bound."""
    if not values:
        return cell(None, "")
    known = sum(value for value, _flag in values if value is not None)
    missing = [flag or "C" for value, flag in values if value is None]
    if not missing:
        return cell(known, "")
    if known or len(values) == 1:
        return cell(None, missing[0], minimum=known or None)
    # Only withheld values: the sum of several "<5" is not "<5" itself.
    return {**cell(None, missing[0]), "text": _("withheld")}


@functools.cache
def _iso_catalogue(language: str):
    import gettext

    import pycountry

    locale = {"sr-latn": "sr@latin"}.get(language, language.replace("-", "_"))
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str) -> str:
    """The short name of an ISO 3166 country in the active language (pycountry's catalogues)."""
    import pycountry

    if code == "XK":
        return _("Kosovo*")
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _iso_catalogue(get_language() or "en").gettext(name)


def profile_cells(values: dict[tuple[str, str], tuple[int | None, str]]) -> list[dict]:
    """Women, girls, men, boys, the other cells of sex by age summed, and the total; empty when
    the source has no cell by sex and age."""
    interior = {key: v for key, v in values.items() if "_T" not in key}
    if not interior:
        return []
    cells = [cell(*interior.get(key, (None, ""))) for key in PROFILE]
    # Other or unknown sex (its published margin when there is one, else its cells), and women
    # and men of unknown age.
    other = [
        v for (sex, age), v in interior.items() if sex in ("F", "M") and (sex, age) not in PROFILE
    ]
    for sex in sorted({sex for sex, _age in interior} - {"F", "M"}):
        margin = values.get((sex, "_T"), (None, ""))
        if margin[0] is not None:
            other.append(margin)
        else:
            other.extend(v for (s, _age), v in interior.items() if s == sex)
    cells.append(cell_sum(other))
    total = values.get(("_T", "_T"), (None, ""))
    cells.append(cell(*total) if total[0] is not None else cell_sum(list(interior.values())))
    return cells


def _origin_key(category: str, label: str, area: str) -> str:
    """Own citizens, unknown, a country code, or a published label that is not one country."""
    if category == area:
        return "OWN"
    if category == "_O":
        return f"_O:{label}"
    return category


def _origin_name(key: str) -> str:
    if key == "OWN":
        return _("Own citizens")
    if key == "_U":
        return _("Unknown citizenship")
    if key == "OTHER":
        return _("Other citizenships")
    if key.startswith("_O:"):  # GLOTIP's own words for a group that is not one country
        return key[3:] or _("Other")
    return country_name(key)


def citizenship_years(latest: dict | None = None) -> list[int]:
    """The years for which GLOTIP or a latest release has a breakdown by citizenship."""
    if latest is None:
        latest = latest_releases()
    glotip = (
        Observation.objects.filter(
            source="glotip", measure="detected_victims", area__in=AREAS, breakdown="CITIZENSHIP"
        )
        .values_list("year", flat=True)
        .distinct()
    )
    released = (
        Observation.objects.filter(
            batch_id__in=[b.pk for b in latest.values()], measure="VICTIMS_CITIZENSHIP"
        )
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(glotip) | set(released))


def _citizenship_table(sources: list[dict], totals: list[dict | None]) -> list[dict]:
    """Rows of one participant: own citizens, the largest origins of either source, the
    withheld origins by name, other citizenships (known values only), unknown, total."""
    cells = [{key: cell_sum(values) for key, values in source.items()} for source in sources]
    foreign = {key for source in cells for key in source if key not in ("OWN", "_U")}
    top: set[str] = set()
    for source in cells:
        known = [k for k in foreign if (source.get(k) or {}).get("value")]
        top.update(sorted(known, key=lambda k, s=source: -s[k]["value"])[:TOP_ORIGINS])
    withheld = {k for k in foreign - top if any(k in s and s[k]["value"] is None for s in cells)}

    def size(key):
        return max((s[key]["value"] or s[key]["minimum"] or 0) for s in cells if key in s)

    keys = (["OWN"] if any("OWN" in s for s in cells) else []) + sorted(
        top, key=lambda k: (-size(k), _origin_name(k))
    )
    keys += sorted(withheld, key=_origin_name)
    empty = cell(None, "")
    rows = [
        {"key": key, "label": _origin_name(key), "cells": [s.get(key, empty) for s in cells]}
        for key in keys
    ]
    rest = foreign - top - withheld
    if rest:
        rows.append(
            {
                "key": "OTHER",
                "label": _origin_name("OTHER"),
                "cells": [
                    cell_sum([(s[k]["value"], "") for k in rest if k in s]) if s else empty
                    for s in cells
                ],
            }
        )
    if any("_U" in s for s in cells):
        rows.append(
            {"key": "_U", "label": _origin_name("_U"), "cells": [s.get("_U", empty) for s in cells]}
        )
    rows.append(
        {
            "key": "_T",
            "label": _("Total"),
            "cells": [
                total
                if total is not None and total["value"] is not None
                else cell_sum([v for values in source.values() for v in values])
                if source
                else empty
                for source, total in zip(sources, totals, strict=True)
            ],
        }
    )
    return rows


def citizenship_context(year: int, latest: dict | None = None) -> dict:
    """Victims by citizenship per participant, the release beside GLOTIP, and a flow diagram of
    each source (from the country of citizenship to the participant that identified them)."""
    if latest is None:
        latest = latest_releases()
    released: dict[str, dict] = {}
    released_totals: dict[str, dict] = {}
    for area, dims, value, flag in Observation.objects.filter(
        batch_id__in=[b.pk for (_a, y), b in latest.items() if y == year],
        measure="VICTIMS_CITIZENSHIP",
    ).values_list("area", "dims", "value", "flag"):
        code = dims.get("CITIZENSHIP", "_U")
        if code == "_T":
            released_totals[area] = cell(value, flag)
            continue
        key = "OWN" if code == area else code
        released.setdefault(area, {}).setdefault(key, []).append((value, flag))
    glotip: dict[str, dict] = {}
    for area, category, label, value, flag in Observation.objects.filter(
        source="glotip",
        measure="detected_victims",
        area__in=AREAS,
        year=year,
        breakdown="CITIZENSHIP",
        sex="_T",
        age="_T",
        exploitation="_T",
    ).values_list("area", "category", "label", "value", "flag"):
        key = _origin_key(category, label, area)
        glotip.setdefault(area, {}).setdefault(key, []).append((value, flag))

    tables, missing = [], []
    flows: list[list[tuple]] = [[], []]
    for area in AREAS:
        sources = [released.get(area, {}), glotip.get(area, {})]
        if not any(sources):
            missing.append(country_name(area))
            continue
        rows = _citizenship_table(sources, [released_totals.get(area), None])
        tables.append({"area": area, "name": country_name(area), "rows": rows})
        for number in (0, 1):
            for row in rows[:-1]:  # not the total
                shown = row["cells"][number]
                if shown["value"] == 0 or (shown["value"] is None and not shown["flag"]):
                    continue  # nothing to draw, nothing withheld
                order = {"OWN": 0, "OTHER": 2, "_U": 3}.get(row["key"], 1)
                flows[number].append((order, row, area, shown))
    charts = []
    for number, title in enumerate(
        (
            _("Citizenship of the victims registered in Veza (national releases)"),
            _("Citizenship of the detected victims (GLOTIP)"),
        )
    ):
        if not flows[number]:
            continue
        origin_size: dict[str, int] = {}
        for _order, row, _area, shown in flows[number]:
            origin_size[row["label"]] = origin_size.get(row["label"], 0) + (shown["value"] or 0)
        ordered = sorted(
            flows[number],
            key=lambda f: (f[0], -origin_size[f[1]["label"]], f[1]["label"], AREAS.index(f[2])),
        )
        svg = flow_chart(
            [
                Flow(row["label"], country_name(area), shown["value"], row["key"] == "OWN")
                for _order, row, area, shown in ordered
            ],
            title=f"{title}, {year}",
            headings=(_("Citizenship"), _("Identified in")),
            withheld_text=_("Withheld or disputed, not drawn: {flows}"),
            at_least_text=_("at least {value}"),
            withheld_word=_("withheld"),
        )
        charts.append({"title": f"{title}, {year}", "svg": mark_safe(svg)})  # noqa: S308
    return {
        "citizenship_year": year,
        "citizenship_tables": tables,
        "citizenship_missing": missing,
        "flow_charts": charts,
    }

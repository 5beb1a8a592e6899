"""The coverage page: recommendations no measure answers, persistent gaps, repeated
recommendations, overdue measures, charts of implementation status by theme and over time, and
participants compared on the same themes (counts only; see `coverage.comparison_participants`)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from veza.core.charts import Series, line_chart, stacked_bars
from veza.core.scoping import require_perm
from veza.recommendations.choices import ProgressStatus, Theme
from veza.recommendations.coverage import (
    NO_REPORT,
    answered_ids,
    chains,
    comparison,
    comparison_participants,
    overdue_measures,
    recommendations_over_time,
    status_by_theme,
    status_over_time,
)
from veza.recommendations.selectors import VIEW, participants_for, recommendations_visible

__all__ = ["coverage"]


def _svg(markup: str):
    return mark_safe(markup)  # noqa: S308 - numbers and escaped labels only (core.charts)


#: Chart order, so that the palette of core.charts reads naturally (blue in progress, red
#: delayed, green done, …); colour is never the only cue: the table beside says the same.
ORDER = [
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.DELAYED,
    ProgressStatus.DONE,
    ProgressStatus.NOT_STARTED,
    ProgressStatus.CANCELLED,
]


def _charts(ids, answered, today) -> dict:
    statuses = [*ORDER, NO_REPORT]
    status_labels = [str(s.label) for s in ORDER] + [_("no report")]
    by_theme = status_by_theme(ids)
    theme_rows = [
        (str(label), [by_theme[theme].get(s, 0) for s in statuses])
        for theme, label in Theme.choices
    ]
    over_time = status_over_time(ids, until=today.year)
    received = recommendations_over_time(ids, answered=answered)
    return {
        "status_rows": [
            {"label": label, "values": values, "total": sum(values)} for label, values in theme_rows
        ],
        "status_labels": status_labels,
        "status_chart": _svg(
            stacked_bars(
                theme_rows, keys=status_labels, title=_("Measures by theme and current status")
            )
        ),
        "time_chart": _svg(
            line_chart(
                [
                    Series(str(status.label), sorted(over_time[status].items()))
                    for status in ORDER
                    if any(over_time.get(status, {}).values())
                ],
                title=_("Measures by status at the end of each year"),
            )
        ),
        "received_chart": _svg(
            line_chart(
                [
                    Series(_("received"), [(y, v[0]) for y, v in received.items()]),
                    Series(_("unanswered"), [(y, v[1]) for y, v in received.items()]),
                ],
                title=_("Recommendations received per year, and those no measure answers"),
            )
        ),
        "received": received,
        "time_labels": status_labels[:-1],
        "time_rows": [
            (year, [over_time[status][year] for status in ORDER])
            for year in sorted(next(iter(over_time.values()), {}))
        ],
    }


@require_GET
def coverage(request):
    require_perm(request.user, VIEW)
    today = timezone.localdate()
    participants = list(participants_for(request.user))
    chosen = request.GET.get("participant", "")
    if chosen:
        participants = [p for p in participants if p.code == chosen.upper()]
    ids = [p.pk for p in participants]
    context = {"participants": list(participants_for(request.user)), "chosen": chosen.upper()}
    if ids:
        answered = answered_ids(ids)
        all_chains = chains(ids, answered=answered)
        unanswered = (
            recommendations_visible(request.user)
            .filter(participant_id__in=ids)
            .exclude(pk__in=answered)
        )
        context.update(
            {
                "national": True,
                "unanswered": unanswered,
                "gaps": [c for c in all_chains if c.gap],
                "repeated": [c for c in all_chains if c.repeated and not c.gap],
                "overdue": overdue_measures(ids, today=today),
                **_charts(ids, answered, today),
            }
        )
    compared = comparison_participants(request.user)
    rows = comparison(compared, today=today) if compared else []
    context.update(
        {
            "themes": Theme.choices,
            "comparison": rows,
            "comparison_chart": _svg(
                stacked_bars(
                    [(r["participant"].code, [t["unanswered"] for t in r["themes"]]) for r in rows],
                    keys=[str(label) for label in Theme.labels],
                    title=_("Recommendations not answered, by participant and theme"),
                )
            )
            if len(rows) > 1
            else "",
        }
    )
    return render(request, "recommendations/coverage.html", context)

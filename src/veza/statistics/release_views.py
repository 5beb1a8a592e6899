"""The national coordinator's releases: build for a year, review the protected tables, approve
with a fresh second factor, send to the regional hub."""

from __future__ import annotations

import csv
from pathlib import Path

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from veza.core.charts import stacked_bars
from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import require_perm
from veza.core.stepup import step_up_gate, step_up_mark
from veza.core.web import add_errors
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope
from veza.statistics.models import ProtectionMethod, Release
from veza.statistics.release import dp_epsilon, spec
from veza.statistics.services import (
    privacy_budget_left,
    release_approve,
    release_build,
    release_send,
)

__all__ = ["release_detail", "releases"]

PERM = "veza_statistics.approve_release"


class BuildForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year of registration"), min_value=2000)
    method = forms.ChoiceField(
        label=gettext_lazy("Protection method"),
        choices=ProtectionMethod.choices,
        required=False,
    )

    def __init__(self, *args, definition: dict, budget: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_method = definition.get("method", ProtectionMethod.SUPPRESSION)
        self.fields["method"].initial = self.default_method
        help_text = _(
            "Withhold: small counts (1 to %(small)s) are left out, and so are the counts that "
            "would give them away. Round: every count, totals too, becomes a multiple of "
            "%(base)s — the one just below or just above it — and the totals still add "
            "up; nothing is left out. Random noise: every count is changed a little at "
            "random, so that no one can tell whether a given person is counted; this uses part "
            "of the year's privacy budget, and once the budget is used up no more such "
            "releases can be made for that year."
        ) % {
            "small": int(definition.get("threshold", 5)) - 1,
            "base": int(definition.get("rounding_base", 5)),
        }
        if budget is not None:
            help_text += " " + _(
                "Privacy budget for %(year)s: ε %(left)s left of ε %(total)s; a release with "
                "random noise uses ε %(need)s."
            ) % {
                "year": budget["year"],
                "left": number_format(float(budget["left"])),
                "total": number_format(float(budget["total"])),
                "need": number_format(dp_epsilon(definition)[1]),
            }
        self.fields["method"].help_text = help_text

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year

    def clean_method(self):
        return self.cleaned_data.get("method") or self.default_method


class ApproveForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def coordinated_participants(user):
    return Participant.objects.filter(pk__in=user_scope(user).participants_with(PERM))


@require_http_methods(["GET", "POST"])
def releases(request):
    require_perm(request.user, PERM)
    participants = list(coordinated_participants(request.user))
    try:
        year = int(request.POST.get("year") or timezone.now().year)
    except ValueError:
        year = timezone.now().year
    budget = privacy_budget_left(participant=participants[0], year=year) if participants else None
    form = BuildForm(
        request.POST or None,
        initial={"year": timezone.now().year},
        definition=spec(),
        budget=budget,
    )
    if request.method == "POST" and form.is_valid():
        try:
            release = release_build(
                actor=request.user,
                participant=participants[0],
                year=form.cleaned_data["year"],
                method=form.cleaned_data["method"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The release was built. Review it, then approve it."))
            return redirect("statistics:release", pk=release.pk)
    return render(
        request,
        "statistics/releases.html",
        {
            "form": form,
            "participant": participants[0] if participants else None,
            "releases": Release.objects.filter(participant__in=participants).select_related(
                "participant", "dataflow"
            )[:50],
        },
        status=400 if form.errors else 200,
    )


def _preview(release) -> list[dict]:
    tables = []
    for table in release.manifest.get("tables", []):
        path = Path(release.directory) / f"{table['id']}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        dims = table["dimensions"]
        chart, note = "", ""
        if len(table.get("periods") or []) > 1:
            # A dataflow with many periods: each period's totals by the first dimension (the
            # whole table is in the files and the archive).
            rows = [r for r in rows if all(r[d] == "_T" for d in dims[1:])]
            dims = ["TIME_PERIOD", dims[0]]
            note = _("Totals by %(dimension)s for each period; the files hold every cell.") % {
                "dimension": table["dimensions"][0]
            }
        if len(dims) == 1:
            bars = [
                (row[dims[0]], [None if row["OBS_VALUE"] == "" else int(row["OBS_VALUE"])])
                for row in rows
                if row[dims[0]] != "_T"
            ]
            chart = mark_safe(  # noqa: S308 - numbers and escaped labels only
                stacked_bars(bars, keys=[_("Published count")], title=table.get("title", ""))
            )
        tables.append(
            {
                "id": table["id"],
                "title": table.get("title", table["id"]),
                "dimensions": dims,
                "rows": [([row[d] for d in dims], row["OBS_VALUE"]) for row in rows],
                "withheld": table.get("withheld_primary", 0) + table.get("withheld_secondary", 0),
                "protection": table.get("protection", "suppression"),
                "rounded": table.get("cells_rounded", 0),
                "base": table.get("base"),
                "epsilon": table.get("epsilon"),
                "chart": chart,
                "note": note,
            }
        )
    return tables


def _method(release) -> dict:
    """The release's protection method in words, with its parameters."""
    code = release.manifest.get("method") or ProtectionMethod.SUPPRESSION
    parameters = release.manifest.get("parameters") or {}
    return {"code": code, "label": release.protection_method, **parameters}


@require_http_methods(["GET", "POST"])
def release_detail(request, pk):
    require_perm(request.user, PERM)
    release = (
        Release.objects.filter(pk=pk, participant__in=coordinated_participants(request.user))
        .select_related("participant")
        .first()
    )
    if release is None:
        raise NotFoundError()
    form = ApproveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                if (asked := step_up_gate(request, purpose="release.send")) is not None:
                    return asked
                batch = release_send(actor=request.user, release=release)
                messages.success(
                    request,
                    _("Sent to the regional hub (revision %(number)s).")
                    % {"number": batch.revision},
                )
                return redirect("statistics:release", pk=release.pk)
            if form.is_valid():
                release_approve(actor=request.user, release=release, code=form.cleaned_data["code"])
                # The code just typed is a fresh second factor for sending and downloading.
                step_up_mark(request)
                messages.success(request, _("The release is approved."))
                return redirect("statistics:release", pk=release.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        status = 400
    tables = _preview(release)
    return render(
        request,
        "statistics/release_detail.html",
        {
            "release": release,
            "tables": tables,
            "form": form,
            "method": _method(release),
            "any_withheld": any(t["withheld"] for t in tables),
        },
        status=status,
    )

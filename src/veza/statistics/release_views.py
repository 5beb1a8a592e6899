"""The national coordinator's releases: build for a year, review the protected tables, approve
with a fresh second factor, send to the regional hub."""

from __future__ import annotations

import csv
from pathlib import Path

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import require_perm
from veza.core.web import add_errors
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope
from veza.statistics.charts import stacked_bars
from veza.statistics.models import Release
from veza.statistics.services import release_approve, release_build, release_send

__all__ = ["release_detail", "releases"]

PERM = "veza_statistics.approve_release"


class BuildForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year of registration"), min_value=2000)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year


class ApproveForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _participants(user):
    return Participant.objects.filter(pk__in=user_scope(user).participants_with(PERM))


@require_http_methods(["GET", "POST"])
def releases(request):
    require_perm(request.user, PERM)
    participants = list(_participants(request.user))
    form = BuildForm(request.POST or None, initial={"year": timezone.now().year})
    if request.method == "POST" and form.is_valid():
        try:
            release = release_build(
                actor=request.user, participant=participants[0], year=form.cleaned_data["year"]
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
            "releases": Release.objects.filter(participant__in=participants)[:50],
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
        chart = ""
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
                "chart": chart,
            }
        )
    return tables


@require_http_methods(["GET", "POST"])
def release_detail(request, pk):
    require_perm(request.user, PERM)
    release = (
        Release.objects.filter(pk=pk, participant__in=_participants(request.user))
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
                batch = release_send(actor=request.user, release=release)
                messages.success(
                    request,
                    _("Sent to the regional hub (revision %(number)s).")
                    % {"number": batch.revision},
                )
                return redirect("statistics:release", pk=release.pk)
            if form.is_valid():
                release_approve(actor=request.user, release=release, code=form.cleaned_data["code"])
                messages.success(request, _("The release is approved."))
                return redirect("statistics:release", pk=release.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        status = 400
    return render(
        request,
        "statistics/release_detail.html",
        {"release": release, "tables": _preview(release), "form": form},
        status=status,
    )

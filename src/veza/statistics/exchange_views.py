"""Pages of the regional exchange: the dataflows and their series at the hub, the definition of
a dataflow from SDMX-ML, a participant's upload of a dataflow table, and the hub's inbox of
releases that arrive as archives from other instances."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.core.audit import audit_log
from veza.core.charts import Series, line_chart
from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import require_perm
from veza.core.stepup import step_up_gate
from veza.core.uploads import UploadField
from veza.core.web import add_errors
from veza.statistics.exchange import (
    dataflow_define,
    dataflow_release_build,
    release_archive,
    release_receive_archive,
)
from veza.statistics.hub import key_fingerprint
from veza.statistics.models import Dataflow, ImportBatch, Observation, Release
from veza.statistics.release_views import PERM, coordinated_participants
from veza.statistics.views import DOWNLOADS, table_download

__all__ = [
    "dataflow_detail",
    "dataflow_upload",
    "dataflows",
    "received",
    "release_download",
]


class DefineForm(forms.Form):
    file = UploadField(
        kinds=("xml",),
        max_mb=10,
        label=gettext_lazy("SDMX-ML structure"),
        help_text=gettext_lazy(
            "An SDMX-ML 2.1 structure message with the data structure (dimensions and their code "
            "lists) of one or more dataflows. At most 10 MB."
        ),
    )
    only = forms.CharField(
        label=gettext_lazy("Only this dataflow (optional)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Leave empty to define every dataflow of the file."),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Periods"), choices=Dataflow._meta.get_field("frequency").choices
    )
    threshold = forms.IntegerField(
        label=gettext_lazy("Protection threshold"),
        initial=5,
        min_value=1,
        max_value=50,
        help_text=gettext_lazy(
            "Counts from 1 to this number minus one are withheld in every release of it."
        ),
    )


class UploadForm(forms.Form):
    dataflow = forms.ModelChoiceField(
        label=gettext_lazy("Dataflow"), queryset=Dataflow.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000)
    file = UploadField(
        kinds=("csv", "xlsx"),
        max_mb=10,
        label=gettext_lazy("Table (CSV, XLSX or SDMX-CSV)"),
        help_text=gettext_lazy(
            "One column per dimension with its codes, OBS_VALUE with the true counts, and "
            "TIME_PERIOD (2025-03) for a monthly dataflow. Rows with totals (_T) are checked. "
            "Veza withholds the small counts itself. At most 10 MB."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataflow"].queryset = Dataflow.objects.all()

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year


class ArchiveForm(forms.Form):
    file = UploadField(
        kinds=("zip",),
        max_mb=20,
        label=gettext_lazy("Release archive (ZIP)"),
        help_text=gettext_lazy(
            "The ZIP file a participant's coordinator downloaded from their own Veza: the signed "
            "manifest, the structure and the tables. At most 20 MB."
        ),
    )


@require_http_methods(["GET", "POST"])
def dataflows(request):
    require_perm(request.user, "veza_statistics.view_dataflow")
    may_define = request.user.has_perm("veza_statistics.add_dataflow")
    form = DefineForm(request.POST or None, request.FILES or None) if may_define else None
    if request.method == "POST":
        require_perm(request.user, "veza_statistics.add_dataflow")
        if form.is_valid():
            try:
                flows = dataflow_define(
                    actor=request.user,
                    raw=form.cleaned_data["file"].read(),
                    frequency=form.cleaned_data["frequency"],
                    threshold=form.cleaned_data["threshold"],
                    only=form.cleaned_data["only"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Defined: %(codes)s.") % {"codes": ", ".join(f.code for f in flows)},
                )
                return redirect("statistics:dataflows")
    rows = []
    for flow in Dataflow.objects.all():
        batches = ImportBatch.objects.filter(source=f"dataflow:{flow.code}")
        rows.append(
            {
                "flow": flow,
                "areas": sorted(set(batches.values_list("participant", flat=True))),
                "years": sorted(set(batches.values_list("year", flat=True))),
            }
        )
    return render(
        request,
        "statistics/dataflows.html",
        {"rows": rows, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _name(flow: Dataflow, dim: str, code: str) -> str:
    if code == "_T":
        return _("Total")
    return (flow.code_names.get(dim) or {}).get(code, code)


@require_GET
def dataflow_detail(request, code):
    require_perm(request.user, "veza_statistics.view_dataflow")
    require_perm(request.user, "veza_statistics.view_observation")
    flow = Dataflow.objects.filter(code=code).first()
    if flow is None:
        raise NotFoundError()
    chosen = {}
    for dim in flow.dimensions:
        value = request.GET.get(dim, "_T")
        chosen[dim] = value if value == "_T" or value in flow.codes.get(dim, []) else "_T"
    observations = Observation.objects.filter(
        batch_id__in=[b.pk for b in ImportBatch.latest(f"dataflow:{flow.code}").values()]
    ).values_list("area", "dims", "value", "flag")
    rows: dict[str, dict[str, tuple[int | None, str]]] = {}
    for area, dims, value, flag in observations:
        if all(dims.get(d) == c for d, c in chosen.items()):
            rows.setdefault(area, {})[dims["TIME_PERIOD"]] = (value, flag)
    periods = sorted({p for values in rows.values() for p in values})
    download = request.GET.get("format")
    if download in DOWNLOADS:
        header = ["REF_AREA", *flow.dimensions, "TIME_PERIOD", "OBS_VALUE", "CONF_STATUS"]
        table = [
            [area, *chosen.values(), period, value, "C" if value is None else "F"]
            for area, values in sorted(rows.items())
            for period, (value, _flag) in sorted(values.items())
        ]
        return table_download(
            header, table, download, name=flow.code.lower().replace("_", "-"), flow=flow.code
        )
    series = [
        Series(area, [(p, values.get(p, (None, ""))[0]) for p in periods], colour_key=area)
        for area, values in sorted(rows.items())
    ]
    title = flow.name
    filters_label = ", ".join(
        f"{flow.dimension_names.get(d) or d}: {_name(flow, d, c)}"
        for d, c in chosen.items()
        if c != "_T"
    )
    chart = line_chart(series, title=f"{title} ({filters_label})" if filters_label else title)
    return render(
        request,
        "statistics/dataflow_detail.html",
        {
            "flow": flow,
            "filters": [
                {
                    "dim": d,
                    "label": flow.dimension_names.get(d) or d,
                    "chosen": chosen[d],
                    "options": [("_T", _("Total"))]
                    + [(c, _name(flow, d, c)) for c in flow.codes.get(d, [])],
                }
                for d in flow.dimensions
            ],
            "chart": mark_safe(chart),  # noqa: S308 - built from numbers and escaped labels
            "periods": periods,
            "table": [
                {"area": area, "cells": [values.get(p, (None, "")) for p in periods]}
                for area, values in sorted(rows.items())
            ],
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
def dataflow_upload(request):
    """A coordinator uploads a table of a dataflow; Veza protects it, signs it and shows it for
    review and approval like a trafficking release."""
    require_perm(request.user, PERM)
    participants = list(coordinated_participants(request.user))
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"year": timezone.now().year}
    )
    if request.method == "POST" and participants and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            release = dataflow_release_build(
                actor=request.user,
                participant=participants[0],
                dataflow=form.cleaned_data["dataflow"],
                year=form.cleaned_data["year"],
                file_name=upload.name,
                raw=upload.read(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The release was built. Review it, then approve it."))
            return redirect("statistics:release", pk=release.pk)
    return render(
        request,
        "statistics/dataflow_upload.html",
        {
            "form": form,
            "participant": participants[0] if participants else None,
            "flows": Dataflow.objects.all(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def release_download(request, pk):
    """The signed release as a ZIP archive, for a hub that is not this instance (POST, after a
    fresh second factor; audited)."""
    require_perm(request.user, PERM)
    release = Release.objects.filter(
        pk=pk,
        participant__in=coordinated_participants(request.user),
        status__in=["approved", "sent"],
    ).first()
    if release is None:
        raise NotFoundError()
    if (asked := step_up_gate(request, purpose="release.download")) is not None:
        return asked
    with transaction.atomic():
        audit_log(
            "release.download",
            actor=request.user,
            obj=release,
            detail={"participant": release.participant.code, "year": release.year},
        )
    response = HttpResponse(release_archive(release), content_type="application/zip")
    name = f"veza-release-{release.participant.code}-{release.year}-{release.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def received(request):
    """The hub's inbox: upload a release archive; every received release with its revision and
    the fingerprint of the key that signed it."""
    require_perm(request.user, "veza_statistics.receive_release")
    form = ArchiveForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = release_receive_archive(
                actor=request.user, file_name=upload.name, raw=upload.read()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Received %(participant)s %(year)s, revision %(revision)s.")
                % {
                    "participant": batch.participant,
                    "year": batch.year,
                    "revision": batch.revision,
                },
            )
            return redirect("statistics:received")
    batches = [
        {
            "batch": batch,
            "what": batch.manifest.get("dataflow") or _("Trafficking release"),
            "withheld": sum(
                t.get("withheld_primary", 0) + t.get("withheld_secondary", 0)
                for t in batch.manifest.get("tables", [])
            ),
            "key": key_fingerprint(batch.manifest.get("public_key", "")),
        }
        for batch in ImportBatch.objects.exclude(source="glotip").order_by("-created_at")[:100]
    ]
    return render(
        request,
        "statistics/received.html",
        {"form": form, "batches": batches},
        status=400 if form.errors else 200,
    )

"""Pages of recommendations: the filtered list, one recommendation (edit, links, the measures
that answer it), sources, and the import with its template and row-by-row report."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.errors import ConflictError, NotFoundError, ValidationError
from veza.core.scoping import require_perm, visible_or_404
from veza.core.web import add_errors, posted_version
from veza.recommendations.coverage import answered_ids, chains
from veza.recommendations.forms import (
    FilterForm,
    ImportForm,
    LinkForm,
    RecommendationForm,
    SourceForm,
)
from veza.recommendations.import_template import COLUMNS, column_help, template_csv, template_xlsx
from veza.recommendations.importer import ImportRejected, recommendations_import
from veza.recommendations.models import RecommendationLink, Source
from veza.recommendations.selectors import (
    VIEW,
    participants_for,
    recommendation_filter,
    recommendations_visible,
)
from veza.recommendations.services import (
    recommendation_create,
    recommendation_link,
    recommendation_unlink,
    recommendation_update,
    source_save,
)
from veza.recommendations.topics import topic_label

__all__ = [
    "import_page",
    "import_template",
    "recommendation_detail",
    "recommendation_list",
    "recommendation_new",
    "source_detail",
    "source_list",
]

ADD = "recommendations.add_recommendation"
CHANGE = "recommendations.change_recommendation"
IMPORT = "recommendations.import_recommendations"


def _repeated_ids(participant_ids) -> set[int]:
    return {
        r.pk for chain in chains(participant_ids) if chain.repeated for r in chain.recommendations
    }


@require_GET
def recommendation_list(request):
    require_perm(request.user, VIEW)
    participants = list(participants_for(request.user))
    ids = [p.pk for p in participants]
    sources = Source.objects.filter(recommendations__participant_id__in=ids).distinct()
    form = FilterForm(request.GET or None, participants=participants, sources=sources)
    queryset = recommendations_visible(request.user)
    if form.is_bound and form.is_valid():
        queryset = recommendation_filter(
            queryset, **{k: v for k, v in form.cleaned_data.items() if v}
        )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    answered, repeated = answered_ids(ids), _repeated_ids(ids)
    rows = [
        {
            "r": r,
            "answered": r.pk in answered,
            "repeated": r.pk in repeated,
            "topics": [topic_label(t) for t in r.topics],
        }
        for r in page
    ]
    return render(
        request,
        "recommendations/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "participants": participants,
            "may_add": bool(participants_for(request.user, ADD)),
            "may_import": bool(participants_for(request.user, IMPORT)),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def recommendation_new(request):
    require_perm(request.user, ADD)
    participants = list(participants_for(request.user, ADD))
    form = RecommendationForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = next((p for p in participants if p.pk == data["participant"]), None)
        if participant is None:
            raise NotFoundError()
        try:
            created = recommendation_create(
                actor=request.user,
                participant=participant,
                **{k: v for k, v in data.items() if k != "participant"},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The recommendation is saved."))
            return redirect("recommendations:detail", pk=created.pk)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def recommendation_detail(request, pk):
    require_perm(request.user, VIEW)
    item = visible_or_404(recommendations_visible(request.user), pk)
    may_change = item.participant_id in {p.pk for p in participants_for(request.user, CHANGE)}
    others = recommendations_visible(request.user).filter(participant=item.participant)
    others = others.exclude(pk=item.pk)
    action = request.POST.get("action", "")
    form = RecommendationForm(
        request.POST if action == "save" else None, instance=item, initial={"topics": item.topics}
    )
    link_form = LinkForm(request.POST if action == "link" else None, others=others)
    conflict = False
    if request.method == "POST":
        require_perm(request.user, CHANGE)
        try:
            if action == "save" and form.is_valid():
                recommendation_update(
                    actor=request.user,
                    recommendation=item,
                    expected_version=posted_version(request),
                    **form.cleaned_data,
                )
                messages.success(request, _("The recommendation is saved."))
                return redirect("recommendations:detail", pk=item.pk)
            if action == "link" and link_form.is_valid():
                other = visible_or_404(others, link_form.cleaned_data["other"])
                recommendation_link(
                    actor=request.user,
                    recommendation=item,
                    other=other,
                    kind=link_form.cleaned_data["kind"],
                )
                messages.success(request, _("The link is saved."))
                return redirect("recommendations:detail", pk=item.pk)
            if action == "unlink":
                link = visible_or_404(
                    RecommendationLink.objects.filter(Q(recommendation=item) | Q(earlier=item)),
                    request.POST.get("link", ""),
                )
                recommendation_unlink(actor=request.user, link=link)
                messages.success(request, _("The link is removed."))
                return redirect("recommendations:detail", pk=item.pk)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            conflict = True
        except ValidationError as exc:
            add_errors(link_form if action == "link" else form, exc)
        item.refresh_from_db()
    links = [
        {"link": link, "other": link.earlier, "outgoing": True}
        for link in item.links_out.select_related("earlier__source")
    ] + [
        {"link": link, "other": link.recommendation, "outgoing": False}
        for link in item.links_in.select_related("recommendation__source")
    ]
    failed = bool(form.errors or link_form.errors)
    return render(
        request,
        "recommendations/recommendation.html",
        {
            "item": item,
            "topics": [topic_label(t) for t in item.topics],
            "measures": item.measures.select_related("objective__strategy"),
            "links": links,
            "form": form,
            "link_form": link_form,
            "may_change": may_change,
        },
        status=409 if conflict else 400 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
def source_list(request):
    require_perm(request.user, "recommendations.view_source")
    may_add = request.user.has_perm("recommendations.add_source")
    form = SourceForm(request.POST or None) if may_add else None
    if request.method == "POST":
        require_perm(request.user, "recommendations.add_source")
        if form.is_valid():
            try:
                source_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The source is saved."))
                return redirect("recommendations:sources")
    return render(
        request,
        "recommendations/sources.html",
        {"sources": Source.objects.all(), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def source_detail(request, pk):
    require_perm(request.user, "recommendations.change_source")
    source = visible_or_404(Source.objects.all(), pk)
    form = SourceForm(request.POST or None, instance=source)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            source_save(
                actor=request.user,
                source=source,
                expected_version=posted_version(request),
                **form.cleaned_data,
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            conflict = True
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The source is saved."))
            return redirect("recommendations:sources")
    return render(
        request,
        "recommendations/source_form.html",
        {"form": form, "source": source},
        status=409 if conflict else 400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def import_page(request):
    require_perm(request.user, IMPORT)
    participants = list(participants_for(request.user, IMPORT))
    if not participants:
        raise NotFoundError()
    form = ImportForm(request.POST or None, request.FILES or None, participants=participants)
    problems = []
    conflict = False
    if request.method == "POST" and form.is_valid():
        participant = next(p for p in participants if p.pk == form.cleaned_data["participant"])
        upload = form.cleaned_data["file"]
        try:
            result = recommendations_import(
                actor=request.user,
                file_name=upload.name,
                raw=upload.read(),
                participant=participant,
            )
        except ImportRejected as exc:
            problems = exc.rows
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            conflict = True
        else:
            messages.success(
                request,
                _(
                    "Imported %(count)s recommendation(s), %(sources)s new source(s), "
                    "%(links)s link(s) to earlier recommendations."
                )
                % {
                    "count": result.created,
                    "sources": result.sources_created,
                    "links": result.links_created,
                },
            )
            return redirect(reverse("recommendations:list") + f"?participant={participant.code}")
    return render(
        request,
        "recommendations/import.html",
        {
            "form": form,
            "problems": problems,
            "columns": [(c, column_help(c)) for c in COLUMNS],
        },
        status=409 if conflict else 400 if form.errors else 200,
    )


@require_GET
def import_template(request):
    require_perm(request.user, IMPORT)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="veza-recommendations.xlsx"'
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="veza-recommendations.csv"'
    return response

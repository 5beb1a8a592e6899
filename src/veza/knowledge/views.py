"""Staff pages of the guidance library: the list with search and filters, a document with its
versions and languages, and the forms that write, publish and withdraw. Thin: the selectors
decide what a person sees, the services what they may change."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.scoping import require_perm
from veza.core.web import add_errors, posted_version
from veza.knowledge import services
from veza.knowledge.choices import VersionStatus
from veza.knowledge.downloads import pdf_response
from veza.knowledge.forms import REGIONAL, DetailsForm, DocumentForm, TextForm, participant_choices
from veza.knowledge.languages import direction, language_name, preferred_language
from veza.knowledge.listing import list_context
from veza.knowledge.models import DocumentText
from veza.knowledge.selectors import (
    ADD,
    CHANGE,
    PUBLISH,
    VIEW,
    document_get_visible,
    documents_visible,
    manage_scope,
    text_get_for_download,
)
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant

__all__ = [
    "document_create",
    "document_detail",
    "document_edit",
    "document_list",
    "document_pdf",
    "document_publish",
    "document_version_new",
    "document_withdraw",
    "text_edit",
]


@require_GET
def document_list(request):
    require_perm(request.user, VIEW)
    context = list_context(request, documents_visible(request.user), public=False)
    context["may_add"] = bool(manage_scope(request.user, ADD))
    return render(request, "knowledge/document_list.html", context)


@require_http_methods(["GET", "POST"])
def document_create(request):
    require_perm(request.user, ADD)
    scope = manage_scope(request.user, ADD)
    national = Participant.objects.filter(kind=ParticipantKind.NATIONAL).order_by("code")
    choices = participant_choices(scope, national)
    if not choices:
        raise PermissionDeniedError()
    form = DocumentForm(
        request.POST or None, participants=choices, initial={"language": get_language()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data["participant"]
        participant = None if chosen == REGIONAL else national.filter(pk=int(chosen)).first()
        try:
            document = services.document_create(
                actor=request.user,
                participant=participant,
                **{k: data[k] for k in ("kind", "topic", "sector", "audience", "slug")},
                **{k: data[k] for k in ("language", "title", "summary", "body")},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("The draft is saved. Add its other languages, then publish it.")
            )
            return redirect("knowledge:detail", pk=document.pk)
    return render(
        request,
        "knowledge/document_form.html",
        {"form": form, "title": _("New guidance document")},
        status=400 if form.errors else 200,
    )


def _rights(user, document) -> dict:
    return {
        "may_change": user.has_perm(CHANGE)
        and manage_scope(user, CHANGE).covers(document.participant_id),
        "may_publish": user.has_perm(PUBLISH)
        and manage_scope(user, PUBLISH).covers(document.participant_id),
    }


@require_GET
def document_detail(request, pk):
    """One document: its versions (the history), the languages of the newest one, and the text
    in the language asked for (or the nearest)."""
    require_perm(request.user, VIEW)
    document = document_get_visible(user=request.user, pk=pk)
    rights = _rights(request.user, document)
    versions = list(document.versions.select_related("published_by").order_by("-number"))
    if not rights["may_change"]:
        # Readers who do not manage the document see what is published, not drafts.
        versions = [v for v in versions if v.status != VersionStatus.DRAFT]
    shown_version = next((v for v in versions if v.pk == document.published_version_id), None) or (
        versions[0] if versions else None
    )
    if rights["may_change"] and versions:
        shown_version = versions[0]
    texts = (
        list(DocumentText.objects.filter(version=shown_version).order_by("language"))
        if shown_version
        else []
    )
    by_language = {t.language: t for t in texts}
    code = preferred_language(list(by_language), request.GET.get("language") or get_language())
    text = by_language.get(code) if code else None
    return render(
        request,
        "knowledge/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "shown_version": shown_version,
            "texts": [(t, language_name(t.language)) for t in texts],
            "text": text,
            "text_dir": direction(text.language) if text else "ltr",
            "paragraphs": [p for p in (text.body.split("\n\n") if text else []) if p.strip()],
            "is_draft": shown_version is not None and shown_version.status == VersionStatus.DRAFT,
            "public_url": reverse("knowledge:public-detail", args=[document.slug])
            if document.audience == "public" and document.published_version_id
            else "",
            **rights,
        },
    )


def _managed(request, pk, perm):
    document = document_get_visible(user=request.user, pk=pk)
    if not request.user.has_perm(perm) or not manage_scope(request.user, perm).covers(
        document.participant_id
    ):
        raise PermissionDeniedError()
    return document


@require_http_methods(["GET", "POST"])
def document_edit(request, pk):
    document = _managed(request, pk, CHANGE)
    initial = {k: getattr(document, k) for k in ("kind", "topic", "sector", "audience")}
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(
                actor=request.user,
                document=document,
                expected_version=posted_version(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            return _form(request, form, document, _("Change the document"), status=409)
        else:
            messages.success(request, _("The document is saved."))
            return redirect("knowledge:detail", pk=document.pk)
    return _form(request, form, document, _("Change the document"))


def _form(request, form, document, title, *, status=None, template="knowledge/document_form.html"):
    return render(
        request,
        template,
        {"form": form, "document": document, "title": title},
        status=status or (400 if form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
def text_edit(request, pk):
    """Add or replace one language's text (and its PDF) of the draft."""
    document = _managed(request, pk, CHANGE)
    draft = document.versions.order_by("-number").first()
    if draft is None or draft.status != VersionStatus.DRAFT:
        messages.error(request, _("Start a new version to change the texts."))
        return redirect("knowledge:detail", pk=document.pk)
    language = request.POST.get("language") or request.GET.get("language") or get_language()
    existing = DocumentText.objects.filter(version=draft, language=language).first()
    initial = {"language": language}
    if existing:
        initial.update(title=existing.title, summary=existing.summary, body=existing.body)
    form = TextForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.text_save(
                actor=request.user,
                document=document,
                expected_version=posted_version(request),
                pdf=data.get("pdf") or None,
                **{k: data[k] for k in ("language", "title", "summary", "body", "remove_pdf")},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            return _form(
                request, form, document, _("Text in one language"), status=409,
                template="knowledge/text_form.html",
            )  # fmt: skip
        else:
            messages.success(
                request,
                _("The text in %(language)s is saved.") % {"language": language_name(language)},
            )
            return redirect("knowledge:detail", pk=document.pk)
    response = _form(
        request, form, document, _("Text in one language"), template="knowledge/text_form.html"
    )
    return response


def _action(request, pk, perm, run, done: str):
    document = _managed(request, pk, perm)
    try:
        run(actor=request.user, document=document, expected_version=posted_version(request))
    except (ValidationError, ConflictError) as exc:
        messages.error(request, exc.text() if isinstance(exc, ValidationError) else exc.message)
    else:
        messages.success(request, done)
    return redirect("knowledge:detail", pk=document.pk)


@require_POST
def document_publish(request, pk):
    return _action(request, pk, PUBLISH, services.version_publish, _("The version is published."))


@require_POST
def document_version_new(request, pk):
    return _action(
        request, pk, CHANGE, services.version_new,
        _("A new draft holds a copy of the texts. Change them, then publish it."),
    )  # fmt: skip


@require_POST
def document_withdraw(request, pk):
    return _action(
        request, pk, PUBLISH, services.document_withdraw, _("The document is withdrawn.")
    )


@require_GET
def document_pdf(request, pk, language: str):
    """The PDF of one language of the version the document page shows."""
    require_perm(request.user, VIEW)
    document = document_get_visible(user=request.user, pk=pk)
    rights = _rights(request.user, document)
    text = text_get_for_download(
        document=document, language=language, public=not rights["may_change"]
    )
    return pdf_response(text)

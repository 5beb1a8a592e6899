"""The public library: published documents meant for everyone, readable without logging in
(survivors, families, employers, journalists, other services). Drafts, withdrawn documents and
documents for professionals answer "not found" here, as any unknown address does."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from veza.core.errors import NotFoundError
from veza.knowledge.downloads import pdf_response
from veza.knowledge.languages import direction, language_name, preferred_language
from veza.knowledge.listing import list_context
from veza.knowledge.models import DocumentText
from veza.knowledge.selectors import public_document_get, public_documents, text_get_for_download

__all__ = ["public_detail", "public_list", "public_pdf"]


@login_not_required
@require_GET
def public_list(request):
    return render(
        request,
        "knowledge/public_list.html",
        list_context(request, public_documents(), public=True),
    )


@login_not_required
@require_GET
def public_detail(request, slug: str, language: str = ""):
    """A published document in one language: the one in the address, else the reader's."""
    document = public_document_get(slug)
    texts = list(
        DocumentText.objects.filter(version_id=document.published_version_id).order_by("language")
    )
    by_language = {t.language: t for t in texts}
    if language and language not in by_language:
        raise NotFoundError()
    code = language or preferred_language(list(by_language), get_language())
    text = by_language.get(code)
    if text is None:
        raise NotFoundError()
    return render(
        request,
        "knowledge/public_detail.html",
        {
            "document": document,
            "version": document.published_version,
            "text": text,
            "text_dir": direction(text.language),
            "paragraphs": [p for p in text.body.split("\n\n") if p.strip()],
            "texts": [(t, language_name(t.language)) for t in texts],
        },
    )


@login_not_required
@require_GET
def public_pdf(request, slug: str, language: str):
    document = public_document_get(slug)
    return pdf_response(text_get_for_download(document=document, language=language, public=True))

"""A stored PDF sent back safely: always as a download (never shown inside Veza's pages), its
type fixed and not to be guessed, and in a sandbox should a browser open it anyway."""

from __future__ import annotations

from django.http import HttpResponse

from veza.knowledge.models import DocumentText

__all__ = ["pdf_response"]


def pdf_response(text: DocumentText) -> HttpResponse:
    response = HttpResponse(bytes(text.pdf_data), content_type="application/pdf")
    # The name was made safe when stored (a slug); quoted all the same.
    name = (text.pdf_name or "document.pdf").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Content-Length"] = str(text.pdf_size or len(text.pdf_data))
    return response

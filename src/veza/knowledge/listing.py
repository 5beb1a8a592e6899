"""The library's list, shared by the staff page and the public page: filters from the query,
search, one page of documents and the title to show for each (in the reader's language)."""

from __future__ import annotations

from django.utils.translation import get_language

from veza.core.paging import BoundedPaginator
from veza.knowledge.choices import Kind, Topic
from veza.knowledge.languages import direction, document_languages, language_name
from veza.knowledge.selectors import Filters, document_filter, titles_for
from veza.organisations.choices import ParticipantKind, Sector
from veza.organisations.models import Participant

__all__ = ["PAGE_SIZE", "list_context"]

PAGE_SIZE = 20


def list_context(request, documents, *, public: bool) -> dict:
    filters = Filters.from_query(request.GET)
    documents = document_filter(documents, filters, public=public)
    page = BoundedPaginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    wanted = filters.language or get_language()
    shown = titles_for(rows, wanted, public=public)
    return {
        "filters": filters,
        "page": page,
        "rows": [
            {
                "document": d,
                "text": shown.get(d.pk),
                "language": language_name(shown[d.pk].language) if d.pk in shown else "",
                "dir": direction(shown[d.pk].language) if d.pk in shown else "ltr",
            }
            for d in rows
        ],
        "kinds": Kind.choices,
        "topics": Topic.choices,
        "sectors": Sector.choices,
        "languages": document_languages(),
        "participants": [
            (p.code, p.name)
            for p in Participant.objects.filter(kind=ParticipantKind.NATIONAL).order_by("code")
        ],
    }

"""Reads of the screening app, always starting from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from veza.core.scoping import access_by_id, require_perm
from veza.screening.models import Screening

__all__ = ["screening_get_visible", "screening_list_visible"]


def screening_list_visible(
    *, user, status: str | None = None, outcome: str | None = None, q: str | None = None
) -> QuerySet[Screening]:
    require_perm(user, "screening.view_screening")
    qs = Screening.objects.visible_to(user).select_related("organisation", "questionnaire")
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if q:
        qs = qs.filter(reference__icontains=q.strip()) | qs.filter(person_ref__iexact=q.strip())
    return qs.order_by("-updated_at", "-id")


def screening_get_visible(*, user, pk) -> Screening:
    screening = access_by_id(Screening, user, pk, perm="screening.view_screening")
    return screening

"""Reads of the screening app, always starting from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from veza.core.scoping import require_perm, visible_or_404
from veza.screening.models import Screening

__all__ = ["screening_get_visible", "screening_list_visible"]


def screening_list_visible(
    *, user, status: str | None = None, outcome: str | None = None, q: str | None = None
) -> QuerySet[Screening]:
    require_perm(user, "screening.view_screening")
    # A list names the questionnaire; its content (the whole questionnaire as JSON) stays behind.
    qs = (
        Screening.objects.visible_to(user)
        .select_related("organisation", "questionnaire")
        .defer("questionnaire__content")
    )
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if q:
        qs = qs.filter(reference__icontains=q.strip()) | qs.filter(person_ref__iexact=q.strip())
    return qs.order_by("-updated_at", "-id")


def screening_get_visible(*, user, pk) -> Screening:
    require_perm(user, "screening.view_screening")
    # Its pages parse the questionnaire once per process (keyed by checksum): its content is read
    # only if that has not happened yet.
    visible = (
        Screening.objects.visible_to(user)
        .select_related("questionnaire", "participant")
        .defer("questionnaire__content")
    )
    return visible_or_404(visible, pk)

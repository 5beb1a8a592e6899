"""Reads of the cases app, always starting from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from veza.cases.models import Case
from veza.core.scoping import access_by_id, require_perm

__all__ = ["case_get_visible", "case_list_visible"]


def case_list_visible(*, user, status: str | None = None, q: str | None = None) -> QuerySet[Case]:
    require_perm(user, "cases.view_case")
    qs = Case.objects.visible_to(user).select_related("organisation")
    if status:
        qs = qs.filter(case_status=status)
    if q:
        qs = qs.filter(code__icontains=q.strip())
    return qs.order_by("-updated_at", "-id")


def case_get_visible(*, user, pk) -> Case:
    return access_by_id(Case, user, pk, perm="cases.view_case")

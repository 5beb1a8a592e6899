"""Reads of the cases app, always starting from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from veza.cases.emergency import emergency_access_read
from veza.cases.models import Case
from veza.core.errors import NotFoundError
from veza.core.scoping import access_by_id, require_perm

__all__ = ["case_get_visible", "case_list_visible"]


def case_list_visible(*, user, status: str | None = None, q: str | None = None) -> QuerySet[Case]:
    """Cases in the user's scope. Never a case opened by emergency access: those are reached
    by their id only, while the grant lasts."""
    require_perm(user, "cases.view_case")
    qs = Case.objects.visible_to(user).select_related("organisation")
    if status:
        qs = qs.filter(case_status=status)
    if q:
        qs = qs.filter(code__icontains=q.strip())
    return qs.order_by("-updated_at", "-id")


def case_get_visible(*, user, pk) -> Case:
    """The case in the user's scope; else the case of the user's live emergency access (audited
    as a read `via=break_glass`, and marked with `case.emergency_access`); else 404."""
    try:
        case = access_by_id(Case, user, pk, perm="cases.view_case")
    except NotFoundError:
        case = emergency_access_read(user=user, pk=pk)
        if case is None:
            raise
        return case
    case.emergency_access = None
    return case

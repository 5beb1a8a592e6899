"""What every viewset of the recommendations API shares: a permission per action, and lookups
that answer "not found" outside the caller's participants."""

from __future__ import annotations

from rest_framework import viewsets

from veza.core.api.permissions import perm_required
from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.recommendations.selectors import participants_for

__all__ = ["P", "Scoped", "participant_or_404"]

P = "recommendations."


def participant_or_404(user, perm: str, code: str | None):
    """The national participant with this code where the user holds `perm` (404 otherwise)."""
    found = participants_for(user, perm)
    if code:
        found = found.filter(code=str(code).upper())
    participant = found.first()
    if participant is None:
        raise NotFoundError()
    return participant


class Scoped(viewsets.GenericViewSet):
    #: action -> permission codename (without the app label)
    perms: dict[str, str] = {}

    def get_permissions(self):
        return [perm_required(P + self.perms.get(self.action, self.perms["list"]))()]

    def get_object(self):
        return visible_or_404(self.get_queryset(), self.kwargs.get("pk", ""))

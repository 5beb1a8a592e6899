"""Organisation scoping that fails closed.

Every user-facing query starts from `Model.objects.visible_to(user)`. A model states who may see
what by defining `visibility(queryset, user)`; a model that does not define it shows nothing.
Lookups by an id that came from a request go through `access_by_id`, which answers "not found"
for anything outside the user's scope, so that the existence of other organisations' records is
never revealed.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from veza.core.errors import NotFoundError, PermissionDeniedError

__all__ = [
    "VisibleManager",
    "VisibleQuerySet",
    "access_by_id",
    "require_operator",
    "require_perm",
    "require_perm_or_operator",
    "visible_or_404",
]

M = TypeVar("M", bound=models.Model)


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisibleQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        rule = getattr(self.model, "visibility", None)
        if rule is None:
            return self.none()
        return rule(self, user)


VisibleManager = models.Manager.from_queryset(VisibleQuerySet)


def require_perm(user, perm: str) -> None:
    """Raise 403 unless the user holds the permission in at least one organisation."""
    if user is None or not user.is_authenticated or not user.has_perm(perm):
        raise PermissionDeniedError()


def require_operator(actor) -> None:
    """Only the instance's operator on the command line (an actor named by a string, see
    `core.context.cli_actor`): keys, backups, the retention purge and legal holds."""
    if not isinstance(actor, str):
        raise PermissionDeniedError()


def require_perm_or_operator(actor, perm: str) -> None:
    """As `require_perm`, except for the instance's operator on the command line (an actor
    named by a string, see `core.context.cli_actor`), who may do what the commands offer."""
    if not isinstance(actor, str):
        require_perm(actor, perm)


def require_perm_or_operator_in(actor, perm: str, organisation) -> None:
    """The permission inside one organisation; the operator on the command line may act."""
    if not isinstance(actor, str) and not actor.has_perm(perm, organisation):
        raise PermissionDeniedError()


def access_by_id(model: type[M], user, pk, *, perm: str) -> M:
    """The object with this id, if the user may see it and holds `perm`; otherwise 404 or 403."""
    require_perm(user, perm)
    try:
        pk = model._meta.pk.to_python(pk)
        return model.objects.visible_to(user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFoundError() from exc


def visible_or_404(queryset, pk):
    """The record with this id inside what the user may see (`queryset` is already scoped), or
    "not found" — never "forbidden": records out of reach do not reveal that they exist."""
    text = str(pk)
    # Only ASCII digits: "²" is a digit to Python but not a number int() reads.
    if not (text.isascii() and text.isdigit()):
        raise NotFoundError()
    item = queryset.filter(pk=int(text)).first()
    if item is None:
        raise NotFoundError()
    return item

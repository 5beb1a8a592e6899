"""API permissions: nothing is allowed unless a view names the permission it needs."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

__all__ = ["DenyAll", "HasAnyRole", "perm_required"]


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class DenyAll(BasePermission):
    """The default for every API view: a view that forgets to declare its permission is closed."""

    def has_permission(self, request, view):
        return False


class HasAnyRole(BasePermission):
    """The user holds at least one permission through a live membership."""

    def has_permission(self, request, view):
        return _active(request.user) and bool(request.user.get_all_permissions())


def perm_required(*perms: str) -> type[BasePermission]:
    """A permission class requiring every one of `perms` (in at least one organisation)."""

    class _PermRequired(BasePermission):
        def has_permission(self, request, view):
            return _active(request.user) and request.user.has_perms(perms)

    _PermRequired.__name__ = "PermRequired_" + "_".join(p.replace(".", "_") for p in perms)
    _PermRequired.required = perms
    return _PermRequired

"""Who may use the bookings endpoint: a professional or coordinator with the permission to see
requests, or an interpreter of the pool (their own bookings only, by the queryset)."""

from rest_framework.permissions import BasePermission

__all__ = ["BookingAccess", "PoolMember"]


class BookingAccess(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        return user.has_perm("interpreters.view_interpreterrequest") or hasattr(user, "interpreter")


class PoolMember(BasePermission):
    """An interpreter of the pool, or the pool's coordinator."""

    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        return user.has_perm("interpreters.coordinate_pool") or hasattr(user, "interpreter")

"""The administration site: for holders of the administrator role, after the second factor."""

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["VezaAdminSite"]


class VezaAdminSite(admin.AdminSite):
    site_header = _("Veza administration")
    site_title = _("Veza administration")
    index_title = _("Participants, organisations, people and roles")

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and user.is_verified()
            and user.has_perm("core.access_admin")
        )

    def logout(self, request, extra_context=None):
        from veza.core.views import logout_view

        return logout_view(request)

    def login(self, request, extra_context=None):
        # One login page for everybody, with the second factor.
        target = reverse("core:login")
        if request.user.is_authenticated:
            # Logged in, but without the administrator role.
            from veza.core.errors import PermissionDeniedError

            raise PermissionDeniedError()
        return redirect(f"{target}?{urlencode({'next': request.GET.get('next', '/admin/')})}")

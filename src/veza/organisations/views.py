"""Pages: the home page for each role, the organisation directory and one's own account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError
from veza.core.navigation import nav_items_for
from veza.organisations.choices import Sector
from veza.organisations.forms import OrganisationFilterForm
from veza.organisations.models import Membership, Participant
from veza.organisations.scope import user_scope
from veza.organisations.selectors import (
    membership_list_for_user,
    organisation_get_visible,
    organisation_list_visible,
)

__all__ = [
    "account",
    "home",
    "organisation_detail",
    "organisation_list",
    "password_change",
]


def _require_role(user):
    if not user_scope(user).has_any_role:
        raise PermissionDeniedError(
            "Your account has no role in any organisation yet. Ask your administrator for one."
        )


@require_GET
def home(request):
    _require_role(request.user)
    memberships = membership_list_for_user(user=request.user)
    items = [i for i in nav_items_for(request.user) if i.key != "home"]
    return render(request, "organisations/home.html", {"memberships": memberships, "tiles": items})


@require_GET
def organisation_list(request):
    form = OrganisationFilterForm(
        request.GET or None,
        participants=Participant.objects.visible_to(request.user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = organisation_list_visible(
        user=request.user,
        participant=filters.get("participant") or None,
        sector=filters.get("sector") or None,
        q=filters.get("q") or None,
    )
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {"form": form, "page": page, "sectors": Sector},
    )


@require_GET
def organisation_detail(request, pk: int):
    organisation = organisation_get_visible(user=request.user, pk=pk)
    members = None
    if request.user.has_perm("organisations.view_membership"):
        members = (
            Membership.objects.visible_to(request.user)
            .live()
            .filter(organisation=organisation)
            .select_related("user", "role")
            .order_by("user__last_name", "user__username")
        )
    return render(
        request,
        "organisations/organisation_detail.html",
        {"organisation": organisation, "members": members},
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's own password: the old one, then the new one twice (checked by the policy)."""
    _require_role(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit_log("user.password_change", actor=user, obj=user)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("organisations:account")
    return render(
        request,
        "organisations/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def account(request):
    _require_role(request.user)
    return render(
        request,
        "organisations/account.html",
        {"memberships": membership_list_for_user(user=request.user)},
    )

"""Break-the-glass pages: ask for emergency access to one case, see the grants, end one early."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.cases.emergency import (
    BREAK_GLASS,
    emergency_access_end,
    emergency_access_get_visible,
    emergency_access_list_visible,
    emergency_access_open,
    emergency_may_end,
)
from veza.cases.forms import BreakGlassForm
from veza.cases.models import EmergencyAccess
from veza.core.errors import ValidationError
from veza.core.paging import BoundedPaginator
from veza.core.scoping import require_perm
from veza.core.web import add_errors
from veza.organisations.scope import user_scope

__all__ = ["break_glass", "break_glass_end", "break_glass_log", "emergency_banners"]


@require_http_methods(["GET", "POST"])
def break_glass(request):
    """The form: a case reference typed exactly, a written reason and a duration."""
    require_perm(request.user, BREAK_GLASS)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = emergency_access_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.warning(
                request,
                _(
                    "Emergency access is open until %(time)s. The national coordinator and the "
                    "responsible organisation have been told."
                )
                % {"time": timezone.localtime(grant.expires_at).strftime("%H:%M")},
            )
            return redirect("cases:detail", pk=grant.case_id)
    return render(
        request, "cases/break_glass.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def break_glass_log(request):
    """Grants on the cases the user sees (a coordinator: all of the participant's) and their
    own grants."""
    grants = emergency_access_list_visible(user=request.user)
    page = BoundedPaginator(grants, 50).get_page(request.GET.get("page"))
    for grant in page:
        grant.may_end = grant.is_live and emergency_may_end(request.user, grant)
    return render(request, "cases/break_glass_log.html", {"page": page})


@require_POST
def break_glass_end(request, pk: int):
    grant = emergency_access_get_visible(user=request.user, pk=pk)
    try:
        emergency_access_end(actor=request.user, grant=grant)
        messages.success(request, _("The emergency access has ended."))
    except ValidationError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect("cases:break-glass-log")
    return redirect(back)


def emergency_banners(request) -> list[str]:
    """A red banner on every page while the user holds a live emergency access."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if BREAK_GLASS not in user_scope(user).all_perms:
        return []
    grants = EmergencyAccess.objects.live().filter(user=user).select_related("case")
    return [
        render_to_string("cases/_break_glass_banner.html", {"grant": grant}, request=request)
        for grant in grants
    ]

"""Request-wide rules: security headers, deny by default, second factor, lifetime, errors."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from veza.core.context import client_ip, reset_current_ip, set_current_ip
from veza.core.errors import (
    StorageFullError,
    VezaError,
    is_storage_full,
    outage_error,
)

__all__ = [
    "LoginRequiredMiddleware",
    "RequireSecondFactorMiddleware",
    "SecurityHeadersMiddleware",
    "SessionLifetimeMiddleware",
    "VezaErrorMiddleware",
]

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The administration site sets a few inline style attributes; scripts stay strict there too.
CSP_ADMIN = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

LOGIN_AT = "veza_login_at"
#: When the session was last saved for activity, and how often at most activity saves it: the
#: idle limit (SESSION_COOKIE_AGE) counts from that save, so it ends between a minute early and on
#: time — never later — while a busy user's requests do not each write the session row.
SEEN_AT = "veza_seen_at"
SEEN_REFRESH_SECONDS = 60
HAD_SESSION_COOKIE = "veza_signed_in"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            reset_current_ip(token)
        admin = request.path.startswith("/admin/")
        response.setdefault("Content-Security-Policy", CSP_ADMIN if admin else CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(settings.STATIC_URL):
            # Pages may hold personal data: never keep them in a shared or browser cache.
            response.setdefault("Cache-Control", "no-store")
        return response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a logged-in user unless its view is marked `login_not_required`.

    The API answers for itself (401/403 in JSON), so it is left to its own authentication.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        if not request.user.is_authenticated and request.COOKIES.get(HAD_SESSION_COOKIE):
            messages.warning(request, _("Your session has ended. Please log in again."))
            response = super().process_view(request, view_func, view_args, view_kwargs)
            if response is not None:
                response.delete_cookie(HAD_SESSION_COOKIE)
            return response
        return super().process_view(request, view_func, view_args, view_kwargs)


def _ended(request, message):
    """Where a session is ended: pages go to the login page, the API answers 401 in JSON."""
    if request.path_info.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": "not_authenticated", "detail": message}, status=401)
    messages.warning(request, message)
    return redirect(settings.LOGIN_URL)


class RequireSecondFactorMiddleware:
    """A session that is logged in without a verified second factor is ended at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            logout(request)
            return _ended(request, _("Please log in with your second factor."))
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active, and keeps an active one alive.

    The idle limit is the session's age (SESSION_COOKIE_AGE, 30 minutes), renewed when the session
    is saved; activity saves it once a minute at most (SEEN_AT), not on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(LOGIN_AT)
            if started is None or now - started > settings.VEZA_SESSION_ABSOLUTE_SECONDS:
                from veza.core.signals import logout_reason

                logout_reason(request, "lifetime")
                logout(request)
                return _ended(request, _("Your session has ended. Please log in again."))
            if now - request.session.get(SEEN_AT, 0) >= SEEN_REFRESH_SECONDS:
                request.session[SEEN_AT] = int(now)  # saved at the response, with a new expiry
        return self.get_response(request)


class VezaErrorMiddleware:
    """Turns Veza errors raised by page views into the error page with the right status.

    It also reads an uploaded form before any view does, so that an upload the disk has no room
    for (Django spools large files to FILE_UPLOAD_TEMP_DIR) is answered 507 with the translated
    page — before the CSRF check would read it and fail with a 500 — and leaves no temporary file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST, request.FILES  # noqa: B018 (read now, where a full disk is caught)
            except OSError as exc:
                if not is_storage_full(exc):
                    raise
                for handler in getattr(request, "_upload_handlers", []) or []:
                    spooled = getattr(handler, "file", None)
                    if spooled is not None:
                        spooled.close()  # a temporary file is removed when closed
                return self.process_exception(request, StorageFullError())
        return self.get_response(request)

    def process_exception(self, request, exception):
        exception = outage_error(exception)
        if not isinstance(exception, VezaError):
            return None
        if request.path_info.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse(exception.as_dict(), status=exception.status)
        return TemplateResponse(
            request,
            "error.html",
            {"status": exception.status, "message": exception.message},
            status=exception.status,
        ).render()

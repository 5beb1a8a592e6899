"""Logging in with a password and a second factor, logging out, and choosing a language."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.audit import audit_log
from veza.core.context import client_ip
from veza.core.errors import (
    ServiceUnavailableError,
    StorageFullError,
    drop_dead_connections,
    outage_error,
)
from veza.core.forms import CodeForm, LanguageForm, LoginForm
from veza.core.middleware import HAD_SESSION_COOKIE, LOGIN_AT
from veza.core.signals import logout_reason
from veza.core.stepup import STEP_UP_AT
from veza.core.throttle import throttle_check, throttle_fail, throttle_keys, throttle_reset
from veza.core.totp import totp_qr_svg, verify_code

__all__ = [
    "csrf_failure",
    "health",
    "login_enrol",
    "login_password",
    "login_second_factor",
    "logout_view",
    "set_language",
    "translation_status",
]

PENDING_USER = "veza_pending_user"
PENDING_AT = "veza_pending_at"
PENDING_NEXT = "veza_pending_next"
PENDING_SECONDS = 300


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def _throttled(request, form, keys, template="core/login.html", extra=None):
    wait = throttle_check(keys)
    if wait:
        form.add_error(
            None,
            ngettext(
                "Too many attempts. Wait %(seconds)d second, then try again.",
                "Too many attempts. Wait %(seconds)d seconds, then try again.",
                wait,
            )
            % {"seconds": wait},
        )
        return render(request, template, {"form": form, **(extra or {})}, status=429)
    return None


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_password(request):
    """Step 1: user name and password. Unknown users and wrong passwords get the same answer."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keys = throttle_keys(form.cleaned_data["username"], client_ip(request))
        if (blocked := _throttled(request, form, keys)) is not None:
            return blocked
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            throttle_fail(keys)
            form.add_error(None, _("The user name or the password is not right."))
            return render(request, "core/login.html", {"form": form}, status=400)
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_AT] = time.time()
        request.session[PENDING_NEXT] = _safe_next(request, request.GET.get("next"))
        return redirect("core:login-verify")
    return render(request, "core/login.html", {"form": form})


def _pending_user(request):
    pk = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if pk is None or time.time() - started > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def _finish_login(request, user, device):
    next_url = request.session.get(PENDING_NEXT) or reverse(settings.LOGIN_REDIRECT_URL)
    with transaction.atomic():
        login(request, user, backend="veza.organisations.backends.MembershipBackend")
        otp_login(request, device)
        request.session[LOGIN_AT] = time.time()
        # The code just typed counts as a fresh second factor for exports (core.stepup).
        request.session[STEP_UP_AT] = time.time()
        for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
            request.session.pop(key, None)
        audit_log(
            "auth.login", actor=user, obj=user, detail={"second_factor": device.persistent_id}
        )
    throttle_reset(throttle_keys(user.username, client_ip(request)))
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        HAD_SESSION_COOKIE, "1", httponly=True, samesite="Lax", secure=settings.HTTPS
    )
    if user.language:
        translation.activate(user.language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            httponly=True,
            samesite="Lax",
            secure=settings.HTTPS,
            max_age=365 * 24 * 3600,
        )
    return response


def _code_step(request, user, devices, template, extra, on_success):
    """The code form shared by login and enrolment: throttled, audited, each code used once."""
    form = CodeForm(request.POST or None)
    context = {"form": form, **extra}
    if request.method != "POST" or not form.is_valid():
        return render(request, template, context)
    keys = throttle_keys(user.username, client_ip(request))
    if (blocked := _throttled(request, form, keys, template, extra)) is not None:
        return blocked
    outcome, device = verify_code(devices, form.cleaned_data["code"])
    if outcome == "throttled":
        form.add_error(None, _("Too many wrong codes. Wait a few seconds, then try again."))
        return render(request, template, context, status=429)
    if outcome == "ok":
        return on_success(device)
    throttle_fail(keys)
    audit_log("auth.login_failed", actor=user, obj=user, detail={"step": "second_factor"})
    form.add_error("code", _("This code is not right or has already been used."))
    return render(request, template, context, status=400)


def _restart_login(request):
    messages.warning(request, _("Please log in again."))
    return redirect(settings.LOGIN_URL)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_second_factor(request):
    """Step 2: a code from the authenticator app. Without a device yet, enrol one first."""
    user = _pending_user(request)
    if user is None:
        return _restart_login(request)
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect("core:login-enrol")
    return _code_step(
        request,
        user,
        devices,
        "core/login_verify.html",
        {},
        lambda device: _finish_login(request, user, device),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """First login: set up an authenticator app by scanning a code, then confirm with one code."""
    user = _pending_user(request)
    if user is None:
        return _restart_login(request)
    if any(True for _d in devices_for_user(user, confirmed=True)):
        return redirect("core:login-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)

    def confirm(device):
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_log("auth.second_factor_enrolled", actor=user, obj=user)
        return _finish_login(request, user, device)

    extra = {"qr_svg": totp_qr_svg(device, user), "secret": device_secret_b32(device)}
    return _code_step(request, user, [device], "core/login_enrol.html", extra, confirm)


def device_secret_b32(device) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_not_required
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        logout_reason(request, "user")
        logout(request)
        messages.success(request, _("You have logged out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    response.delete_cookie(HAD_SESSION_COOKIE)
    return response


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; saved on the account of a logged-in user."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "error.html",
            {"status": 400, "message": _("This language is not available in Veza.")},
            status=400,
        )
    code = form.cleaned_data["language"]
    translation.activate(code)
    if request.user.is_authenticated and request.user.language != code:
        with transaction.atomic():
            request.user.language = code
            request.user.save(update_fields=["language"])
            audit_log(
                "user.language", actor=request.user, obj=request.user, detail={"language": code}
            )
    next_url = form.cleaned_data.get("next")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:login")
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


def csrf_failure(request, reason=""):
    """A forged or stale form: nothing was changed; say so plainly."""
    return render(
        request,
        "error.html",
        {
            "status": 403,
            "message": _(
                "This form has expired or did not come from Veza, so nothing was changed. "
                "Go back, reload the page and try again."
            ),
        },
        status=403,
    )


@require_GET
def translation_status(request):
    """For administrators: how complete each shipped language is."""
    from django.utils.safestring import mark_safe

    from veza.core.charts import stacked_bars
    from veza.core.hooks import panels_for
    from veza.core.scoping import require_perm
    from veza.core.translations import catalogue_status

    require_perm(request.user, "core.access_admin")
    rows = catalogue_status()
    chart = stacked_bars(
        [(r.name, [r.translated, r.fuzzy, r.missing]) for r in rows],
        keys=[_("translated"), _("fuzzy"), _("missing")],
        title=_("Interface strings by language"),
    )
    return render(
        request,
        "core/translations.html",
        {
            "rows": rows,
            "chart": mark_safe(chart),  # noqa: S308  (the chart escapes its texts)
            # Content files (questionnaires, indicators, ...) report their own translations.
            "panels": [
                p for provider in panels_for("translations") for p in provider(request, None)
            ],
        },
    )


@login_not_required
@never_cache
def health(request):
    """For load balancers and monitors: is the database answering? No data in the answer."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _error(request, status: int, message: str, code: str):
    if request.path_info.startswith("/api/"):
        # An API client gets the API's error shape (core.api.errors), never an HTML page.
        return JsonResponse({"code": code, "detail": str(message)}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def service_unavailable(request):
    """503 that needs no database: JSON for the API, the error page (or plain text) for pages."""
    message = ServiceUnavailableError.default_message
    try:
        response = _error(request, 503, message, ServiceUnavailableError.code)
    except (OperationalError, InterfaceError):
        response = HttpResponse(str(message), status=503, content_type="text/plain")
    response["Retry-After"] = "5"
    return response


def _caused_by_the_database(exception) -> bool:
    while exception is not None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def error_400(request, exception=None):
    # Django answers 400 (SessionInterrupted) when it cannot save the session at the end of a
    # request; when that is because the database went away, it is a short outage (503).
    if _caused_by_the_database(exception):
        drop_dead_connections()
        return service_unavailable(request)
    return _error(request, 400, _("The request was not understood."), "bad_request")


def error_403(request, exception=None):
    return _error(
        request, 403, _("You do not have permission to see this page."), "permission_denied"
    )


def error_404(request, exception=None):
    return _error(request, 404, _("This page does not exist, or you may not see it."), "not_found")


def error_500(request):
    # A database that is down or restarting fails in the middleware (the session, the user)
    # before any view runs: that is a short outage to retry, not a fault of Veza (503).
    # A full disk met outside a view is 507, not a 500 (core.errors.outage_error, as for views).
    error = outage_error(sys.exc_info()[1])
    if isinstance(error, ServiceUnavailableError):
        return service_unavailable(request)
    if isinstance(error, StorageFullError):
        return _error(request, 507, error.default_message, error.code)
    return _error(
        request,
        500,
        _("Something went wrong on our side. Nothing was half-saved; please try again."),
        "server_error",
    )

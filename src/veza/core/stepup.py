"""Step-up: a fresh second factor before an export of personal data or a statistics release
(SECURITY.md row 22).

A code from the authenticator app typed within the last `VEZA_STEP_UP_SECONDS` (10 minutes by
default) — at login, on a step-up form or when approving a release — marks the session as freshly
verified. An export view calls `step_up_gate(request)` on its POST: with a fresh session it goes
ahead; without, the same POST is answered with a code form that posts everything back with the
code, and only a right code lets the export happen. Wrong codes are throttled and audited exactly
like login codes (the same per-account and per-address counters, and the authenticator's own
back-off); a code works once only. API tokens have no session and so can never step up: Veza
offers no export that needs step-up through the API.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veza.core.audit import audit_log
from veza.core.context import client_ip
from veza.core.forms import CodeForm
from veza.core.throttle import throttle_check, throttle_fail, throttle_keys, throttle_reset
from veza.core.totp import verify_code

__all__ = [
    "STEP_UP_AT",
    "second_factor_check",
    "second_factor_error",
    "step_up_fresh",
    "step_up_gate",
    "step_up_mark",
]

STEP_UP_AT = "veza_step_up_at"
PREFIX = "step_up"


def second_factor_check(user, code: str, *, ip: str | None = None) -> tuple[str, int]:
    """Check a fresh code from the user's authenticator app, throttled like the login's code:
    ("ok", 0), ("wrong", 0) or ("throttled", seconds to wait)."""
    from django_otp import devices_for_user

    keys = throttle_keys(user.username, ip)
    wait = throttle_check(keys)
    if wait:
        return "throttled", wait
    outcome, _device = verify_code(devices_for_user(user, confirmed=True), code)
    if outcome == "ok":
        throttle_reset(keys)
    elif outcome == "wrong":
        throttle_fail(keys)
    return outcome, 0


def second_factor_error(outcome: str, wait: int = 0) -> str:
    """The words for a refused code (translated, the same wherever a code is asked)."""
    if outcome == "throttled":
        if wait:
            return ngettext(
                "Too many attempts. Wait %(seconds)d second, then try again.",
                "Too many attempts. Wait %(seconds)d seconds, then try again.",
                wait,
            ) % {"seconds": wait}
        return _("Too many wrong codes. Wait a few seconds, then try again.")
    return _("This code is not right or has already been used.")


def step_up_mark(request) -> None:
    """A code was just typed and accepted in this session."""
    request.session[STEP_UP_AT] = time.time()


def step_up_fresh(request) -> bool:
    at = request.session.get(STEP_UP_AT) if hasattr(request, "session") else None
    if not isinstance(at, (int, float)):
        return False
    age = time.time() - at
    return 0 <= age <= settings.VEZA_STEP_UP_SECONDS


def step_up_gate(request, *, purpose: str = "export"):
    """None when the export may go ahead (the session stepped up recently, or the code posted
    with this request is right); otherwise the code form to answer the request with (403 when
    no code was given, 400 for a wrong code, 429 while throttled). Nothing is exported then."""
    if step_up_fresh(request):
        return None
    bound = f"{PREFIX}-code" in request.POST
    form = CodeForm(request.POST if bound else None, prefix=PREFIX)
    status = 403
    if bound:
        status = 400
        if form.is_valid():
            ip = client_ip(request)
            outcome, wait = second_factor_check(request.user, form.cleaned_data["code"], ip=ip)
            if outcome == "ok":
                step_up_mark(request)
                with transaction.atomic():
                    audit_log(
                        "auth.step_up",
                        actor=request.user,
                        obj=request.user,
                        detail={"for": purpose},
                    )
                return None
            if outcome == "throttled":
                status = 429
            else:
                with transaction.atomic():
                    audit_log(
                        "auth.step_up_failed",
                        actor=request.user,
                        obj=request.user,
                        detail={"for": purpose},
                    )
            form.add_error("code", second_factor_error(outcome, wait))
    carried = [
        (name, value)
        for name in request.POST
        if name != "csrfmiddlewaretoken" and not name.startswith(f"{PREFIX}-")
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/step_up.html",
        {
            "form": form,
            "carried": carried,
            "action": request.get_full_path(),
            "minutes": max(1, settings.VEZA_STEP_UP_SECONDS // 60),
        },
        status=status,
    )

"""Audit of authentication events that Django signals: failed password checks and logouts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from veza.core.audit import audit_log

__all__ = ["logout_reason"]


def logout_reason(request, reason: str) -> None:
    request._veza_logout_reason = reason


@receiver(user_login_failed, dispatch_uid="veza-audit-login-failed")
def audit_login_failed(sender, credentials=None, request=None, **kwargs):
    # The typed user name is never written: it may be a password typed in the wrong box.
    username = (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(username=username).only("pk").first()
    audit_log(
        "auth.login_failed",
        actor=user,
        obj=("core.user", user.pk) if user else None,
        detail={"step": "password"},
    )


@receiver(user_logged_out, dispatch_uid="veza-audit-logout")
def audit_logout(sender, request=None, user=None, **kwargs):
    if user is None:
        return
    reason = getattr(request, "_veza_logout_reason", "user")
    audit_log("auth.logout", actor=user, obj=user, detail={"reason": reason})

"""API tokens: issued by administrators, stored as a keyed digest, revocable, audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError
from veza.core.keys import instance_secret
from veza.core.models import ApiToken

__all__ = ["token_authenticate", "token_create", "token_digest", "token_revoke"]


def token_digest(secret: str) -> str:
    return hmac.new(instance_secret("api-token"), secret.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def token_create(*, actor, user, label: str = "", expires_at=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the token text, which is never stored."""
    if not user.is_active:
        raise PermissionDeniedError("This account is deactivated.")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # A token opens the same data as a login: only for an account that has a second factor.
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDeniedError(
            "This account has no confirmed authenticator: it must sign in once and enrol one "
            "before it can hold an API token."
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, prefix=prefix, digest=token_digest(secret), label=label, expires_at=expires_at
    )
    audit_log(
        "api_token.create",
        actor=actor,
        obj=token,
        detail={"user_id": user.pk, "prefix": prefix, "label": label},
    )
    return token, f"vz_{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log("api_token.revoke", actor=actor, obj=token, detail={"prefix": token.prefix})


def token_authenticate(text: str) -> ApiToken | None:
    """The live token this text stands for, or None. Constant-time comparison of the secret."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != "vz" or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, token_digest(parts[2])):
        return None
    now = timezone.now()
    if token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

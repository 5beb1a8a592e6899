"""API authentication: administrator-issued tokens, or a session with a verified second factor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from veza.core.audit import audit_log
from veza.core.tokens import token_authenticate

__all__ = ["ApiTokenAuthentication", "VerifiedSessionAuthentication"]


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            text = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The API token is not valid.")) from exc
        token = token_authenticate(text)
        if token is None:
            parts = text.split("_")
            audit_log(
                "auth.token_failed", detail={"prefix": parts[1][:12] if len(parts) > 2 else ""}
            )
            raise exceptions.AuthenticationFailed(
                _("The API token is not valid, has expired or was revoked.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts only once the second factor was verified at login."""

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if not user or not user.is_active or not user.is_authenticated:
            return None
        if not getattr(user, "is_verified", lambda: False)():
            return None
        self.enforce_csrf(request)
        return (user, None)

"""How Veza's authentication classes appear in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

__all__ = ["ApiTokenScheme", "VerifiedSessionScheme"]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "veza.core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <token>"; tokens come from `veza token create USERNAME`.',
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "veza.core.api.authentication.VerifiedSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A browser session after login with the second factor (CSRF applies).",
        }

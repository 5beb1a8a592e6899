"""How Veza's API appears in the OpenAPI schema: authentication, and the error answers that
every operation can give (so that clients and the schemathesis run know them)."""

import copy

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

__all__ = ["ApiTokenScheme", "ErrorSerializer", "VerifiedSessionScheme", "VezaAutoSchema"]


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error answer (core.api.errors.api_exception_handler)."""

    code = serializers.CharField(help_text=_("A stable code, e.g. invalid, not_found, conflict."))
    detail = serializers.CharField(help_text=_("A translated message for a person."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("The problems of each field given, by field name."),
    )


_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# (status, description, methods it applies to: None for every method)
_ERRORS = [
    ("400", _("The request is not valid; nothing was changed."), None),
    ("401", _("No valid API token or verified session."), None),
    ("403", _("The account may not do this."), None),
    ("404", _("Not found, or not visible to this account."), None),
    ("409", _("The record changed meanwhile, or its state does not allow this."), _UNSAFE),
    ("503", _("Briefly unavailable; nothing was saved."), None),
]


def _model_field(field):
    """The model field behind a serializer field of a ModelSerializer, or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = getattr(field, "source", None) or ""
    if model is None or not source or "." in source:
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


class VezaAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers that any operation may give."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops `allow_blank`/`allow_null` from read-only fields, so a choice that may be
        # empty (an outcome not yet computed) would be documented as never empty.
        if (
            type(field) is serializers.ChoiceField
            and field.read_only
            and (model_field := _model_field(field)) is not None
        ):
            field = copy.copy(field)
            field.allow_blank = field.allow_blank or bool(model_field.blank)
            field.allow_null = field.allow_null or bool(model_field.null)
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description, methods in _ERRORS:
            if code in responses or (methods is not None and self.method not in methods):
                continue
            responses[code] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=description), code
            )
        return responses


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

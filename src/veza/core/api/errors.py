"""The API's side of the error hierarchy: one handler maps every error to JSON."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from veza.core.errors import (
    ValidationError,
    VezaError,
    outage_error,
)

__all__ = ["api_exception_handler"]


def _flat(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested field errors as {"field" or "field.0.sub": [message, ...]}."""
    if isinstance(errors, dict):
        items = errors.items()
    elif isinstance(errors, list) and any(isinstance(e, (dict, list)) for e in errors):
        items = ((str(i), e) for i, e in enumerate(errors))
    else:
        messages = errors if isinstance(errors, list) else [errors]
        return {prefix or "non_field_errors": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in items:
        if value in ({}, []):
            continue
        for name, messages in _flat(value, f"{prefix}.{key}" if prefix else str(key)).items():
            flat.setdefault(name, []).extend(messages)
    return flat


def api_exception_handler(exc, context):
    """Map Veza errors (and Django's) onto JSON responses; DRF's own errors keep their shape."""
    exc = outage_error(exc)
    if isinstance(exc, drf_exceptions.ValidationError):
        # DRF's field errors take Veza's one error shape: code, detail and the fields.
        fields = _flat(exc.detail)
        only = fields.get("non_field_errors", []) if len(fields) == 1 else []
        exc = ValidationError(only[0] if len(only) == 1 else None, fields=fields)
    if isinstance(exc, VezaError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"code": getattr(detail, "code", "error"), "detail": str(detail)}
    return response

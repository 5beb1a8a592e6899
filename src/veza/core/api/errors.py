"""The API's side of the error hierarchy: one handler maps every error to JSON."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from veza.core.errors import ServiceUnavailableError, VezaError

__all__ = ["api_exception_handler"]


def api_exception_handler(exc, context):
    """Map Veza errors (and Django's) onto JSON responses; DRF's own errors keep their shape."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        exc = ServiceUnavailableError()
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

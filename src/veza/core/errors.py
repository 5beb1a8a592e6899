"""One error hierarchy for Veza, mapped to HTTP in one place for pages and one for the API.

Pages: `core.middleware.VezaErrorMiddleware`; API: `core.api.errors.api_exception_handler`.

Services and selectors raise these; views never build error responses by hand.
"""

from __future__ import annotations

import errno

from django.utils.translation import gettext_lazy as _

__all__ = [
    "AppendOnlyError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "ServiceUnavailableError",
    "StorageFullError",
    "ValidationError",
    "VezaError",
    "drop_dead_connections",
    "is_storage_full",
    "outage_error",
]


class VezaError(Exception):
    """Base of every error a person may see. `message` is translatable and free of personal data."""

    status = 400
    code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": str(self.message)}
        if self.fields:
            body["fields"] = {key: [str(m) for m in msgs] for key, msgs in self.fields.items()}
        return body


class ValidationError(VezaError):
    status = 400
    code = "invalid"
    default_message = _("Some of the information given is not valid.")

    def text(self) -> str:
        """Every problem in one line (for a command's error or a page's notice)."""
        return "; ".join(str(p) for ps in self.fields.values() for p in ps) or str(self.message)


class PermissionDeniedError(VezaError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFoundError(VezaError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class ConflictError(VezaError):
    status = 409
    code = "conflict"
    default_message = _(
        "Someone else changed this record while you were editing it. Reload it and try again."
    )


class AppendOnlyError(VezaError):
    status = 409
    code = "append_only"
    default_message = _("This record cannot be changed or removed.")


class ServiceUnavailableError(VezaError):
    status = 503
    code = "unavailable"
    default_message = _("Veza is briefly unavailable. Nothing was saved; please try again.")


class StorageFullError(VezaError):
    """The server's disk (or the user's quota on it) is full: 507 Insufficient Storage, so that
    clients and monitoring tell it from an outage (503) and from a refused file (400)."""

    status = 507
    code = "storage_full"
    default_message = _(
        "The server has no room left to store this. Nothing was saved; please try again later "
        "or tell your administrator."
    )


def is_storage_full(exc: BaseException) -> bool:
    """Whether `exc` is a write refused because the disk or the quota is full."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def drop_dead_connections() -> None:
    """Forget every database connection of this thread that no longer answers, so that its next
    request opens a new one. Django does this when a request ends (`close_old_connections`),
    but not under every server nor under its test client; a connection that died outside a
    transaction would otherwise fail every later request of its thread. One inside a
    transaction is left to the transaction, which drops it when its rollback fails."""
    from django.db import connections

    for wrapper in connections.all(initialized_only=True):
        open_outside_a_transaction = wrapper.connection is not None and not wrapper.in_atomic_block
        if open_outside_a_transaction and not wrapper.is_usable():
            wrapper.close()


def outage_error(exc: BaseException) -> BaseException:
    """The Veza error a failure of the machinery stands for: the database gone or restarting
    (503) or a full disk (507); any other exception unchanged. For pages and the API alike.
    A database failure also drops this thread's dead connections (`drop_dead_connections`)."""
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)):
        drop_dead_connections()
        return ServiceUnavailableError()
    if is_storage_full(exc):
        return StorageFullError()
    return exc

"""Facts about the current request that services need without a request object: the address."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from django.conf import settings

__all__ = ["cli_actor", "client_ip", "current_ip", "reset_current_ip", "set_current_ip"]

_current_ip: ContextVar[str | None] = ContextVar("veza_current_ip", default=None)


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only behind the configured proxies."""
    address = request.META.get("REMOTE_ADDR")
    hops = settings.VEZA_TRUSTED_PROXIES
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def set_current_ip(value: str | None):
    return _current_ip.set(value)


def reset_current_ip(token) -> None:
    _current_ip.reset(token)


def current_ip() -> str | None:
    return _current_ip.get()


def cli_actor() -> str:
    """How the audit log names a person acting on the command line: by their system account."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"

"""Instance secrets kept outside the database, in `VEZA_KEYS_DIR` (one file per key).

Outside production a missing key is generated on first use (mode 0600). Production never generates
keys silently: an administrator creates them (`veza keys init`) and backs them up apart from the
database, so that a stolen database dump is not enough to forge or read anything.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["instance_secret", "key_path"]


def key_path(name: str) -> Path:
    return Path(settings.VEZA_KEYS_DIR) / f"{name}.key"


@cache
def _read_or_create(path_str: str, create: bool) -> bytes:
    path = Path(path_str)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        raise ImproperlyConfigured(
            f"The key file {path} is missing. Create the instance keys with `veza keys init`."
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_bytes(32)
    # Exclusive create: two processes starting together agree on one key.
    try:
        with open(path, "x") as handle:
            handle.write(value.hex())
        path.chmod(0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    return value


def instance_secret(name: str, *, create: bool | None = None) -> bytes:
    """The 32-byte secret called `name`; generated if missing, except in production."""
    if create is None:
        create = not settings.PRODUCTION
    return _read_or_create(str(key_path(name)), create)

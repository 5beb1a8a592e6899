"""Encryption of identity fields at rest, and keyed hashes for looking them up.

- Values are sealed with AES-256-GCM (authenticated: a changed byte fails to open). The associated
  data binds each value to its table and field, so a value cannot be moved to another column.
- Keys never live in the database: `VEZA_FIELD_KEYS` ("1:<base64>,2:<base64>", the highest id
  seals) or files `field-<id>.key` in `VEZA_KEYS_DIR`. Every sealed value names its key id, so old
  keys keep opening old values until `veza keys rotate` re-seals them.
- Look-ups use HMAC-SHA256 with a separate key over a normalised form (case, accents and spacing
  folded), never a plain hash that could be reversed by trying common names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from veza.core.keys import instance_secret

__all__ = [
    "SealError",
    "blind_index",
    "current_key_id",
    "field_keys",
    "normalise_for_index",
    "open_value",
    "seal_value",
]

PREFIX = "vz1"


class SealError(ValueError):
    """A sealed value that cannot be opened: altered, truncated, or sealed with an unknown key."""


def _from_env(text: str) -> dict[int, bytes]:
    keys = {}
    for part in text.split(","):
        ident, _colon, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ImproperlyConfigured("Each VEZA_FIELD_KEYS key must be 32 bytes (base64).")
        keys[int(ident)] = key
    return keys


@cache
def field_keys() -> dict[int, bytes]:
    """Key id → key. Created on first use outside production (key file 1)."""
    text = os.environ.get("VEZA_FIELD_KEYS", "").strip()
    if text:
        return _from_env(text)
    from pathlib import Path

    folder = Path(settings.VEZA_KEYS_DIR)
    keys = {}
    for path in folder.glob("field-*.key"):
        match = re.fullmatch(r"field-(\d+)\.key", path.name)
        if match:
            keys[int(match.group(1))] = bytes.fromhex(path.read_text().strip())
    if not keys:
        keys[1] = instance_secret("field-1")
    return keys


def current_key_id() -> int:
    return max(field_keys())


def seal_value(plain: str, *, context: str) -> str:
    """`plain` sealed for the column named by `context` (e.g. "cases_identity.family_name")."""
    key_id = current_key_id()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(field_keys()[key_id]).encrypt(nonce, plain.encode("utf-8"), context.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def open_value(token: str, *, context: str) -> str:
    try:
        prefix, key_id, payload = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError
        key = field_keys()[int(key_id)]
        raw = base64.b64decode(payload, validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")
    except (ValueError, KeyError, InvalidTag, TypeError) as exc:
        raise SealError("a sealed value could not be opened") from exc


def normalise_for_index(value: str) -> str:
    """Fold case, accents (č → c, ë → e) and spacing, so that spellings of one name meet."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "dj").replace("ð", "d").replace("ł", "l")
    return " ".join(re.sub(r"[^\w\s]", " ", stripped).split())


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of a normalised value, for equality look-ups without the value."""
    normal = normalise_for_index(value)
    if not normal:
        return ""
    message = f"{purpose}\x00{normal}".encode()
    return hmac.new(instance_secret("search-index"), message, hashlib.sha256).hexdigest()

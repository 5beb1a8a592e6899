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
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from veza.core.keys import instance_secret

__all__ = [
    "FIELD_KEY_FILE",
    "RETIRED_KEY_FILE",
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


@cache
def _keys_from_env(text: str) -> dict[int, bytes]:
    keys = {}
    for part in text.split(","):
        ident, _colon, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ImproperlyConfigured("Each VEZA_FIELD_KEYS key must be 32 bytes (base64).")
        keys[int(ident)] = key
    return keys


FIELD_KEY_FILE = re.compile(r"field-(\d+)\.key")
RETIRED_KEY_FILE = re.compile(r"field-(\d+)\.key\.retired")


@cache
def _keys_from_files(folder: str, names: tuple[str, ...]) -> dict[int, bytes]:
    keys = {}
    for name in names:
        ident = int(FIELD_KEY_FILE.fullmatch(name).group(1))
        key = bytes.fromhex((Path(folder) / name).read_text().strip())
        if len(key) != 32:
            raise ImproperlyConfigured(f"The key file {name} must hold 32 bytes (hex).")
        keys[ident] = key
    return keys


def field_keys() -> dict[int, bytes]:
    """Key id → key. Created on first use outside production (key file 1).

    The key folder is listed on every call (a few microseconds) and the keys are read again
    whenever the list of files changes, so that a running server picks up a key that
    `veza keys rotate` added and stops using one that `veza keys retire` took out of use.
    """
    text = os.environ.get("VEZA_FIELD_KEYS", "").strip()
    if text:
        return _keys_from_env(text)
    folder = Path(settings.VEZA_KEYS_DIR)
    try:
        listing = os.listdir(folder)
    except FileNotFoundError:
        listing = []
    names = tuple(sorted(n for n in listing if FIELD_KEY_FILE.fullmatch(n)))
    if not names:
        if any(RETIRED_KEY_FILE.fullmatch(n) for n in listing):
            # Never start afresh at key 1 beside retired keys: ids must not be reused.
            raise ImproperlyConfigured(
                f"Every field key in {folder} is retired: put back the newest key file."
            )
        instance_secret("field-1")
        names = ("field-1.key",)
    return _keys_from_files(str(folder), names)


def current_key_id() -> int:
    return max(field_keys())


def seal_value(plain: str, *, context: str) -> str:
    """`plain` sealed for the column named by `context` (e.g. "cases_identity.family_name")."""
    keys = field_keys()
    key_id = max(keys)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(keys[key_id]).encrypt(nonce, plain.encode("utf-8"), context.encode())
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

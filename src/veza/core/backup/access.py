"""With which key backups are sealed and opened (only the operator backs up or restores:
`core.scoping.require_operator`)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from veza.core.errors import ValidationError
from veza.core.keys import instance_secret

__all__ = ["backup_key"]


def backup_key(key_file: Path | str | None = None) -> bytes:
    """The backup key: `--key-file` (64 hex digits) or `backup.key` in VEZA_KEYS_DIR."""
    if key_file is None:
        return instance_secret("backup")
    try:
        key = bytes.fromhex(Path(key_file).read_text().strip())
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The key file cannot be read as 64 hexadecimal digits.")) from exc
    if len(key) != 32:
        raise ValidationError(_("A backup key is 32 bytes (64 hexadecimal digits)."))
    return key

"""Lost-update protection: a record is saved only if nobody saved it since it was read."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from veza.core.errors import ConflictError

__all__ = ["save_versioned"]


def save_versioned(instance, fields, *, expected_version, require_version: bool = True) -> None:
    """Write `fields` of a `VersionedModel` and bump its version, or raise ConflictError (409).

    `expected_version` is the version the person (or client) read. Without one, the save goes
    through unless `require_version`; either way a save that raced another one is refused.
    """
    if expected_version is None:
        if require_version:
            raise ConflictError()
    elif int(expected_version) != instance.version:
        raise ConflictError()
    updated = (
        type(instance)
        ._base_manager.filter(pk=instance.pk, version=instance.version)
        .update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            **{name: getattr(instance, name) for name in fields},
        )
    )
    if not updated:
        raise ConflictError()
    instance.version += 1

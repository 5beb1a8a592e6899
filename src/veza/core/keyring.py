"""Field keys over their life: status, rotation (a new key, every value re-sealed), retirement.

The sealed columns are found in the model registry (every `Sealed*Field` of every model), so a
column added later is rotated without anyone remembering to list it. Re-sealing works in batches,
each in its own transaction, and compares each value before replacing it: a value that a user
changed meanwhile is left as they wrote it, and a run that stopped half-way is simply run again
(values already under the newest key are skipped). Blind indexes (the keyed hashes used to find
names) are under the separate `search-index` key and are not touched here.
"""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from veza.core.audit import audit_log
from veza.core.crypto import (
    FIELD_KEY_FILE,
    PREFIX,
    RETIRED_KEY_FILE,
    field_keys,
    open_value,
    seal_value,
)
from veza.core.errors import ConflictError, ValidationError
from veza.core.fields import SealedTextField
from veza.core.scoping import require_operator

__all__ = [
    "KeyStatus",
    "field_key_retire",
    "field_key_rotate",
    "field_key_status",
    "sealed_columns",
    "sealed_key_id",
]

Progress = Callable[[int, int, str], None]


def _keys_from_environment() -> bool:
    return bool(os.environ.get("VEZA_FIELD_KEYS", "").strip())


def sealed_columns() -> list[tuple[type[models.Model], list[SealedTextField]]]:
    """Every model with sealed columns, and those columns, from the model registry."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        sealed = [f for f in model._meta.concrete_fields if isinstance(f, SealedTextField)]
        if sealed:
            found.append((model, sealed))
    return found


def sealed_key_id(token: str | None) -> int | None:
    """The key id a sealed value names (`vz1:<id>:…`), or None for an empty or foreign value."""
    if not token:
        return None
    prefix, _sep, rest = token.partition(":")
    ident = rest.partition(":")[0]
    if prefix != PREFIX or not ident.isdigit():
        return None
    return int(ident)


def _raw_values(model, fields) -> Iterator[tuple]:
    """(pk, raw value, …) of every row, as stored: ciphertext, never opened."""
    qn = connection.ops.quote_name
    pk = model._meta.pk.column
    columns = ", ".join(qn(c) for c in [pk, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(model._meta.db_table)}")  # noqa: S608
        while rows := cursor.fetchmany(2000):
            yield from rows


@dataclass
class KeyStatus:
    active: list[int]
    retired: list[int]
    sealing: int | None
    from_environment: bool
    #: table → key id → number of values sealed with that key
    counts: dict[str, dict[int, int]] = field(default_factory=dict)

    def uses(self, key_id: int) -> dict[str, int]:
        return {t: c[key_id] for t, c in self.counts.items() if c.get(key_id)}


def _retired_ids() -> list[int]:
    if _keys_from_environment():
        return []
    folder = Path(settings.VEZA_KEYS_DIR)
    if not folder.is_dir():
        return []
    matches = (RETIRED_KEY_FILE.fullmatch(n) for n in os.listdir(folder))
    return sorted(int(m.group(1)) for m in matches if m)


def _count_by_key() -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = {}
    for model, fields in sealed_columns():
        per_key: dict[int, int] = defaultdict(int)
        for row in _raw_values(model, fields):
            for token in row[1:]:
                key_id = sealed_key_id(token)
                if key_id is not None:
                    per_key[key_id] += 1
        counts[model._meta.db_table] = dict(sorted(per_key.items()))
    return counts


def field_key_status() -> KeyStatus:
    """Which field keys exist and how many values each one seals, table by table."""
    active = sorted(field_keys())
    return KeyStatus(
        active=active,
        retired=_retired_ids(),
        sealing=max(active) if active else None,
        from_environment=_keys_from_environment(),
        counts=_count_by_key(),
    )


def _key_file_create() -> int:
    """Write `field-<n+1>.key`, n being the highest id ever used (retired ones included)."""
    folder = Path(settings.VEZA_KEYS_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    used = [int(m.group(1)) for n in os.listdir(folder) if (m := FIELD_KEY_FILE.fullmatch(n))]
    used += _retired_ids()
    key_id = max([*used, *field_keys()]) + 1
    final = folder / f"field-{key_id}.key"
    temporary = folder / f".field-{key_id}.key.{secrets.token_hex(4)}"
    # Written beside, then linked into place: a server listing the folder never reads a key
    # file that is still empty, and two rotations started together cannot both take one id.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_bytes(32).hex())
        try:
            os.link(temporary, final)
        except FileExistsError as exc:
            raise ConflictError(
                _("Another rotation created key %(id)s at the same time; run it again.")
                % {"id": key_id}
            ) from exc
    finally:
        temporary.unlink(missing_ok=True)
    return key_id


def _reseal_table(model, fields, *, key_id: int, batch_size: int, step: Callable[[int], None]):
    """Re-seal one table's values under `key_id`, batch by batch; returns how many changed."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    pk = model._meta.pk.column
    columns = ", ".join(qn(c) for c in [pk, *(f.column for f in fields)])
    changed = 0
    last = None
    while True:
        with transaction.atomic():
            where = f"WHERE {qn(pk)} > %s " if last is not None else ""
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {columns} FROM {qn(table)} {where}"  # noqa: S608
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [*([last] if last is not None else []), batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                return changed
            for pk_value, *tokens in rows:
                sets, params, checks, old = [], [], [], []
                for f, token in zip(fields, tokens, strict=True):
                    current = sealed_key_id(token)
                    if current is None or current == key_id:
                        continue
                    context = f"{table}.{f.column}"
                    sets.append(f"{qn(f.column)} = %s")
                    params.append(seal_value(open_value(token, context=context), context=context))
                    checks.append(f"{qn(f.column)} = %s")
                    old.append(token)
                if sets:
                    # Only where the value is still the one read: a user's newer write wins.
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {qn(table)} SET {', '.join(sets)} "  # noqa: S608
                            f"WHERE {qn(pk)} = %s AND {' AND '.join(checks)}",
                            [*params, pk_value, *old],
                        )
                        changed += cursor.rowcount * len(sets)
            last = rows[-1][0]
        step(len(rows))


def field_key_rotate(
    *,
    actor,
    reseal_only: bool = False,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> tuple[int, dict[str, int]]:
    """Create the next field key (unless `reseal_only`) and re-seal every value under the
    newest key. Returns the key id and the number of values re-sealed per table."""
    require_operator(actor)
    created = False
    if not reseal_only:
        if _keys_from_environment():
            raise ValidationError(
                _(
                    "The field keys come from VEZA_FIELD_KEYS, so Veza cannot add one itself. "
                    "Add the next key to the variable as '%(id)s:<32 random bytes in base64>', "
                    "restart Veza with it, then run `veza keys rotate --reseal`."
                )
                % {"id": max(field_keys()) + 1}
            )
        key_id = _key_file_create()
        created = True
        with transaction.atomic():
            audit_log("keys.create", actor=actor, detail={"key_id": key_id})
    key_id = max(field_keys())
    tables = sealed_columns()
    total = sum(model._base_manager.count() for model, _fields in tables)
    done = 0
    resealed: dict[str, int] = {}
    for model, fields in tables:
        label = model._meta.db_table

        def step(rows: int, label=label) -> None:
            nonlocal done
            done += rows
            if progress:
                progress(done, total, label)

        resealed[label] = _reseal_table(
            model, fields, key_id=key_id, batch_size=batch_size, step=step
        )
    if progress and done < total:
        progress(total, total, "")
    with transaction.atomic():
        audit_log(
            "keys.rotate",
            actor=actor,
            detail={"key_id": key_id, "created": created, "resealed": resealed},
        )
    return key_id, resealed


def field_key_retire(*, actor, key_id: int) -> Path:
    """Take a field key out of use (its file becomes `field-<id>.key.retired`); refused while any
    value is still sealed with it, and for the key that seals new values."""
    require_operator(actor)
    keys = field_keys()
    if key_id not in keys:
        raise ValidationError(_("There is no field key %(id)s in use.") % {"id": key_id})
    if key_id == max(keys):
        raise ConflictError(
            _("Key %(id)s seals new values: run `veza keys rotate` before retiring it.")
            % {"id": key_id}
        )
    uses = field_key_status().uses(key_id)
    if uses:
        tables = ", ".join(f"{table}: {count}" for table, count in uses.items())
        raise ConflictError(
            _("Key %(id)s still seals values (%(tables)s). Run `veza keys rotate --reseal` first.")
            % {"id": key_id, "tables": tables}
        )
    if _keys_from_environment():
        raise ValidationError(
            _(
                "No value is sealed with key %(id)s any more. The keys come from "
                "VEZA_FIELD_KEYS: remove key %(id)s from the variable and restart Veza."
            )
            % {"id": key_id}
        )
    path = Path(settings.VEZA_KEYS_DIR) / f"field-{key_id}.key"
    retired = path.with_name(path.name + ".retired")
    with transaction.atomic():
        audit_log("keys.retire", actor=actor, detail={"key_id": key_id})
        os.rename(path, retired)
    return retired

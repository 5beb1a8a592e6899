"""The archive's form of the database: which tables in which order, their columns, each value
database ⇄ archive, the row hashes, and the migrations applied."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterator

from django.apps import apps
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.errors import ValidationError

__all__ = ["FORMAT", "backup_models", "table_rows"]

FORMAT = 1
#: Tables left out of the archive: login sessions (a restored instance starts logged out).
LEFT_OUT = frozenset({"django_session"})

Progress = Callable[[int, int, str], None]

# Internal field type → how its value is written in the archive.
KINDS = {
    **dict.fromkeys(
        (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        ),
        "int",
    ),
    **dict.fromkeys(
        (
            "CharField",
            "TextField",
            "SlugField",
            "EmailField",
            "URLField",
            "GenericIPAddressField",
            "IPAddressField",
            "FileField",
            "ImageField",
            "FilePathField",
        ),
        "str",
    ),
    "BooleanField": "bool",
    "FloatField": "float",
    "DecimalField": "decimal",
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DurationField": "duration",
    "UUIDField": "uuid",
    "JSONField": "json",
    "BinaryField": "binary",
}


# --- Which tables, in which order, with which columns ------------------------------------------


def _base_field(f: models.Field) -> models.Field:
    while f.is_relation:
        f = f.target_field
    return f


def _kind(f: models.Field) -> str:
    internal = _base_field(f).get_internal_type()
    if internal not in KINDS:
        raise ValidationError(
            _("The column %(column)s has a type the backup does not know (%(type)s).")
            % {"column": f"{f.model._meta.db_table}.{f.column}", "type": internal}
        )
    return KINDS[internal]


def backup_models() -> list[type[models.Model]]:
    """Every model with a table of its own, those it refers to before itself."""
    found = {
        m._meta.db_table: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.db_table not in LEFT_OUT
    }
    needs = {
        table: {
            f.related_model._meta.db_table
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
        & (found.keys() - {table})
        for table, model in found.items()
    }
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, n in needs.items() if not n - set(ordered))
        # A cycle (none today) is loaded in name order: foreign keys are checked at commit.
        batch = ready or sorted(needs)[:1]
        ordered += batch
        for table in batch:
            del needs[table]
    return [found[t] for t in ordered]


# --- Values: database ⇄ archive ----------------------------------------------------------------


def _encode(kind: str, value):
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return float(value)
    if kind == "decimal":
        return str(value)
    if kind == "datetime":
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.isoformat(timespec="microseconds")
    if kind == "duration":
        if isinstance(value, dt.timedelta):
            return value // dt.timedelta(microseconds=1)
        return int(value)
    if kind == "uuid":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if kind == "json":
        # Kept as the text the database holds; hashed in a canonical form (see `_hashed`).
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _canonical_json(text: str | None) -> str | None:
    if text is None:
        return None
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode(kind: str, f: models.Field, value):
    """An archive value as a query parameter for this database."""
    if value is None:
        return None
    base = _base_field(f)
    if kind in ("int", "str", "float", "bool"):
        return value
    if kind == "json":
        if connection.vendor == "sqlite":
            return value  # the very text that was stored
        return connection.ops.adapt_json_value(json.loads(value), getattr(base, "encoder", None))
    parsed = {
        "decimal": decimal.Decimal,
        "datetime": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
        "time": dt.time.fromisoformat,
        "duration": lambda v: dt.timedelta(microseconds=v),
        "uuid": uuid.UUID,
        "binary": base64.b64decode,
    }[kind](value)
    return base.get_db_prep_save(parsed, connection)


def _columns(model) -> tuple[list[models.Field], list[str]]:
    fields = list(model._meta.concrete_fields)
    return fields, [_kind(f) for f in fields]


def _hashed(kinds: list[str], row: list) -> bytes:
    canonical = [_canonical_json(v) if k == "json" else v for k, v in zip(kinds, row, strict=True)]
    return json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()


def table_rows(model) -> Iterator[list]:
    """The rows of a model's table in archive form, in primary-key order: raw column values
    (sealed values stay ciphertext), made engine-independent."""
    fields, kinds = _columns(model)
    table = model._meta.db_table
    qn = connection.ops.quote_name
    cols = [Col(table, f, output_field=_base_field(f)) for f in fields]
    converters = [connection.ops.get_db_converters(c) for c in cols]
    sql = (
        f"SELECT {', '.join(qn(f.column) for f in fields)} FROM {qn(table)} "  # noqa: S608
        f"ORDER BY {qn(model._meta.pk.column)}"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(2000):
            for raw in rows:
                row = []
                for value, kind, col, convert in zip(raw, kinds, cols, converters, strict=True):
                    for converter in convert:
                        value = converter(value, col, connection)
                    row.append(_encode(kind, value))
                yield row


def _migration_state() -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}

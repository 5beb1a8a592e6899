"""Writing generated rows fast (`veza demo --scale`).

Django's `bulk_create` spends most of its time building one multi-row statement (and, on
PostgreSQL, quoting every value of it into arrays), which at millions of rows is the whole cost of
generation. Here the keys are taken from the table's sequence first (`reserve_ids`), so that rows
can be written without reading anything back: with `COPY` on PostgreSQL, with one prepared
statement run for every row elsewhere. Values are converted as Django converts them
(`get_db_prep_save`), skipping the call only where it would return the value unchanged (a
value of a plain column's own Python type, or `None`; an aware datetime on PostgreSQL), so
that sealed fields are sealed and JSON is JSON exactly as `save()` would write them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models

__all__ = [
    "JSONText",
    "bulk_insert",
    "bulk_set",
    "insert_objects",
    "insert_rows",
    "reserve_ids",
]


class JSONText(str):
    """A JSON field's value already serialised (by a caller that had to serialise it anyway):
    written as it is instead of being serialised again."""


_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
#: Field classes (exactly these: a subclass, e.g. a sealed field, may convert) and the value
#: types their `get_db_prep_save` returns unchanged.
_UNCHANGED = {
    **dict.fromkeys(_INTEGERS, frozenset({int, type(None)})),
    models.BooleanField: frozenset({bool, type(None)}),
    models.CharField: frozenset({str, type(None)}),
    models.TextField: frozenset({str, type(None)}),
}


def _unchanged(field) -> frozenset:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        return _unchanged(field.target_field)
    return _UNCHANGED.get(type(field), frozenset())


def _converter(field):
    """A function of one value giving what `field.get_db_prep_save` gives, faster."""
    prep, conn = field.get_db_prep_save, connection
    unchanged = _unchanged(field)
    if unchanged:
        return lambda v: v if type(v) in unchanged else prep(v, conn)
    if isinstance(field, models.JSONField):
        return lambda v: str(v) if type(v) is JSONText else prep(v, conn)
    if type(field) is models.DateTimeField and conn.vendor == "postgresql":
        # PostgreSQL takes an aware datetime as it is (`adapt_datetimefield_value`).
        return lambda v: v if type(v) is datetime and v.tzinfo is not None else prep(v, conn)
    return lambda v: prep(v, conn)


def reserve_ids(model, n: int) -> list[int]:
    """`n` new primary keys of `model`'s table, in increasing order, from the table's own
    sequence (PostgreSQL) or SQLite's AUTOINCREMENT counter (moved past them), so that rows
    with these keys can be inserted without reading keys back."""
    if n <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 (names quoted)
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
            # Move the AUTOINCREMENT counter past the keys: they are taken even if this
            # transaction writes nothing, and the write lock keeps other writers out meanwhile.
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [highest + n, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, highest + n]
                )
        return list(range(highest + 1, highest + 1 + n))


def insert_rows(model, names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows given as sequences of Python values of the fields `names` (attribute names,
    e.g. `case_id`), converted as `save()` would convert them. Returns how many."""
    fields = [model._meta.get_field(name) for name in names]
    convert = [_converter(f) for f in fields]
    qn = connection.ops.quote_name
    # Table and column names come from the model and are quoted; every value is a parameter.
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([c(v) for c, v in zip(convert, row, strict=True)])
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(fields))
        prepared = [[c(v) for c, v in zip(convert, row, strict=True)] for row in rows]
        if prepared:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, prepared)
        return len(prepared)


def _values(obj, fields) -> list:
    values = []
    for f in fields:
        value = getattr(obj, f.attname)
        if value is None and f.is_relation and f.is_cached(obj):
            # Related to an object saved after this one was made (as `save()` does).
            related = f.get_cached_value(obj)
            if related is not None and related.pk is not None:
                value = related.pk
                setattr(obj, f.name, related)  # sets the key and keeps the object cached
        values.append(value)
    return values


def insert_objects(model, objs: Sequence[models.Model]) -> None:
    """Insert new objects and give them their keys (what `bulk_create` does, without its cost)."""
    objs = list(objs)
    if not objs:
        return
    pk = model._meta.pk
    for obj, ident in zip(objs, reserve_ids(model, len(objs)), strict=True):
        setattr(obj, pk.attname, ident)
        obj._state.adding, obj._state.db = False, connection.alias
    fields = list(model._meta.concrete_fields)
    insert_rows(model, [f.attname for f in fields], (_values(o, fields) for o in objs))


def bulk_insert(model, objs) -> None:
    """Insert objects whose keys nobody reads back (the timeline, the audit log)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    insert_rows(model, [f.attname for f in fields], (_values(o, fields) for o in objs))


def bulk_set(model, objs, names: list[str]) -> None:
    """Save `names` of objects that exist (one prepared UPDATE by primary key run for every
    row): `bulk_update`'s one statement of CASE WHEN per field grows with the batch."""
    fields = [model._meta.get_field(name) for name in names]
    convert = [_converter(f) for f in fields]
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    rows = [
        [c(getattr(o, f.attname)) for c, f in zip(convert, fields, strict=True)] + [o.pk]
        for o in objs
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

"""Writing generated rows fast (`veza demo --scale`): one prepared statement run for every row."""

from __future__ import annotations

from django.db import connection

__all__ = ["bulk_insert", "bulk_set"]


def bulk_insert(model, objs) -> None:
    """Insert rows whose keys nobody reads back (the timeline, the audit log) with one prepared
    statement run for every row: Django's `bulk_create` spends most of its time building the
    multi-row statement, which at millions of rows is the whole cost of generation."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    # Table and column names come from the model and are quoted; every value is a parameter.
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def bulk_set(model, objs, names: list[str]) -> None:
    """Save `names` of objects that exist (one prepared UPDATE by primary key run for every
    row): `bulk_update`'s one statement of CASE WHEN per field grows with the batch."""
    fields = [model._meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk]
        for o in objs
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

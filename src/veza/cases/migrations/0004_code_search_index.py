"""A trigram index for looking a case up by part of its code (PostgreSQL only).

The case list finds a case by any part of its code (`code__icontains`, which PostgreSQL runs as
`UPPER(code) LIKE UPPER('%…%')`): without an index it reads every case of the participant, 66 ms
at 100,000 cases. A GIN index over the trigrams of `UPPER(code)` answers it from the index for
three characters or more. `pg_trgm` is a trusted extension (PostgreSQL 13 and later): the
database's owner may create it. Where it cannot be created, the migration goes on without the
index (searches stay correct, only slower) and says so. SQLite has no such index and needs none
at the scale an embedded database serves.
"""

import sys

from django.db import migrations, transaction
from django.db.utils import DatabaseError

INDEX = "cases_case_code_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case "
                "USING gin (UPPER(code) gin_trgm_ops)"
            )
    except DatabaseError as exc:
        sys.stderr.write(
            f"  The case code search index was not created ({type(exc).__name__}: pg_trgm is "
            "not available to this database user); searching by part of a code still works.\n"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_list_order_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

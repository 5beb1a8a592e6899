"""On PostgreSQL the database itself refuses to change or remove audit entries."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION veza_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER veza_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION veza_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS veza_audit_no_update_delete ON core_auditentry;
DROP FUNCTION IF EXISTS veza_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]

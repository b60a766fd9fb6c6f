"""Database triggers that refuse UPDATE and DELETE on the audit log, on SQLite and PostgreSQL."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER accounts_auditevent_no_delete BEFORE DELETE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_update",
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION accounts_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE
       ON accounts_auditevent FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_refuse()""",
    # TRUNCATE skips row triggers; refuse it too.
    """CREATE TRIGGER accounts_auditevent_no_truncate BEFORE TRUNCATE
       ON accounts_auditevent FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_refuse()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent",
    "DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent",
    "DROP FUNCTION IF EXISTS accounts_auditevent_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]

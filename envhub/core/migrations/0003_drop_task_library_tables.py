"""Drop what the django-tasks database backend left in databases created while envhub shipped it.

envhub never defined a task: the table holds at most finished rows of nothing, so dropping it
loses nothing, and every database ends with the same tables whatever its history. The library's
rows in `django_migrations` go too, so that adding the library back one day creates its table
again instead of believing it exists. A fresh database has neither: then nothing happens.
"""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder

TASK_TABLE = "django_tasks_database_dbtaskresult"
TASK_APP = "django_tasks_db"


def drop_task_tables(apps, schema_editor):
    connection = schema_editor.connection
    if TASK_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TASK_TABLE)}")
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        recorder.migration_qs.filter(app=TASK_APP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_reference_version'),
    ]

    operations = [
        migrations.RunPython(drop_task_tables, migrations.RunPython.noop, elidable=True),
    ]

"""Drop the pattern-matching index PostgreSQL gets beside the unique index on a case's reference.

Django adds a ``varchar_pattern_ops`` index to every unique text column for LIKE queries;
references are only ever looked up whole, so it costs every new report a write and serves no
query. SQLite never had it.
"""

from django.db import migrations

INDEX = "cases_case_reference_cb43aa34_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON cases_case (reference varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_record_kind_withdrawal")]
    operations = [migrations.RunPython(drop, restore, elidable=True)]

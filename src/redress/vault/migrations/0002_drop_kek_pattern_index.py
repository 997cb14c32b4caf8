"""Drop the pattern-matching index PostgreSQL gets beside the index on a data key's KEK id.

Django adds a ``varchar_pattern_ops`` index to every indexed text column for LIKE queries;
KEK ids are only ever matched whole (rotation, status), so it costs every new data key a write
and serves no query. SQLite never had it.
"""

from django.db import migrations

INDEX = "vault_datakey_kek_id_33d33757_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON vault_datakey (kek_id varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("vault", "0001_initial")]
    operations = [migrations.RunPython(drop, restore, elidable=True)]

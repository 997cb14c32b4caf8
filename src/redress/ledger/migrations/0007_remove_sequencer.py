"""The sequencer is gone: every act chains its own entry through the one append, so the table
of entries waiting to be chained is dropped. It is empty on any database whose worker has run
since its last act; a migration that finds rows in it refuses, rather than lose them."""

from django.db import migrations


def refuse_unchained(apps, schema_editor):  # type: ignore[no-untyped-def]
    Pending = apps.get_model("ledger", "Pending")
    waiting = Pending.objects.count()
    if waiting:
        raise RuntimeError(
            f"{waiting} ledger entries are still waiting to be chained: run the previous "
            "release's `redress worker --once` before upgrading"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_append_function_first_head")]

    operations = [
        migrations.RunPython(refuse_unchained, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="Pending"),
    ]

"""Create the head row that appenders lock, so even the first two appends queue on a row."""

from django.db import migrations


def create_head(apps, schema_editor):
    Head = apps.get_model("ledger", "Head")
    Head.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": bytes(32)})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]

"""Add the policy of the compliance engine's closing day (``period_close_days``) to the catalogue."""

from django.db import migrations


def load(apps, schema_editor):
    from tiers.catalogue import data_2019_33
    from tiers.catalogue.loader import record_initial_history

    Policy = apps.get_model("tiers", "Policy")
    for row in data_2019_33.POLICIES:
        Policy.objects.get_or_create(
            key=row["key"], defaults={"value": row["value"], "description": row["description"]}
        )
    record_initial_history(lambda name: apps.get_model("tiers", name), "新增政策参数 period_close_days")


class Migration(migrations.Migration):
    dependencies = [("tiers", "0006_record_kinds")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""Load the kinds of duty records of tiers 2–8 and link each to the rules it counts for."""

from django.db import migrations


def load(apps, schema_editor):
    from tiers.catalogue.record_kinds import RECORD_KINDS

    Kind = apps.get_model("tiers", "DutyRecordKind")
    Rule = apps.get_model("tiers", "Rule")
    for row in RECORD_KINDS:
        kind, _ = Kind.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "clause": row["clause"]}
        )
        kind.rules.set(Rule.objects.filter(code__in=row["rules"]))


def unload(apps, schema_editor):
    apps.get_model("tiers", "DutyRecordKind").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tiers", "0005_duty_records")]

    operations = [migrations.RunPython(load, unload)]

"""Load the catalogue of 甘办发〔2019〕33号 (tiers, duties, rules, escalations, policies)."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from tiers.catalogue import data_2019_33, loader

    get_model = lambda name: apps.get_model("tiers", name)  # noqa: E731
    loader.load(data_2019_33, get_model)
    loader.record_initial_history(get_model, f"{data_2019_33.DOCUMENT['code']} 初始加载")


def unload_catalogue(apps, schema_editor):
    from tiers.catalogue import data_2019_33

    Document = apps.get_model("tiers", "Document")
    document = Document.objects.filter(code=data_2019_33.DOCUMENT["code"]).first()
    if document is None:
        return
    apps.get_model("tiers", "Escalation").objects.filter(document=document).delete()
    apps.get_model("tiers", "Rule").objects.filter(tier__document=document).delete()
    apps.get_model("tiers", "Duty").objects.filter(tier__document=document).delete()
    apps.get_model("tiers", "Tier").objects.filter(document=document).delete()
    apps.get_model("tiers", "Policy").objects.filter(key__in=[p["key"] for p in data_2019_33.POLICIES]).delete()
    document.delete()


class Migration(migrations.Migration):
    dependencies = [("tiers", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]

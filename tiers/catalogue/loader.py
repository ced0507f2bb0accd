"""Load a catalogue data module into the database, idempotently (rows matched by code).

Used by the data migration (with historical models) and by ``manage.py load_catalogue``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


def load(data: ModuleType, get_model: Any) -> dict[str, int]:
    """Upsert document, tiers, duties, rules, escalations and policies from ``data``.

    ``get_model(name)`` returns the model class (``apps.get_model`` in a migration). Returns the
    number of rows of each kind now in the catalogue of this document.
    """
    Document = get_model("Document")
    Tier = get_model("Tier")
    Duty = get_model("Duty")
    Rule = get_model("Rule")
    Escalation = get_model("Escalation")
    Policy = get_model("Policy")

    doc = data.DOCUMENT
    document, _ = Document.objects.update_or_create(
        code=doc["code"], defaults={k: v for k, v in doc.items() if k != "code"}
    )

    tiers = {}
    for row in data.TIERS:
        tiers[row["code"]], _ = Tier.objects.update_or_create(
            document=document, code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
    duties = {}
    for row in data.DUTIES:
        fields = {k: v for k, v in row.items() if k not in ("code", "tier")}
        duties[row["code"]], _ = Duty.objects.update_or_create(
            tier=tiers[row["tier"]], code=row["code"], defaults=fields
        )
    rules = {}
    for row in data.RULES:
        fields = {k: v for k, v in row.items() if k not in ("code", "tier", "duty")}
        fields["duty"] = duties[row["duty"]]
        rules[row["code"]], _ = Rule.objects.update_or_create(
            tier=tiers[row["tier"]], code=row["code"], defaults=fields
        )
    for row in data.ESCALATIONS:
        escalation, _ = Escalation.objects.update_or_create(
            document=document,
            code=row["code"],
            defaults={
                "tier": tiers.get(row["tier"]) if row["tier"] else None,
                "clause": row["clause"],
                "trigger": row["trigger"],
                "text": row["text"],
            },
        )
        escalation.triggers.all().delete()
        for trig in row["triggers"]:
            trigger = escalation.triggers.create(kind=trig["kind"], relation=trig["relation"])
            trigger.rules.set([rules[code] for code in trig.get("rules", [])])
            trigger.tiers.set([tiers[code] for code in trig.get("tiers", [])])
        escalation.actions.all().delete()
        for act in row["actions"]:
            escalation.actions.create(**act)
    for row in data.POLICIES:
        Policy.objects.get_or_create(
            key=row["key"], defaults={"value": row["value"], "description": row["description"]}
        )
    return {
        "tiers": Tier.objects.filter(document=document).count(),
        "duties": Duty.objects.filter(tier__document=document).count(),
        "rules": Rule.objects.filter(tier__document=document).count(),
        "escalations": Escalation.objects.filter(document=document).count(),
        "policies": Policy.objects.count(),
    }


#: Catalogue models whose changes are kept by django-simple-history.
HISTORY_TRACKED = ["Duty", "Rule", "Escalation", "EscalationTrigger", "EscalationAction", "Policy"]


def record_initial_history(get_model: Any, reason: str) -> None:
    """Write the loaded rows as the first ("+") history record of each tracked model.

    A data migration runs on historical models, which simple-history does not watch; without this,
    an administrator's first change would have nothing to compare against.
    """
    from django.utils import timezone

    now = timezone.now()
    for name in HISTORY_TRACKED:
        model = get_model(name)
        historical = get_model(f"Historical{name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        already = set(historical.objects.values_list("id", flat=True))
        historical.objects.bulk_create(
            historical(
                history_date=now,
                history_type="+",
                history_change_reason=reason,
                **{field: getattr(obj, field) for field in fields},
            )
            for obj in model.objects.exclude(pk__in=already)
        )

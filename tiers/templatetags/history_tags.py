"""The change history of a record, shown on its page (issue 10): who, when, why, and each field's value
before and after, from django-simple-history's rows."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: History rows shown on a page (the admin's history page has them all).
LIMIT = 20
TYPES = {"+": _("新增"), "~": _("修改"), "-": _("删除")}
#: Fields that say how a row was written, not what it says.
HIDDEN = {"id", "recorded_at", "entered_at", "updated_at", "created_at"}


def _value(record: Any, field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return str(value)


def changes(records: list[Any]) -> list[dict[str, Any]]:
    """Newest first: each history row with the fields it changed (label, before, after)."""
    rows = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        fields = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN:
                    continue
                field = record.instance_type._meta.get_field(change.field)
                fields.append(
                    (field.verbose_name, _value(record, field, change.old), _value(record, field, change.new))
                )
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "fields": fields,
                "unrecorded": record.history_type == "~" and previous is None,
            }
        )
    return rows


@register.inclusion_tag("includes/history.html")
def history_panel(obj: Model, title: str = "") -> dict[str, Any]:
    """The last ``LIMIT`` changes of ``obj`` (one more row is read, to show the first one's values before)."""
    records = list(obj.history.order_by("-history_date", "-history_id").select_related("history_user")[: LIMIT + 1])
    return {"rows": changes(records)[:LIMIT], "title": title or obj._meta.verbose_name, "more": len(records) > LIMIT}

"""Admin of the triggers: incidents, cases and ratings, scoped like every other list, with their change
history; whoever adds a row through the admin is recorded as having recorded it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accountability.models import Action, ActionDecision, ActionTarget, ActionTrigger, Case, Incident, Rating
from tiers.admin import ScopedAdmin, ScopedInline


class TriggerAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Scoped list and choices; ``recorded_by`` / ``recorded_at`` are filled in, not typed."""

    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Incident)
class IncidentAdmin(TriggerAdmin):
    list_display = ["date", "village", "team", "person", "unit", "recorded_by"]
    search_fields = ["description", "village__name", "village__code", "person__name", "person__code", "unit__name"]
    autocomplete_fields = ["village", "team", "person", "unit"]
    list_select_related = ["village", "team", "person", "unit", "recorded_by"]
    date_hierarchy = "date"


@admin.register(Case)
class CaseAdmin(TriggerAdmin):
    list_display = ["date", "kind", "inspection", "place", "unit", "membership", "person", "recorded_by"]
    list_filter = ["kind", "place__level"]
    search_fields = ["inspection", "description", "place__name", "unit__name", "person__name", "person__code"]
    autocomplete_fields = ["place", "unit", "membership", "person"]
    list_select_related = ["place", "unit", "membership__person", "membership__team", "person", "recorded_by"]
    date_hierarchy = "date"


@admin.register(Rating)
class RatingAdmin(TriggerAdmin):
    list_display = ["year", "person", "grade", "recorded_by", "recorded_at"]
    list_filter = ["year", "grade"]
    search_fields = ["person__name", "person__code", "person__unit__name"]
    autocomplete_fields = ["person"]
    list_select_related = ["person__unit", "recorded_by"]


class ActionTargetInline(ScopedInline):
    model = ActionTarget
    fields = ["person", "role"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ActionTriggerInline(ScopedInline):
    model = ActionTrigger
    fields = ["kind", "relation", "summary", "violation", "finding", "incident", "case", "rating"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ActionDecisionInline(ScopedInline):
    model = ActionDecision
    fields = ["from_status", "to_status", "user", "at", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Action)
class ActionAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Actions are proposed by the engine and decided on their page (``/actions/<id>/``), where due
    process is recorded; the admin shows them, their chain and their decisions, read-only."""

    list_display = ["year", "escalation", "kind", "subject_name", "severity", "convenor_name", "status"]
    list_filter = ["year", "kind", "status", "severity", "escalation"]
    search_fields = ["subject_name", "convenor_name", "subject_key"]
    list_select_related = ["escalation"]
    inlines = [ActionTargetInline, ActionTriggerInline, ActionDecisionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Action._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

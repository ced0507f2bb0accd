"""Admin of households, pairings and helper records, scoped to the user's part of the hierarchy.

Lists, change pages and foreign-key choices go through ``visible_to`` (``tiers.admin.ScopedAdmin``;
households as foreign-key choices too); every model keeps its change history. Visits, deeds and plan
revisions record who entered them, and their helper is the one paired with the household on the day
(``services.helper_for``), not a choice; a change to one goes through ``services.record_update``, so
that a change after the edit window becomes an edit request for a reviewer, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from households import models, services
from households.messages import Msg
from tiers.admin import ScopedAdmin
from tiers.models import EditRequest


class HouseholdScopedAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Household choices are scoped like places, units and people (``tiers.admin.ScopedFields``)."""


@admin.register(models.Household)
class HouseholdAdmin(HouseholdScopedAdmin):
    list_display = ["code", "head_name", "village", "members", "status", "exit_year"]
    list_filter = ["status", "exit_year"]
    search_fields = ["code", "head_name", "village__name", "village__code"]
    autocomplete_fields = ["village"]
    list_select_related = ["village"]


class InForceFilter(admin.SimpleListFilter):
    """Pairings in force today, or ended."""

    title = _("结对状态")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("结对中")), ("no", _("已结束"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.current_on(today)
        if self.value() == "no":
            return queryset.filter(Q(end__lt=today) | Q(start__gt=today))
        return queryset


@admin.register(models.Pairing)
class PairingAdmin(HouseholdScopedAdmin):
    list_display = ["household", "helper", "start", "end"]
    list_filter = [InForceFilter, "helper__rank"]
    search_fields = [
        "household__code",
        "household__head_name",
        "household__village__name",
        "household__village__code",
        "helper__name",
        "helper__code",
    ]
    autocomplete_fields = ["helper", "household"]
    list_select_related = ["household", "helper"]
    date_hierarchy = "start"


class HelperRecordForm(forms.ModelForm):
    """A visit, deed or plan revision. The helper is not chosen: on add it is the one paired with the
    household on the day (the user, or the paired helper when a clerk enters it), as in the services."""

    user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        household, day = data.get("household"), data.get("date")
        if self.instance._state.adding and household is not None and day is not None:
            try:
                self.instance.helper = services.helper_for(user=self.user, household=household, day=day)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class HelperRecordAdmin(HouseholdScopedAdmin):
    """Visits, deeds and plans: the user who enters one is kept; changes follow the edit-window policy."""

    form = HelperRecordForm
    list_filter = ["date"]
    search_fields = [
        "household__code",
        "household__head_name",
        "household__village__name",
        "household__village__code",
        "helper__name",
        "helper__code",
    ]
    autocomplete_fields = ["household"]
    readonly_fields = ["helper", "entered_by", "entered_at"]
    list_select_related = ["household", "helper", "entered_by"]
    date_hierarchy = "date"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"user": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.entered_by = request.user
            super().save_model(request, obj, form, change)
            return
        original = type(obj).objects.get(pk=obj.pk)
        changes = {
            name: getattr(obj, name) for name in form.changed_data if getattr(obj, name) != getattr(original, name)
        }
        if not changes:
            return
        result = services.record_update(user=request.user, record=original, changes=changes)
        obj.refresh_from_db()
        if isinstance(result, EditRequest):
            # The record stays as it was until a reviewer approves the request.
            self.message_user(
                request, Msg.EDIT_NEEDS_REVIEW % {"days": services.edit_window_days()}, level=messages.WARNING
            )


@admin.register(models.Visit)
class VisitAdmin(HelperRecordAdmin):
    list_display = ["date", "household", "helper", "reported_to", "entered_by", "entered_at"]
    list_filter = ["date", "reported_to"]


@admin.register(models.Deed)
class DeedAdmin(HelperRecordAdmin):
    list_display = ["date", "household", "helper", "short_description", "entered_by", "entered_at"]
    search_fields = [*HelperRecordAdmin.search_fields, "description"]

    @admin.display(description=_("办理的实事好事"))
    def short_description(self, obj: models.Deed) -> str:
        return obj.description[:40]


@admin.register(models.Plan)
class PlanAdmin(HelperRecordAdmin):
    list_display = ["household", "year", "date", "helper", "entered_by", "entered_at"]
    list_filter = ["year", "date"]

"""Admin of teams, memberships and the records of stationed cadres, scoped to the user's part of the hierarchy.

Lists, change pages and foreign-key choices go through ``visible_to`` (``tiers.admin.ScopedAdmin``; teams
and memberships as foreign-key choices too); every model keeps its change history. A duty day is saved
through ``services.duty_day_record`` with source "admin": its membership is the one in force that day,
scope is checked, and recording a day again replaces the earlier record (kept in history) instead of
being refused as a duplicate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tiers.admin import ScopedAdmin, ScopedInline
from tiers.models import Person
from villagecorps import models, services
from villagecorps.choices import DaySource
from villagecorps.messages import Msg


def stationed_people(request: HttpRequest) -> QuerySet:
    """Cadres with a stationing the user can see: a township clerk sees the provincial cadres stationed in
    their villages, though not the rest of those cadres' unit."""
    memberships = models.Membership.objects.visible_to(request.user)
    return Person.objects.filter(pk__in=memberships.values("person"))


class CorpsAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Team and membership choices are scoped like places, units and people (``tiers.admin.ScopedFields``)."""


class InForceFilter(admin.SimpleListFilter):
    """Teams and memberships in force today, or ended (or not begun)."""

    title = _("在岗状态")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("在岗")), ("no", _("已结束"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.current_on(today)
        if self.value() == "no":
            return queryset.filter(Q(end__lt=today) | Q(start__gt=today))
        return queryset


class MembershipInline(ScopedInline):
    model = models.Membership
    extra = 0
    fields = ["person", "role", "dispatching_unit", "start", "end"]
    autocomplete_fields = ["person", "dispatching_unit"]


@admin.register(models.Team)
class TeamAdmin(CorpsAdmin):
    list_display = ["name", "village", "start", "end"]
    list_filter = [InForceFilter]
    search_fields = ["name", "village__name", "village__code"]
    autocomplete_fields = ["village"]
    list_select_related = ["village"]
    date_hierarchy = "start"
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(CorpsAdmin):
    list_display = ["person", "team", "role", "dispatching_unit", "start", "end"]
    list_filter = [InForceFilter, "role", ("dispatching_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "person__name",
        "person__code",
        "team__name",
        "team__village__name",
        "team__village__code",
        "dispatching_unit__name",
    ]
    autocomplete_fields = ["team", "person", "dispatching_unit"]
    list_select_related = ["person", "team", "dispatching_unit"]


class DutyDayForm(forms.ModelForm):
    """A day of a stationed cadre. The membership is not chosen: it is the one in force that day, and it
    must be in the user's scope (as in ``services.duty_day_record``)."""

    user: Any = None

    class Meta:
        model = models.DutyDay
        fields = ["person", "date", "kind", "location"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        person, day = data.get("person"), data.get("date")
        if self.instance._state.adding and person is not None and day is not None:
            try:
                membership = services.membership_on(person=person, day=day)
                if not models.Membership.objects.visible_to(self.user).filter(pk=membership.pk).exists():
                    raise ValidationError(Msg.OUT_OF_SCOPE)
            except ValidationError as exc:
                self.add_error(None, exc)
            else:
                self.instance.membership = membership
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # One row per person and day: recording the day again replaces it (services), it is not a duplicate.
        return {*super()._get_validation_exclusions(), "person"}


@admin.register(models.DutyDay)
class DutyDayAdmin(CorpsAdmin):
    form = DutyDayForm
    list_display = ["date", "person", "team", "kind", "source", "location", "recorded_by", "recorded_at"]
    list_filter = ["kind", "source"]
    search_fields = [
        "person__name",
        "person__code",
        "membership__team__name",
        "membership__team__village__name",
        "membership__team__village__code",
    ]
    list_select_related = ["person", "membership__team", "recorded_by"]
    readonly_fields = ["membership", "source", "recorded_by", "recorded_at"]
    date_hierarchy = "date"

    @admin.display(description=_("工作队"), ordering="membership__team__name")
    def team(self, obj: models.DutyDay) -> str:
        return obj.membership.team.name

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A day is the person's and the date's: to move it, record the right day and delete this one.
        return [*self.readonly_fields, "person", "date"] if obj else list(self.readonly_fields)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"user": request.user})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "person":
            formfield.queryset = stationed_people(request)
        return formfield

    def save_model(self, request: HttpRequest, obj: models.DutyDay, form: Any, change: bool) -> None:
        saved = services.duty_day_record(
            user=request.user,
            person=obj.person,
            day=obj.date,
            kind=obj.kind,
            location=obj.location,
            source=DaySource.ADMIN,
        )
        obj.pk, obj.membership, obj.source = saved.pk, saved.membership, saved.source
        obj.recorded_by, obj.recorded_at = saved.recorded_by, saved.recorded_at
        obj._state.adding, obj._state.db = False, saved._state.db


@admin.register(models.FollowUpVisit)
class FollowUpVisitAdmin(CorpsAdmin):
    list_display = ["date", "membership", "visitors"]
    search_fields = [
        "membership__person__name",
        "membership__person__code",
        "membership__dispatching_unit__name",
        "visitors",
    ]
    autocomplete_fields = ["membership"]
    list_select_related = ["membership__person", "membership__team"]
    date_hierarchy = "date"


@admin.register(models.InsuranceCover)
class InsuranceCoverAdmin(CorpsAdmin):
    list_display = ["membership", "insurer", "policy_number", "start", "end"]
    list_filter = ["insurer"]
    search_fields = [
        "membership__person__name",
        "membership__person__code",
        "membership__dispatching_unit__name",
        "policy_number",
    ]
    autocomplete_fields = ["membership"]
    list_select_related = ["membership__person", "membership__team"]
    date_hierarchy = "start"


@admin.register(models.TrainingDay)
class TrainingDayAdmin(CorpsAdmin):
    list_display = ["date", "person", "county", "topic"]
    list_filter = [("county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__name", "person__code", "county__name", "topic"]
    autocomplete_fields = ["county"]
    list_select_related = ["person", "county"]
    date_hierarchy = "date"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "person":
            formfield.queryset = stationed_people(request)
        return formfield

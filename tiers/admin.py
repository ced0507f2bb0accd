"""Admin: every model, Chinese labels, search and filters, scoped to the user's part of the hierarchy.

Places and units carry guardian's object-permission screens (the role grants); catalogue models
keep their change history (django-simple-history).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from tiers import models, services
from tiers.choices import GroupRole
from tiers.messages import Msg
from tiers.scope import ScopedQuerySet, may_link_logins, references_out_of_scope, scoped_choices
from tiers.submissions import SubmitOnceAdmin

admin.site.site_header = _("甘肃省脱贫攻坚帮扶工作责任落实系统")
admin.site.site_title = _("帮扶责任落实系统")
admin.site.index_title = _("系统管理")

SCOPED_CHOICES = {models.Place, models.Unit, models.Person}


class ScopedFields:
    """Every relation of a form (foreign keys, one-to-one, many-to-many) offers and accepts only what the
    user may reference (``tiers.scope.scoped_choices``): rows in their scope, logins only for administrators.
    Shared by ``ScopedAdmin`` and ``ScopedInline``, so no form of the admin escapes it."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = scoped_choices(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = scoped_choices(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def refuse_out_of_scope(request: HttpRequest, obj: Any) -> None:
    """The last check before an admin save: every reference of the row is one the user may make."""
    if refused := references_out_of_scope(request.user, obj):
        raise PermissionDenied(Msg.REFERENCE_OUT_OF_SCOPE % {"fields": "、".join(refused)})


class ScopedInline(ScopedFields, admin.TabularInline):
    """An inline whose rows and relation choices are scoped like its parent's (every inline of a scoped
    admin is one: ``tests/security/test_admin_scope.py`` fails on a plain ``TabularInline``)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if isinstance(qs, ScopedQuerySet) else qs


class ScopedAdmin(SubmitOnceAdmin, ScopedFields, admin.ModelAdmin):
    """Lists, change pages and the choices of every relation go through ``visible_to``; out of scope is 404.

    So do django-simple-history's pages, which read the history table directly: the history of an object
    outside the scope, one of its versions, and a revert to it are 404 (a revert also needs the change
    permission on the object). A save re-checks every reference of the row and of each inline row."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs

    def _in_scope(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        obj = self._in_scope(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        refuse_out_of_scope(request, obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for field in form.instance._meta.many_to_many:
            value = form.cleaned_data.get(field.name)
            if not value:
                continue
            choices = scoped_choices(field.related_model, request.user)
            if choices is not None and choices.filter(pk__in=[row.pk for row in value]).count() != len(value):
                raise PermissionDenied(Msg.REFERENCE_OUT_OF_SCOPE % {"fields": field.verbose_name})
        super().save_related(request, form, formsets, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                refuse_out_of_scope(request, inline_form.instance)
        super().save_formset(request, form, formset, change)


class PlaceAdminForm(forms.ModelForm):
    """Add a place under a parent; the level and the code are checked against the parent."""

    parent = forms.ModelChoiceField(
        queryset=models.Place.objects.none(),
        required=False,
        label=_("上级区划"),
        help_text=_("新增省级区划时留空"),
    )

    class Meta:
        model = models.Place
        fields = ["parent", "code", "name", "level", "longitude", "latitude"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "level" not in self.fields:  # a user who may only view places: every model field is read-only
            return
        parents = models.Place.objects.exclude(level="village")
        self.fields["parent"].queryset = parents.visible_to(user) if user is not None else parents
        if self.instance.pk:
            # The parent of a saved place is shown, not chosen: it is valid even when it lies above the
            # user's scope (county staff saving their own county, whose prefecture they do not see).
            parent = models.Place.objects.get_parent(self.instance)
            self.fields["parent"].disabled = True
            self.fields["parent"].initial = parent
            self.fields["parent"].queryset = models.Place.objects.filter(pk=getattr(parent, "pk", None))
            self.fields["level"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parent = data.get("parent") if not self.instance.pk else models.Place.objects.get_parent(self.instance)
        for field in ("parent", "code", "level"):
            if field in self.errors:
                return data
        # ModelForm copies the submitted values onto the instance only after clean(): do it here,
        # or the old code and level (empty ones on add) would be checked instead of the new ones.
        self.instance.code, self.instance.level = data["code"], data["level"]
        try:
            self.instance.validate_placement(parent)
        except forms.ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data


class RoleGrantsOnly(GuardedModelAdmin):
    """django-guardian's object-permission screens write permissions directly, around the role grants
    (``RoleAssignment``: audited, with its group); only a superuser may use them."""

    def _superuser_only(self, request: HttpRequest) -> None:
        if not request.user.is_superuser:
            raise PermissionDenied

    def obj_perms_manage_view(self, request: HttpRequest, object_pk: str) -> Any:
        self._superuser_only(request)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request: HttpRequest, object_pk: str, user_id: str) -> Any:
        self._superuser_only(request)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request: HttpRequest, object_pk: str, group_id: str) -> Any:
        self._superuser_only(request)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)


@admin.register(models.Place)
class PlaceAdmin(ScopedAdmin, RoleGrantsOnly):
    form = PlaceAdminForm
    list_display = ["code", "name", "level", "depth", "numchild"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["path"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class BoundForm(form_class):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=request.user, **kw)

        return BoundForm

    def save_model(self, request: HttpRequest, obj: models.Place, form: Any, change: bool) -> None:
        if change:
            obj.save()
            return
        created = services.place_create(
            parent=form.cleaned_data.get("parent"),
            code=obj.code,
            name=obj.name,
            level=obj.level,
            longitude=obj.longitude,
            latitude=obj.latitude,
        )
        obj.pk, obj.path, obj.depth, obj.numchild = created.pk, created.path, created.depth, created.numchild


@admin.register(models.Unit)
class UnitAdmin(ScopedAdmin, RoleGrantsOnly):
    list_display = ["code", "name", "kind", "place"]
    list_filter = ["kind", "place__level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["place"]


class PostInline(ScopedInline):
    model = models.Post
    extra = 0
    autocomplete_fields = ["unit", "place"]


@admin.register(models.Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["code", "name", "rank", "unit", "title"]
    list_filter = ["rank", "unit__kind"]
    search_fields = ["code", "name", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    inlines = [PostInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return fields if may_link_logins(request.user) else [*fields, "user"]


@admin.register(models.Post)
class PostAdmin(ScopedAdmin):
    list_display = ["person", "title", "unit", "place", "start", "end"]
    list_filter = ["title", "place__level"]
    search_fields = ["person__name", "person__code", "unit__name", "place__name"]
    autocomplete_fields = ["person", "unit", "place"]
    date_hierarchy = "start"


@admin.register(models.ContactLeaderAssignment)
class ContactLeaderAdmin(ScopedAdmin):
    list_display = ["person", "county", "charged_township", "charged_village", "start", "end"]
    search_fields = ["person__name", "county__name"]
    autocomplete_fields = ["person", "county", "charged_township", "charged_village"]


@admin.register(models.GroupLeaderAssignment)
class GroupLeaderAdmin(ScopedAdmin):
    list_display = ["unit", "county", "start", "end"]
    search_fields = ["unit__name", "county__name"]
    autocomplete_fields = ["unit", "county"]


@admin.register(models.AssistanceAssignment)
class AssistanceAdmin(ScopedAdmin):
    list_display = ["unit", "village", "start", "end"]
    list_filter = ["unit__kind"]
    search_fields = ["unit__name", "village__name", "village__code"]
    autocomplete_fields = ["unit", "village"]


@admin.register(models.SectorLeadMembership)
class SectorLeadAdmin(ScopedAdmin):
    list_display = ["lead_unit", "member_unit", "start", "end"]
    list_filter = [("lead_unit", admin.RelatedOnlyFieldListFilter)]  # only the units of the rows in scope
    search_fields = ["lead_unit__name", "member_unit__name"]
    autocomplete_fields = ["lead_unit", "member_unit"]


class LeadingGroupMemberFormSet(forms.BaseInlineFormSet):
    """Heads entered in one submission may not overlap either: each row's clean() only sees saved rows."""

    def clean(self) -> None:
        super().clean()
        heads = [
            form.instance
            for form in self.forms
            if form.is_valid()
            and not self._should_delete_form(form)
            and form.instance.role == GroupRole.HEAD
            and form.instance.start
        ]
        for index, head in enumerate(heads):
            for other in heads[:index]:
                if head.overlaps(other):
                    raise forms.ValidationError(Msg.OVERLAP, params={"other": str(other)})


class LeadingGroupMemberInline(ScopedInline):
    model = models.LeadingGroupMember
    formset = LeadingGroupMemberFormSet
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(models.LeadingGroup)
class LeadingGroupAdmin(ScopedAdmin):
    list_display = ["name", "kind", "place", "established"]
    list_filter = ["kind", "place__level"]
    search_fields = ["name", "place__name"]
    autocomplete_fields = ["place"]
    inlines = [LeadingGroupMemberInline]


@admin.register(models.LeadingGroupMember)
class LeadingGroupMemberAdmin(ScopedAdmin):
    list_display = ["group", "person", "role", "start", "end"]
    list_filter = ["role", "group__kind"]
    search_fields = ["group__name", "person__name"]
    autocomplete_fields = ["group", "person"]


# --- catalogue ------------------------------------------------------------------------------------


@admin.register(models.Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "issued_on", "in_force_from"]
    search_fields = ["code", "title"]


@admin.register(models.Tier)
class TierAdmin(SimpleHistoryAdmin):
    list_display = ["code", "section", "name", "document"]
    list_filter = ["document"]
    search_fields = ["code", "name"]


@admin.register(models.Duty)
class DutyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "clause", "title", "tier"]
    list_filter = ["tier"]
    search_fields = ["code", "clause", "title", "text"]


@admin.register(models.Rule)
class RuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "clause", "counted", "period", "minimum", "unit", "pro_rated", "active"]
    list_filter = ["tier", "period", "measure", "pro_rated", "active"]
    search_fields = ["code", "clause", "counted", "subject"]
    history_list_display = ["minimum", "minimum_by_rank", "pro_rated", "active"]


class EscalationTriggerInline(ScopedInline):
    model = models.EscalationTrigger
    extra = 0
    filter_horizontal = ["rules", "tiers"]


class EscalationActionInline(ScopedInline):
    model = models.EscalationAction
    extra = 0


@admin.register(models.Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "clause", "tier", "trigger"]
    list_filter = ["tier"]
    search_fields = ["code", "trigger", "text"]
    inlines = [EscalationTriggerInline, EscalationActionInline]


@admin.register(models.EscalationTrigger)
class EscalationTriggerAdmin(SimpleHistoryAdmin):
    list_display = ["escalation", "kind", "relation"]
    list_filter = ["kind", "relation"]
    search_fields = ["escalation__code"]
    filter_horizontal = ["rules", "tiers"]


@admin.register(models.EscalationAction)
class EscalationActionAdmin(SimpleHistoryAdmin):
    list_display = [
        "escalation",
        "action",
        "bearer",
        "convenor",
        "min_severity",
        "max_severity",
        "joint_liability",
    ]
    list_filter = ["action", "bearer", "convenor", "joint_liability"]
    search_fields = ["escalation__code"]


@admin.register(models.Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["key", "value", "description"]
    search_fields = ["key", "description"]
    history_list_display = ["value"]


# --- roles ------------------------------------------------------------------------------------------


class RoleAssignmentForm(forms.ModelForm):
    """Grant a role on a node; the node is checked against the role."""

    class Meta:
        model = models.RoleAssignment
        fields = ["user", "role", "place", "unit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            services.role_validate(
                user=data.get("user"), role=data.get("role"), place=data.get("place"), unit=data.get("unit")
            )
        except forms.ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return data


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    """Grants are made and taken back here; each keeps who granted it and when. Grants are not edited:
    revoke and grant again."""

    form = RoleAssignmentForm
    list_display = ["user", "role", "place", "unit", "granted_by", "granted_at"]
    list_filter = ["role", "place__level"]
    search_fields = ["user__username", "place__name", "place__code", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "place", "unit"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "user", "role", "place", "unit"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: models.RoleAssignment, form: Any, change: bool) -> None:
        if change:
            return
        created = services.role_grant(
            user=obj.user, role=obj.role, place=obj.place, unit=obj.unit, granted_by=request.user
        )
        obj.pk, obj.granted_by, obj.granted_at = created.pk, created.granted_by, created.granted_at

    def delete_model(self, request: HttpRequest, obj: models.RoleAssignment) -> None:
        services.role_revoke(assignment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for assignment in queryset.select_related("user", "place", "unit"):
            services.role_revoke(assignment=assignment)


# --- duty records of tiers 2–8 ------------------------------------------------------------------------


@admin.register(models.DutyRecordKind)
class DutyRecordKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "clause"]
    search_fields = ["code", "name", "clause"]
    filter_horizontal = ["rules"]


@admin.register(models.DutyRecord)
class DutyRecordAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["date", "title", "place", "unit", "person"]
    list_filter = ["kinds", "place__level"]
    search_fields = ["title", "place__name", "unit__name", "person__name"]
    autocomplete_fields = ["place", "unit", "person", "participants"]
    filter_horizontal = ["kinds"]
    date_hierarchy = "date"
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request: HttpRequest, obj: models.DutyRecord, form: Any, change: bool) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.Finding)
class FindingAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["duty", "place", "unit", "person", "period_start", "period_end", "result"]
    list_filter = ["result", "duty__tier"]
    search_fields = ["duty__title", "place__name", "unit__name", "person__name", "evidence"]
    autocomplete_fields = ["place", "unit", "person"]
    readonly_fields = ["reviewer", "decided_at"]

    def save_model(self, request: HttpRequest, obj: models.Finding, form: Any, change: bool) -> None:
        obj.reviewer = request.user
        super().save_model(request, obj, form, change)

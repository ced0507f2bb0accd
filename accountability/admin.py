"""Admin of the compliance engine: runs (an administrator or the provincial group can start one) and
the violations and warnings they found, scoped like every other list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import RunTrigger
from accountability.compliance import engine
from accountability.models import ComplianceRun, RuleEvaluation, Violation
from accountability.tasks import compliance_run_enqueue
from tiers.admin import ScopedAdmin, ScopedInline
from tiers.forms import split_codes


class ComplianceRunForm(forms.ModelForm):
    """Start a run: year, as-of day (default today), mode, and optionally some rules."""

    rule_codes = forms.CharField(
        label=_("规则"), required=False, help_text=_("如 R09.1, R10.2；留空评估全部启用的规则")
    )

    class Meta:
        model = ComplianceRun
        fields = ["year", "as_of", "mode"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "as_of" in self.fields:  # a run's own page shows every field read-only: the form has none
            self.fields["as_of"].initial = timezone.localdate()
            self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.run = engine.compliance_run_create(
                trigger=RunTrigger.USER,
                year=data["year"],
                as_of=data["as_of"],
                mode=data["mode"],
                rules=split_codes(data.get("rule_codes", "")),
                save=False,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data


class RuleEvaluationInline(ScopedInline):
    model = RuleEvaluation
    fields = ["rule", "status", "attempts", "counts", "started_at", "finished_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ComplianceRun)
class ComplianceRunAdmin(admin.ModelAdmin):
    list_display = ["id", "year", "as_of", "mode", "trigger", "user", "status", "counts", "duration", "created_at"]
    list_filter = ["status", "trigger", "mode", "year"]
    inlines = [RuleEvaluationInline]
    form = ComplianceRunForm
    readonly = ["trigger", "user", "year", "as_of", "mode", "rules", "periods", "status", "counts", "error"]

    def get_fields(self, request: HttpRequest, obj: ComplianceRun | None = None) -> list[str]:
        if obj is None:
            return ["year", "as_of", "mode", "rule_codes"]
        return [*self.readonly, "started_at", "finished_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ComplianceRun | None = None) -> list[str]:
        return [] if obj is None else [*self.readonly, "started_at", "finished_at"]

    def get_inlines(self, request: HttpRequest, obj: ComplianceRun | None) -> list[type]:
        return self.inlines if obj else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ComplianceRun, form: Any, change: bool) -> None:
        run = form.run
        run.user = request.user
        run.save()
        form.instance = run
        obj.pk = run.pk
        compliance_run_enqueue(run)


@admin.register(Violation)
class ViolationAdmin(ScopedAdmin):
    list_display = [
        "rule",
        "period_label",
        "subject_kind",
        "subject_key",
        "place",
        "status",
        "severity",
        "required",
        "actual",
        "final",
        "late",
        "checked_on",
    ]
    list_filter = ["status", "period_year", "period_kind", "severity", "final", "late", "rule"]
    search_fields = ["subject_key", "person__name", "person__code", "unit__name", "household__code", "place__name"]
    list_select_related = ["rule", "place"]

    @admin.display(description=_("周期"))
    def period_label(self, obj: Violation) -> str:
        return str(obj.period) if obj.period_kind != "point" else f"{obj.period_year}年（时点）"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Violation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from accountability.escalation import admin as escalation_admin  # noqa: E402,F401

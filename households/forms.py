"""Forms of the households pages. They only parse input: the rules live in the services, whose
``ValidationError`` (keyed by field) is attached back to the form with ``attach_errors``."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from households.choices import VISIT_CATEGORIES, ReportedTo
from households.messages import Msg
from households.models import Deed, Household, Plan, Visit

#: Above this many households the household is typed as a code instead of picked from a list.
SELECT_LIMIT = 300
FINDINGS = [name for name, _label in VISIT_CATEGORIES] + ["problems", "reported_to"]
PLAN_TEXTS = ["family_situation", "poverty_causes", "income_paths", "support_measures", "targets"]


def _label(model: type, name: str) -> Any:
    return capfirst(model._meta.get_field(name).verbose_name)


def _text(model: type, name: str, *, required: bool = False, rows: int = 2, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=_label(model, name),
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class Form(forms.Form):
    """Labels stand above their fields, without the ":" Django adds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class HouseholdField(forms.ModelChoiceField):
    """A household, chosen by its code: "王福贵户（H…）· 某村"."""

    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.head_name}户（{obj.code}）· {obj.village.name}"


class DatedForm(Form):
    """A record's date: today by default, never later (the browser is told too; the service decides)."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("date", today)


class LogForm(DatedForm):
    """Which household and when: all the minimal journey asks for."""

    household = HouseholdField(
        label=_("帮扶户"),
        queryset=Household.objects.none(),
        to_field_name="code",
        empty_label=_("请选择帮扶户"),
    )

    def __init__(self, *args: Any, households: QuerySet[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        field.queryset = households
        if households.count() > SELECT_LIMIT:
            field.widget = forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"})
            field.help_text = _("请输入户编码。")
        self.order_fields(["household", "date"])

    def main_fields(self) -> list[forms.BoundField]:
        """The fields shown open: household, date and what a deed needs (a visit's findings fold away)."""
        return [self[name] for name in self.fields if name not in FINDINGS]


class VisitFindingsForm(Form):
    """What was found on a visit, per category, and the problems raised and to whom: all optional."""

    industry = _text(Visit, "industry")
    employment = _text(Visit, "employment")
    education = _text(Visit, "education")
    medical = _text(Visit, "medical")
    housing = _text(Visit, "housing")
    water = _text(Visit, "water")
    problems = _text(Visit, "problems", rows=3)
    reported_to = forms.ChoiceField(label=_label(Visit, "reported_to"), choices=ReportedTo.choices, required=False)

    def findings(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FINDINGS}

    def finding_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FINDINGS]

    def findings_have_errors(self) -> bool:
        return any(name in self.errors for name in FINDINGS)


class VisitForm(LogForm, VisitFindingsForm):
    """A new 入户走访."""


class DeedForm(LogForm):
    """A new 实事好事."""

    description = _text(Deed, "description", required=True, rows=3, error_messages={"required": Msg.DEED_TEXT})


class PlanForm(DatedForm):
    """A new revision of a household's 一户一策 plan (the household is the page's)."""

    year = forms.IntegerField(label=_label(Plan, "year"), min_value=2013)
    family_situation = _text(Plan, "family_situation", required=True, rows=3)
    poverty_causes = _text(Plan, "poverty_causes", required=True, rows=3)
    income_paths = _text(Plan, "income_paths", required=True, rows=3)
    support_measures = _text(Plan, "support_measures", required=True, rows=3)
    targets = _text(Plan, "targets", rows=3)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, today=today, **kwargs)
        self.initial.setdefault("year", today.year)

    def content(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PLAN_TEXTS}


class ReasonForm(Form):
    """Why a record is changed (kept in its history and shown to the reviewer)."""

    reason = forms.CharField(label=_("修改理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitEditForm(DatedForm, VisitFindingsForm, ReasonForm):
    """A change to a visit: its date and findings."""

    field_order = ["date", *FINDINGS, "reason"]

    def changes(self) -> dict[str, Any]:
        return {"date": self.cleaned_data["date"], **self.findings()}


class DeedEditForm(DatedForm, ReasonForm):
    """A change to a deed: its date and description."""

    field_order = ["date", "description", "reason"]

    description = DeedForm.base_fields["description"]

    def changes(self) -> dict[str, Any]:
        return {"date": self.cleaned_data["date"], "description": self.cleaned_data["description"]}


class ReviewForm(Form):
    """A reviewer's decision on an edit request."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, _("批准")), (REJECT, _("驳回"))])
    review_note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

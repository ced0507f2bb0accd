"""Forms of the trigger pages: an incident, a case, a rating.

Places, units and people are typed as codes (like the duty-record form) and looked up by exact code
within the user's scope, so a code out of scope reads "not found" on its own field. The rules — no
future dates, one subject per case, the team in the incident's village — live in the services
(``accountability.escalation.records``), whose errors go back onto the form with ``attach_errors``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accountability.choices import CaseKind, RatingGrade
from accountability.escalation import records
from accountability.messages import Msg
from tiers.choices import PlaceLevel
from tiers.forms import CodeChoiceField
from tiers.http import FIRST_YEAR
from tiers.models import Person, Place, Unit

#: At most this many villages or places are suggested under a code box.
SUGGEST_LIMIT = 300


def _code_field(label: Any, queryset: QuerySet, message: Any, help_text: Any, **attrs: str) -> CodeChoiceField:
    return CodeChoiceField(
        label=label,
        queryset=queryset,
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}),
        help_text=help_text,
        error_messages={"invalid_choice": message},
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class TriggerForm(forms.Form):
    """Shared set-up: the user's scope on every code box, today as the latest date."""

    def __init__(self, *args: Any, user: Any, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        if "date" in self.fields:
            self.fields["date"].widget.attrs["max"] = today.isoformat()
            self.initial.setdefault("date", today)
        scoped = {
            "village": Place.objects.visible_to(user),
            "place": Place.objects.visible_to(user),
            "unit": records.units_in_scope(user),
            "person": records.persons_in_scope(user, helpers=not isinstance(self, RatingForm)),
        }
        for name, queryset in scoped.items():
            if name in self.fields:
                self.fields[name].queryset = queryset


class IncidentForm(TriggerForm):
    """A 重大涉贫事件: where and when, what happened, and whom it is attributed to."""

    village = _code_field(
        _("发生村"),
        Place.objects.none(),
        Msg.UNKNOWN_PLACE_CODE,
        _("输入村的区划代码。"),
        inputmode="numeric",
        list="village-codes",
    )
    date = _date_field(_("发生日期"))
    description = forms.CharField(label=_("事件经过及不良影响"), widget=forms.Textarea(attrs={"rows": 4}))
    team = forms.BooleanField(
        label=_("由驻村工作队工作失误造成"),
        required=False,
        help_text=_("勾选后，事件记在事发时驻该村的工作队名下。"),
    )
    person = _code_field(
        _("当事人"), Person.objects.none(), Msg.UNKNOWN_PERSON_CODE, _("输入驻村干部或帮扶责任人的人员编码（可不填）。")
    )
    unit = _code_field(_("责任帮扶单位"), Unit.objects.none(), Msg.UNKNOWN_UNIT_CODE, _("输入单位编码（可不填）。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].required = True

    def suggestions(self) -> QuerySet[Place]:
        """Villages in scope to suggest under the village box."""
        villages = Place.objects.visible_to(self.user).filter(level=PlaceLevel.VILLAGE)
        return villages.order_by("code")[:SUGGEST_LIMIT]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.team_found = None
        village, date = data.get("village"), data.get("date")
        if data.get("team") and village is not None and date is not None:
            self.team_found = records.team_on(user=self.user, village=village, date=date)
            if self.team_found is None:
                self.add_error("team", ValidationError(Msg.NO_TEAM_IN_VILLAGE))
        return data

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments of ``incident_record`` (without ``user``)."""
        data = self.cleaned_data
        return {
            "village": data["village"],
            "date": data["date"],
            "description": data["description"],
            "team": self.team_found,
            "person": data["person"],
            "unit": data["unit"],
        }


class CaseForm(TriggerForm):
    """A 核查认定: the kind, the inspection, the facts, and exactly one subject."""

    kind = forms.ChoiceField(
        label=_("类型"), choices=CaseKind.choices, initial=CaseKind.FALSIFICATION, widget=forms.RadioSelect
    )
    date = _date_field(_("认定日期"))
    inspection = forms.CharField(label=_("检查或核查"), max_length=200, help_text=_("如：2023 年省级交叉考核"))
    description = forms.CharField(label=_("认定事实"), widget=forms.Textarea(attrs={"rows": 4}))
    place = _code_field(
        _("市县乡党委政府"),
        Place.objects.none(),
        Msg.UNKNOWN_PLACE_CODE,
        _("输入市（州）、县（市、区）或乡镇的区划代码。"),
        inputmode="numeric",
        list="place-codes",
    )
    unit = _code_field(_("单位"), Unit.objects.none(), Msg.UNKNOWN_UNIT_CODE, _("输入单位编码。"))
    membership = forms.CharField(
        label=_("驻村干部"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("输入驻村干部的人员编码。"),
    )
    person = _code_field(_("帮扶责任人或其他个人"), Person.objects.none(), Msg.UNKNOWN_PERSON_CODE, _("输入人员编码。"))

    def suggestions(self) -> QuerySet[Place]:
        """Prefectures, counties and townships in scope to suggest under the place box."""
        levels = [PlaceLevel.PREFECTURE, PlaceLevel.COUNTY, PlaceLevel.TOWNSHIP]
        return Place.objects.visible_to(self.user).filter(level__in=levels).order_by("path")[:SUGGEST_LIMIT]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = data.get("membership", "").strip().upper()
        data["membership"] = None
        if code and data.get("date") is not None:
            data["membership"] = records.stationed_on(user=self.user, person_code=code, date=data["date"])
            if data["membership"] is None:
                self.add_error("membership", ValidationError(Msg.UNKNOWN_MEMBER_CODE, params={"value": code}))
        return data

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments of ``case_record`` (without ``user``)."""
        data = self.cleaned_data
        fields = ["kind", "date", "inspection", "description", "place", "unit", "membership", "person"]
        return {name: data[name] for name in fields}


class RatingForm(TriggerForm):
    """A cadre's annual grade (年度考核)."""

    person = _code_field(_("干部"), Person.objects.none(), Msg.UNKNOWN_PERSON_CODE, _("输入人员编码。"))
    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR)
    grade = forms.ChoiceField(label=_("考核等次"), choices=RatingGrade.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, today=today, **kwargs)
        self.fields["person"].required = True
        self.fields["year"].widget.attrs.update({"max": today.year, "inputmode": "numeric"})
        self.initial.setdefault("year", today.year - 1)

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments of ``rating_record`` (without ``user``)."""
        data = self.cleaned_data
        return {"person": data["person"], "year": data["year"], "grade": data["grade"]}

"""Forms of the tiers pages: logging a duty record of tiers 2–8 (issue 5).

Forms only parse input (codes → rows, the participants' list → people); the rules — what each kind
must name, the user's scope, no future dates, the attachment's size and type — live in
``tiers.services.duty_record_log``, whose ``ValidationError`` goes back onto the form with
``attach_errors``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from tiers.choices import PlaceLevel
from tiers.messages import Msg
from tiers.models import DutyRecordKind, Person, Place, Unit

#: Above this many units in scope the unit is typed as a code instead of picked from a list.
SELECT_LIMIT = 300
#: At most this many places are suggested under the place box (levels are dropped from the bottom).
SUGGEST_LIMIT = 300
#: The levels a duty record can be about, top to bottom.
RECORD_LEVELS = [PlaceLevel.PREFECTURE, PlaceLevel.COUNTY, PlaceLevel.TOWNSHIP, PlaceLevel.VILLAGE]
#: Participants' codes are separated by new lines, spaces, commas or 、.
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: on the named field when the form has it, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def split_codes(text: str) -> list[str]:
    """Codes typed one per line or separated by commas/、, upper-cased, duplicates dropped, in order."""
    return list(dict.fromkeys(code.upper() for code in CODE_SEPARATORS.split(text) if code))


def suggested_places(*, user: Any) -> QuerySet[Place]:
    """Places in the user's scope to suggest: every record level while they stay few, else the upper ones
    (a province-wide user gets prefectures and counties, a county user its townships and villages too)."""
    visible = Place.objects.visible_to(user).filter(level__in=RECORD_LEVELS)
    counts = dict(visible.order_by().values_list("level").annotate(n=Count("id")))
    levels: list[str] = []
    total = 0
    for level in RECORD_LEVELS:
        total += counts.get(level, 0)
        if levels and total > SUGGEST_LIMIT:
            break
        levels.append(level)
    return visible.filter(level__in=levels).order_by("path")[:SUGGEST_LIMIT]


class CodeChoiceField(forms.ModelChoiceField):
    """A row chosen by its code (typed, or picked from a list): surrounding spaces ignored, upper-cased."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class DutyRecordForm(forms.Form):
    """A duty record: its kinds (several for a joint meeting), date, title, what it is about, who took
    part, minutes and an attachment."""

    kinds = forms.ModelMultipleChoiceField(
        label=_("类别"),
        queryset=DutyRecordKind.objects.order_by("pk"),  # the order of the list (二 … 八)
        widget=forms.CheckboxSelectMultiple,
        help_text=_("一次会议同时履行几项责任（如联席会议）时，勾选全部适用的类别，只录入一次。"),
        error_messages={"required": Msg.RECORD_NEEDS_KIND},
    )
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(label=_("标题"), max_length=200)
    place = CodeChoiceField(
        label=_("所涉行政区划"),
        queryset=Place.objects.filter(level__in=RECORD_LEVELS),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "list": "place-codes"}),
        help_text=_("输入区划代码：召开会议的市州、县、乡镇，联系县，或调研的帮扶村。"),
        error_messages={"invalid_choice": Msg.UNKNOWN_PLACE},
    )
    unit = CodeChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": Msg.UNKNOWN_UNIT},
    )
    person = forms.CharField(
        label=_("主持或调研的领导"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("输入人员编码。"),
    )
    participants = forms.CharField(
        label=_("参加人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("输入人员编码，每行一个，或用逗号、顿号分隔。"),
    )
    minutes = forms.CharField(label=_("纪要"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        help_text=_("PDF、Word、Excel 或图片，不超过 10 MB。"),
    )

    def __init__(self, *args: Any, user: Any, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("date", today)
        units = Unit.objects.visible_to(user)
        field = self.fields["unit"]
        field.queryset = units.order_by("code")
        if units.count() > SELECT_LIMIT:
            field.widget = forms.TextInput(attrs={"autocomplete": "off"})
            field.help_text = _("输入单位编码。")
        else:
            field.empty_label = _("（不涉及单位）")

    def place_suggestions(self) -> QuerySet[Place]:
        return suggested_places(user=self.user)

    def clean_person(self) -> Person | None:
        code = self.cleaned_data["person"].strip().upper()
        if not code:
            return None
        # Presiding or visiting leaders are often above the user's scope (a provincial leader at a
        # county meeting), so the whole table is searched, by exact code only.
        person = Person.objects.filter(code=code).first()
        if person is None:
            raise ValidationError(Msg.UNKNOWN_PERSON, params={"codes": code})
        return person

    def clean_participants(self) -> list[Person]:
        codes = split_codes(self.cleaned_data["participants"])
        if not codes:
            return []
        found = {person.code: person for person in Person.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(Msg.UNKNOWN_PERSON, params={"codes": "、".join(unknown)})
        return [found[code] for code in codes]

    def record_data(self) -> dict[str, Any]:
        """Keyword arguments of ``duty_record_log`` (without ``user``)."""
        data = self.cleaned_data
        return {
            "kinds": list(data["kinds"]),
            "date": data["date"],
            "title": data["title"],
            "place": data["place"],
            "unit": data["unit"],
            "person": data["person"],
            "participants": data["participants"],
            "minutes": data["minutes"],
            "attachment": data["attachment"],
        }

"""Forms of the villagecorps pages. They only parse input: the rules (no future day, no day outside
the stationing, one village a day) live in the services, whose ``ValidationError`` goes back onto the
form with ``attach_errors``."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from villagecorps.choices import DayKind
from villagecorps.messages import Msg

#: A week grid cell: ``d-<membership id>-<YYYY-MM-DD>``.
CELL = re.compile(r"^d-(\d+)-(\d{4}-\d{2}-\d{2})$")


class DayForm(forms.Form):
    """A cadre records one of their own days: date (today by default), kind, and an optional location
    stamp typed as "纬度,经度" (never required, and the browser is never asked for a position)."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("类别"), choices=DayKind.choices)
    location = forms.CharField(
        label=_("位置（可不填）"),
        required=False,
        max_length=40,
        help_text=_("如 35.84,104.11；不填也可以。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "35.84,104.11"}),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("date", today)
        self.initial.setdefault("kind", DayKind.IN_VILLAGE_NIGHT)


class WeekEntries:
    """The cells of a submitted week grid: ``values`` maps (membership id, day) to a kind ("" for
    unrecorded); ``errors`` lists cells that could not be read (an unknown kind or a bad date)."""

    def __init__(self, values: dict[tuple[int, datetime.date], str], errors: list[str]) -> None:
        self.values = values
        self.errors = errors

    def changes(self, recorded: dict[tuple[int, datetime.date], str]) -> dict[tuple[int, datetime.date], str]:
        """Cells whose kind differs from the one recorded: only these are written, so that confirming
        a week does not rewrite (and re-attribute) the days a member recorded themself."""
        return {key: kind for key, kind in self.values.items() if kind and recorded.get(key) != kind}

    def confirmed(self) -> int:
        """Days the submitted week holds (recorded before or now)."""
        return sum(1 for kind in self.values.values() if kind)


def parse_week(data: QueryDict) -> WeekEntries:
    """Read every ``d-<membership>-<date>`` field of a POSTed week grid."""
    values: dict[tuple[int, datetime.date], str] = {}
    errors: list[str] = []
    kinds = ", ".join(str(label) for label in DayKind.labels)
    for name, kind in data.items():
        match = CELL.match(name)
        if match is None:
            continue
        try:
            day = datetime.date.fromisoformat(match[2])
        except ValueError:
            errors.append(str(Msg.BAD_DATE) % {"value": match[2]})
            continue
        kind = kind.strip()
        if kind and kind not in DayKind.values:
            errors.append(str(Msg.UNKNOWN_KIND) % {"value": kind, "choices": kinds})
            continue
        values[(int(match[1]), day)] = kind
    return WeekEntries(values, errors)

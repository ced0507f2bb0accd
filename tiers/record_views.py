"""Pages of the duty records of tiers 2–8 (issue 5): logging a record, and an organisation's records
of a year with each rule's count per period against its minimum.

Thin views: the place or unit comes through ``visible_to(request.user)`` (out of scope is 404), the
record is written by ``tiers.services.duty_record_log`` (its ``ValidationError`` goes back onto the
form, nothing is saved), and the counts of a page come from one aggregate query laid out in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiers import duty_figures, services
from tiers.choices import Period as PeriodKind
from tiers.choices import PlaceLevel
from tiers.forms import DutyRecordForm, attach_errors
from tiers.http import FIRST_YEAR, year_param
from tiers.models import DutyRecord, GroupLeaderAssignment, Place, Rule, Unit
from tiers.periods import Period
from tiers.submissions import submit_once

#: The rules shown on an organisation's page, by the place's level ("unit" for a unit).
LEVEL_RULES: dict[str, list[str]] = {
    PlaceLevel.PREFECTURE: ["R06.1", "R06.2", "R06.3"],
    PlaceLevel.COUNTY: ["R07.1", "R07.2", "R07.3"],
    PlaceLevel.TOWNSHIP: ["R08.1", "R08.2"],
    "unit": ["R05.1", "R05.4"],
}
GROUP_LEADER_RULES = ["R03.1", "R03.2", "R03.3", "R03.4"]
#: Point-in-time rules checked today with their figure function (filtered to the place).
POINT_FIGURES = {"R07.1": duty_figures.county_village_work_groups, "R08.1": duty_figures.township_team_heads}


# --- pure layout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One period of a rule: its count, and whether it meets the minimum (None: not begun yet)."""

    label: str
    count: int | None
    met: bool | None


@dataclass(frozen=True)
class RuleRow:
    """A rule on an organisation's page: its periods this year, or today's check for a point rule."""

    code: str
    counted: str
    period: str
    minimum: int
    cells: list[Cell]


def _label(period: Period) -> str:
    if period.kind == PeriodKind.MONTH:
        return f"{period.index}月"
    if period.kind == PeriodKind.QUARTER:
        return f"第{period.index}季度"
    if period.kind == PeriodKind.HALF:
        return "上半年" if period.index == 1 else "下半年"
    return f"{period.year}年"


def period_cells(*, kind: str, year: int, minimum: int, months: dict[int, int], today: datetime.date) -> list[Cell]:
    """The periods of ``kind`` in ``year``, each with the records of its months (``months``: month → count)
    against ``minimum``. Periods with no record count 0; periods that have not begun show no count."""
    cells = []
    for period in Period.of_year(kind, year):
        if period.start > today:
            cells.append(Cell(_label(period), None, None))
            continue
        count = sum(months.get(month, 0) for month in range(period.start.month, period.end.month + 1))
        cells.append(Cell(_label(period), count, count >= minimum))
    return cells


def month_counts(rows: Iterable[dict[str, Any]]) -> dict[str, dict[int, int]]:
    """Rows of the aggregate (rule code, month, n) as rule code → month → count."""
    counts: dict[str, dict[int, int]] = {}
    for row in rows:
        if row["rule"]:
            counts.setdefault(row["rule"], {})[row["month"]] = row["n"]
    return counts


# --- reads ---------------------------------------------------------------------------------------


def _rules(codes: list[str]) -> list[Rule]:
    """The catalogue rows of ``codes`` in order (one per code)."""
    rules: dict[str, Rule] = {}
    for rule in Rule.objects.filter(code__in=codes).order_by("code", "-id"):
        rules.setdefault(rule.code, rule)
    return [rules[code] for code in codes if code in rules]


def _rule_rows(
    *, records: QuerySet, rules: list[Rule], year: int, today: datetime.date, place: Place | None
) -> list[RuleRow]:
    counts: dict[str, dict[int, int]] = {}
    if any(rule.period != PeriodKind.POINT for rule in rules):
        # The one aggregate of the page: records per rule and month (a record counts once per rule).
        counts = month_counts(
            records.order_by()
            .values(rule=F("kinds__rules__code"), month=ExtractMonth("date"))
            .annotate(n=Count("id", distinct=True))
        )
    rows = []
    for rule in rules:
        if rule.period == PeriodKind.POINT:
            figure = POINT_FIGURES.get(rule.code)
            if figure is None or place is None:
                continue
            met = bool(figure(today).filter(id=place.id).values_list("figure", flat=True).first())
            cells = [Cell(_("今日（%(date)s）") % {"date": f"{today:%Y-%m-%d}"}, int(met), met)]
        else:
            cells = period_cells(
                kind=rule.period, year=year, minimum=rule.minimum, months=counts.get(rule.code, {}), today=today
            )
        rows.append(RuleRow(rule.code, rule.counted, rule.get_period_display(), rule.minimum, cells))
    return rows


def _org_page(
    request: HttpRequest, *, records: QuerySet, rule_codes: list[str], place: Place | None, context: dict[str, Any]
) -> HttpResponse:
    today = timezone.localdate()
    year = year_param(request, today)
    records = records.filter(date__year=year)
    rows = _rule_rows(records=records, rules=_rules(rule_codes), year=year, today=today, place=place)
    listed = records.visible_to(request.user).select_related("place", "unit", "person").prefetch_related("kinds")
    return render(
        request,
        "tiers/records/organisation.html",
        {
            **context,
            "year": year,
            "years": list(range(today.year, max(FIRST_YEAR, today.year - 4) - 1, -1)),
            "rows": rows,
            "records": listed,
        },
    )


@login_required
@permission_required("tiers.view_dutyrecord", raise_exception=True)
def place_records(request: HttpRequest, code: str) -> HttpResponse:
    """A prefecture's, county's or township's records of a year and its rules per period. 404 out of scope."""
    place = get_object_or_404(Place.objects.visible_to(request.user), code=code)
    return _org_page(
        request,
        records=DutyRecord.objects.filter(place=place),
        rule_codes=LEVEL_RULES.get(place.level, []),
        place=place,
        context={"place": place, "name": place.name, "code": place.code, "level": place.get_level_display()},
    )


@login_required
@permission_required("tiers.view_dutyrecord", raise_exception=True)
def unit_records(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's records of a year and its rules per period (R03.x too for a group-leader unit). 404 out of
    scope. R03.x are counted over all the counties the unit leads for."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), code=code)
    today = timezone.localdate()
    year = year_param(request, today)
    leads = GroupLeaderAssignment.objects.overlapping(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    codes = LEVEL_RULES["unit"] + (GROUP_LEADER_RULES if leads.filter(unit=unit).exists() else [])
    return _org_page(
        request,
        records=DutyRecord.objects.filter(unit=unit),
        rule_codes=codes,
        place=None,
        context={"unit": unit, "name": unit.name, "code": unit.code, "level": _("单位")},
    )


# --- writes --------------------------------------------------------------------------------------


def _after_log(user: Any, record: DutyRecord) -> str:
    """The page of the organisation the record is about: its place when in scope, else its unit."""
    if record.place is not None and Place.objects.visible_to(user).filter(pk=record.place_id).exists():
        return reverse("records-place", args=[record.place.code])
    if record.unit is not None:
        return reverse("records-unit", args=[record.unit.code])
    return reverse("record-new")


@login_required
@permission_required("tiers.add_dutyrecord", raise_exception=True)
def record_new(request: HttpRequest) -> HttpResponse:
    """记录履责: kinds (several for a joint meeting, entered once), date, what it is about, who took part."""
    today = timezone.localdate()
    if request.method == "POST":
        form = DutyRecordForm(request.POST, request.FILES, user=request.user, today=today)
        if form.is_valid():
            try:
                submitted = submit_once(
                    request,
                    lambda: services.duty_record_log(user=request.user, **form.record_data()),
                    success_url=lambda record: _after_log(request.user, record),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if submitted.result is not None:
                    messages.success(request, _("已记录"))
                return redirect(submitted.url)
    else:
        form = DutyRecordForm(user=request.user, today=today)
    return render(request, "tiers/records/form.html", {"form": form, "title": _("记录履责情况")})


@login_required
@permission_required("tiers.view_dutyrecord", raise_exception=True)
def record_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A record's attachment, for users who may see the record (404 otherwise); never a public URL."""
    record = get_object_or_404(DutyRecord.objects.visible_to(request.user).exclude(attachment=""), pk=pk)
    return FileResponse(record.attachment.open("rb"), as_attachment=True, filename=Path(record.attachment.name).name)

"""Dashboard pages: a place's overview (province → prefecture → county → township → village), a tier's
view of it, the subjects behind its figures, a person's and a unit's standing, one violation with the
records counted; each table also as .xlsx (``?format=xlsx&table=…``, filtered as shown), and the JSON
the charts read.

Every page starts from ``visible_to(request.user)``: a place, unit, person or violation out of scope is
404, exactly like a code that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accountability.api import subject_code_and_name
from accountability.compliance.engine import period_label
from accountability.compliance.evidence import evidence_records
from accountability.dashboards import duties, selectors
from accountability.dashboards.selectors import Filters, Overview, Standing
from accountability.exports import xlsx_response
from accountability.models import Violation
from tiers.http import year_param
from tiers.models import Person, Place, Rule, Tier, Unit
from tiers.selectors import role_grants, scope_roots

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> Filters:
    """Year, tier and rule from the query string; an unknown tier or rule is 404 (a wrong link)."""
    filters = Filters(year=year_param(request, timezone.localdate()))
    if code := request.GET.get("tier", "").strip():
        filters.tier = get_object_or_404(Tier, code=code)
    if code := request.GET.get("rule", "").strip():
        filters.rule = get_object_or_404(Rule, code=code, active=True)
    return filters


def _place(request: HttpRequest, code: str) -> Place:
    return get_object_or_404(Place.objects.visible_to(request.user), code=code)


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _standing_cells(standing: Standing) -> list[Any]:
    rate = None if standing.rate is None else round(standing.rate * 100, 1)
    return [standing.checked, standing.violations, standing.severe, rate, standing.checked_open, standing.at_risk]


def _standing_headers() -> list[str]:
    return [_("已到期检查数"), _("违规"), _("其中严重"), _("合规率（%）"), _("进行中检查数"), _("预警")]


def _overview_table(overview: Overview, table: str) -> tuple[list[str], list[list[Any]]]:
    """One table of an overview page as headers and rows (for the .xlsx download)."""
    if table in ("children", "counties"):
        rows = overview.children if table == "children" else overview.counties
        return [_("区划代码"), _("名称"), *_standing_headers()], [
            [row.place.code, row.place.name, *_standing_cells(row.standing)] for row in rows
        ]
    if table == "tiers":
        return [_("层级"), _("名称"), *_standing_headers()], [
            [row.code, row.name, *_standing_cells(row.standing)] for row in overview.by_tier
        ]
    if table == "rules":
        return [_("规则"), _("层级"), _("计数内容"), *_standing_headers()], [
            [row.code, row.tier, row.name, *_standing_cells(row.standing)] for row in overview.by_rule
        ]
    if table == "trend":
        return [_("截止月份"), *_standing_headers()], [
            [f"{overview.filters.year}-{month:02d}", *_standing_cells(standing)] for month, standing in overview.trend
        ]
    if table == "units":
        return [_("单位编码"), _("单位"), _("违规"), _("其中严重"), _("预警")], [
            [u["unit__code"], u["unit__name"], u["violations"], u["severe"], u["at_risk"]] for u in overview.worst_units
        ]
    raise Http404


def _village_table(members: dict[str, Any], table: str) -> tuple[list[str], list[list[Any]]]:
    """The helpers or the households of a village page, as headers and rows."""
    if table == "helpers":
        return [_("人员编码"), _("姓名"), _("单位"), _("违规"), _("预警")], [
            [r["person"].code, r["person"].name, r["person"].unit.name, r["violations"], r["at_risk"]]
            for r in members["helpers"]
        ]
    return [_("户编码"), _("户主"), _("违规"), _("预警")], [
        [r["household"].code, r["household"].head_name, r["violations"], r["at_risk"]] for r in members["households"]
    ]


def _export(filename: str, title: str, headers: list[str], rows: list[list[Any]]) -> HttpResponse:
    return xlsx_response(filename=filename, title=title, headers=headers, rows=rows)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's dashboard: the highest place in their scope (the province for the provincial group),
    or the unit of a unit liaison; the home page for anyone else."""
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    root = scope_roots(user=request.user).first()
    if root is not None:
        return redirect(reverse("dashboards:place", args=[root.code]) + query)
    grant = role_grants(user=request.user).filter(unit__isnull=False).first()
    if grant is not None:
        return redirect(reverse("dashboards:unit", args=[grant.unit.code]) + query)
    return redirect("home")


@login_required
def place(request: HttpRequest, code: str) -> HttpResponse:
    """A place's overview; ``?format=xlsx&table=children|counties|tiers|rules|trend|units`` downloads a table."""
    place = _place(request, code)
    filters = _filters(request)
    xlsx = _wants_xlsx(request)
    version = selectors.summaries_version()
    overview = selectors.place_overview(place, filters, charts=xlsx, version=version)
    if xlsx:
        table = request.GET.get("table", "children")
        if table in ("helpers", "households") and place.depth == Place.MAX_DEPTH:
            members = selectors.village_members(village=place, year=filters.year)
            headers, rows = _village_table(members, table)
        else:
            headers, rows = _overview_table(overview, table)
        return _export(f"dashboard-{place.code}-{filters.year}-{table}.xlsx", place.name, headers, rows)
    context: dict[str, Any] = {
        "overview": overview,
        "place": place,
        "filters": filters,
        "qs": urlencode(filters.query()),
        "version": "-".join(map(str, version)),
        "ancestors": Place.objects.get_ancestors(place).visible_to(request.user),
        "years": selectors.summary_years(version),
        "rules": Rule.objects.filter(active=True).order_by("code"),
        "admonishments": selectors.admonishments(overview.actions),
        "award_bans": selectors.award_bans(overview.actions),
    }
    if place.depth == Place.MAX_DEPTH:
        context["people"] = selectors.people_in_village(user=request.user, village=place, filters=filters)
        context["village"] = selectors.village_members(village=place, year=filters.year)
    return render(request, "dashboards/place.html", context)


@login_required
def place_data(request: HttpRequest, code: str) -> JsonResponse:
    """The JSON the place page's charts read (scoped like the page)."""
    place = _place(request, code)
    filters = _filters(request)
    overview = selectors.place_overview(place, filters)
    return JsonResponse(selectors.overview_data(overview))


@login_required
def tier(request: HttpRequest, code: str, tier: str) -> HttpResponse:
    """A tier's subjects under a place and their standing on each of its rules."""
    place = _place(request, code)
    filters = _filters(request)
    filters.tier = get_object_or_404(Tier, code=tier)
    overview = selectors.place_overview(place, filters, charts=False)
    subjects = selectors.subject_rows(user=request.user, place=place, filters=filters)
    if _wants_xlsx(request):
        table = request.GET.get("table", "subjects")
        if table == "subjects":
            return _export(
                f"tier-{tier}-{place.code}-{filters.year}.xlsx", tier, *_subject_table(subjects.iterator(2000))
            )
        headers, rows = _overview_table(overview, table)
        return _export(f"tier-{tier}-{place.code}-{filters.year}-{table}.xlsx", tier, headers, rows)
    page = Paginator(subjects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/tier.html",
        {
            "overview": overview,
            "place": place,
            "filters": filters,
            "qs": urlencode(filters.query()),
            "tier": filters.tier,
            "page": page,
            "rows": [_subject_row(v) for v in page],
            "ancestors": Place.objects.get_ancestors(place).visible_to(request.user),
        },
    )


@login_required
def subjects(request: HttpRequest, code: str) -> HttpResponse:
    """The subjects behind a figure: failing (``?status=violation``) or behind pace (``at_risk``)."""
    place = _place(request, code)
    filters = _filters(request)
    status = request.GET.get("status", "")
    if status not in selectors.SUBJECT_STATUSES:
        raise Http404
    rows = selectors.subject_rows(user=request.user, place=place, filters=filters, status=status)
    if _wants_xlsx(request):
        return _export(f"subjects-{place.code}-{filters.year}.xlsx", place.name, *_subject_table(rows.iterator(2000)))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/subjects.html",
        {
            "place": place,
            "filters": filters,
            "status": status,
            "page": page,
            "rows": [_subject_row(v) for v in page],
            "ancestors": Place.objects.get_ancestors(place).visible_to(request.user),
        },
    )


@login_required
def person(request: HttpRequest, code: str) -> HttpResponse:
    """A person's standing (a helper, a cadre, a leader): rules and the violations behind them."""
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("unit"), code=code)
    filters = _filters(request)
    groups, rows = selectors.person_standing(user=request.user, person=person, filters=filters)
    if _wants_xlsx(request):
        return _export(f"person-{person.code}-{filters.year}.xlsx", person.name, *_subject_table(rows))
    households, households_hidden = selectors.person_households(user=request.user, person=person, year=filters.year)
    return render(
        request,
        "dashboards/person.html",
        {
            "person": person,
            "filters": filters,
            "groups": groups,
            "rows": [_subject_row(v) for v in rows[:500]],
            "households": households,
            "households_hidden": households_hidden,
        },
    )


@login_required
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's standing: its rules and its cadres with their violations and warnings."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), code=code)
    filters = _filters(request)
    groups, people = selectors.unit_standing(user=request.user, unit=unit, filters=filters)
    if _wants_xlsx(request):
        headers = [_("人员编码"), _("姓名"), _("违规"), _("预警")]
        rows = [[p["person__code"], p["person__name"], p["violations"], p["at_risk"]] for p in people]
        return _export(f"unit-{unit.code}-{filters.year}.xlsx", unit.name, headers, rows)
    return render(
        request, "dashboards/unit.html", {"unit": unit, "filters": filters, "groups": groups, "people": people}
    )


@login_required
def violation(request: HttpRequest, pk: int) -> HttpResponse:
    """One failing subject: the figures, and the records counted (from any figure to its records)."""
    violation = get_object_or_404(
        Violation.objects.visible_to(request.user).select_related("rule", "rule__duty", "place", "person", "unit"),
        pk=pk,
    )
    records, truncated, hidden = evidence_records(violation, user=request.user)
    if _wants_xlsx(request):
        headers = [_("日期"), _("记录类型"), _("内容"), _("关账后补录")]
        rows = [[r["date"], r["type"], r["summary"], _("是") if r["late"] else ""] for r in records]
        return _export(f"violation-{violation.pk}-records.xlsx", violation.rule.code, headers, rows)
    code, name = subject_code_and_name(violation)
    return render(
        request,
        "dashboards/violation.html",
        {
            "v": violation,
            "subject_code": code,
            "subject_name": name,
            "period": period_label(violation.period),
            "records": records,
            "truncated": truncated,
            "hidden": hidden,
        },
    )


def _subject_row(v: Violation) -> dict[str, Any]:
    code, name = subject_code_and_name(v)
    return {"v": v, "code": code, "name": name, "period": period_label(v.period)}


def _subject_table(rows: Any) -> tuple[list[str], Any]:
    headers = [
        _("规则"), _("周期"), _("检查对象编码"), _("检查对象"), _("所属地区"), _("状态"),
        _("应达到"), _("实际完成"), _("差额"), _("严重程度"),
    ]  # fmt: skip

    def cells() -> Any:
        for v in rows:
            code, name = subject_code_and_name(v)
            yield [
                v.rule.code, period_label(v.period), code, name, v.place.name if v.place else "",
                v.get_status_display(), v.required, v.actual, v.shortfall, v.severity,
            ]  # fmt: skip

    return headers, cells()


@login_required
def my_duties(request: HttpRequest) -> HttpResponse:
    """The home page's table of the user's own duties, as .xlsx (only ever their own)."""
    rows = [
        [
            d.rule_code, d.counted, d.subject or _("本人"), d.period_label, d.due, d.actual,
            d.required if d.standing != duties.Standing.NOT_APPLICABLE else None, d.measure_unit, d.standing_label,
        ]
        for d in duties.own_duties(user=request.user)
    ]  # fmt: skip
    headers = [
        _("规则"),
        _("计数内容"),
        _("对象"),
        _("周期"),
        _("截止日期"),
        _("实际完成"),
        _("应达到"),
        _("计量单位"),
        _("状态"),
    ]
    return _export(f"my-duties-{timezone.localdate():%Y%m%d}.xlsx", _("我的本期责任"), headers, rows)

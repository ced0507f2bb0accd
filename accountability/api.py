"""Read-only JSON API of the compliance engine's output, and its spreadsheet download.

``GET /api/v1/violations/`` lists the violations and warnings the user may see (``visible_to``), filtered
by ``year``, ``period``, ``rule``, ``org`` and ``status``, 100 a page; ``GET /api/v1/violations/<id>/``
adds the records counted for one (its evidence); ``GET /api/v1/violations/export.xlsx`` (or the list with
``?format=xlsx``) downloads the same filtered list as a spreadsheet.

Every page is set-based: one query for the rows (rule, duty, person, unit, place and household joined),
one for the count and one for the names of all the places above the page's places (``org_path``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.choices import ViolationStatus
from accountability.compliance.engine import period_label
from accountability.compliance.evidence import evidence_records
from accountability.exports import XLSX_CONTENT_TYPE, xlsx_response
from accountability.messages import Msg
from accountability.models import Violation
from tiers.choices import Period as PeriodKind
from tiers.choices import SubjectKind
from tiers.models import Place, Rule, Unit
from tiers.validators import is_ascii_digits

# --- filters --------------------------------------------------------------------------------------

#: ``2019``, ``2019-H1``, ``2019-Q2``, ``2019-06``.
PERIOD_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


def _values(params: QueryDict, name: str) -> list[str]:
    """The values of a parameter that may repeat or be comma-separated, stripped, empties dropped."""
    return [value.strip() for raw in params.getlist(name) for value in raw.split(",") if value.strip()]


def _year_q(raw: str) -> Q:
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 1 <= year <= 9999:
        raise ValidationError({"year": [Msg.BAD_YEAR % {"value": raw}]})
    return Q(period_year=year)


def _period_q(raw: str) -> Q:
    """A period kind (``quarter``) or label (``2019-Q2``); ``2019`` is the year, or a point rule's year."""
    if raw in PeriodKind.values:
        return Q(period_kind=raw)
    match = PERIOD_LABEL.match(raw)
    if not match:
        raise ValidationError({"period": [Msg.BAD_PERIOD % {"value": raw}]})
    year = int(match["year"])
    for kind in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        if index := match[kind.value]:
            return Q(period_year=year, period_kind=kind, period_index=int(index))
    return Q(period_year=year, period_kind__in=[PeriodKind.YEAR, PeriodKind.POINT], period_index=1)


def _org_q(code: str, user: Any) -> Q:
    """Rows of a place's subtree or of a unit, when the user may see that place or unit; else a 400 that
    says the same whether the code exists or not."""
    place = Place.objects.visible_to(user).filter(code=code).values("path").first()
    if place:
        return Q(place__path__startswith=place["path"])
    unit = Unit.objects.visible_to(user).filter(code=code).values("pk").first()
    if unit:
        return Q(unit=unit["pk"])
    raise ValidationError({"org": [Msg.BAD_ORG % {"value": code}]})


def violation_filters(params: QueryDict, *, user: Any) -> Q:
    """The condition the query parameters ``year``, ``period``, ``rule``, ``org`` and ``status`` ask for.
    Raises ``ValidationError`` (a 400) naming the parameter, with the message of ``Msg``."""
    condition = Q()
    if (year := params.get("year", "").strip()) != "":
        condition &= _year_q(year)
    if period := params.get("period", "").strip():
        condition &= _period_q(period)
    if rules := _values(params, "rule"):
        known = set(Rule.objects.filter(code__in=rules).values_list("code", flat=True))
        if unknown := [code for code in rules if code not in known]:
            raise ValidationError({"rule": [Msg.BAD_RULE % {"value": unknown[0]}]})
        condition &= Q(rule__code__in=rules)
    if org := params.get("org", "").strip():
        condition &= _org_q(org, user)
    if statuses := _values(params, "status"):
        bad = [status for status in statuses if status not in ViolationStatus.values]
        if bad:
            raise ValidationError({"status": [Msg.BAD_STATUS % {"value": bad[0]}]})
        condition &= Q(status__in=statuses)
    return condition


def violation_list(*, user: Any, params: QueryDict | None = None) -> QuerySet:
    """Violations and warnings ``user`` may see, filtered by ``params``, with what a row shows joined."""
    condition = violation_filters(params, user=user) if params is not None else Q()
    return (
        Violation.objects.visible_to(user)
        .filter(condition)
        .select_related("rule__duty", "person", "unit", "place", "household")
        .order_by("rule__code", "period_start", "subject_key", "pk")
    )


def requested_year(params: QueryDict) -> str:
    """The year a filtered list is about, for a file name: ``year``, else the year of a period label."""
    year = params.get("year", "").strip()
    if is_ascii_digits(year):
        return year
    match = PERIOD_LABEL.match(params.get("period", "").strip())
    return match["year"] if match else "all"


# --- rows -----------------------------------------------------------------------------------------

#: The parts of each kind of subject, in the order of its label (帮扶责任人×帮扶户, 县×驻村干部, …).
SUBJECT_PARTS: dict[str, tuple[str, ...]] = {
    SubjectKind.CONTACT_LEADER_COUNTY: ("person", "place"),
    SubjectKind.GROUP_LEADER_UNIT: ("unit", "place"),
    SubjectKind.ASSISTING_UNIT_IN_COUNTY: ("unit", "place"),
    SubjectKind.ASSISTING_UNIT: ("unit",),
    SubjectKind.UNIT_LEADER: ("person", "unit"),
    SubjectKind.UNIT_CADRE: ("person",),
    SubjectKind.STATIONED_CADRE: ("unit", "person"),
    SubjectKind.TEAM_MEMBER: ("person",),
    SubjectKind.COUNTY_CADRE: ("place", "person"),
    SubjectKind.PREFECTURE: ("place",),
    SubjectKind.COUNTY: ("place",),
    SubjectKind.TOWNSHIP: ("place",),
    SubjectKind.HELPER_HOUSEHOLD: ("person", "household"),
}


def _part_name(part: str, obj: Any) -> str:
    return f"{obj.head_name}户" if part == "household" else obj.name


def subject_code_and_name(violation: Violation) -> tuple[str, str]:
    """The subject's stable code and its name: ``"P00001×H000001"`` and ``"张三 × 李四户"`` for a helper
    and a household, the person's, unit's or place's own for a one-part subject."""
    parts = [(part, getattr(violation, part)) for part in SUBJECT_PARTS.get(violation.subject_kind, ())]
    parts = [(part, obj) for part, obj in parts if obj is not None]
    return "×".join(obj.code for _, obj in parts), " × ".join(_part_name(part, obj) for part, obj in parts)


def place_names(paths: Iterable[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """Names of the places at ``paths`` and of all their ancestors, by path, in one query (none when
    ``known`` has them all already); ``known`` is updated and returned."""
    known = {} if known is None else known
    step = Place.steplen
    prefixes = {path[:end] for path in paths for end in range(step, len(path) + 1, step)} - known.keys()
    if prefixes:
        known.update(Place.objects.filter(path__in=prefixes).values_list("path", "name"))
    return known


def org_path(path: str, names: dict[str, str]) -> str:
    """``甘肃省 / 兰州市 / 榆中县 / 某乡 / 某村``: the names from the root down to the place at ``path``."""
    step = Place.steplen
    return " / ".join(names.get(path[:end], "") for end in range(step, len(path) + 1, step))


def violation_data(violation: Violation, *, names: dict[str, str], evidence_url: str) -> dict[str, Any]:
    """A violation as the API shows it (``names`` holds the names of its place's ancestors)."""
    v = violation
    code, name = subject_code_and_name(v)
    return {
        "id": v.pk,
        "rule": v.rule.code,
        "clause": v.rule.clause,
        "clause_text": v.rule.duty.text,
        "counted": v.rule.counted,
        "subject": {
            "type": v.subject_kind,
            "type_label": str(SubjectKind(v.subject_kind).label),
            "code": code,
            "name": name,
            "org_path": org_path(v.place.path, names) if v.place else "",
        },
        "period": {
            "kind": v.period_kind,
            "label": period_label(v.period),
            "start": v.period_start,
            "end": v.period_end,
        },
        "required": v.required,
        "actual": v.actual,
        "shortfall": v.shortfall,
        "severity": v.severity,
        "status": v.status,
        "status_label": str(v.get_status_display()),
        "final": v.final,
        "late": v.late,
        "late_actual": v.late_actual,
        "checked_on": v.checked_on,
        "run": v.run_id,
        "evidence": evidence_url,
    }


def _rows(violations: list[Violation], request: Request, names: dict[str, str] | None = None) -> list[dict]:
    names = place_names([v.place.path for v in violations if v.place], names)
    base = request.build_absolute_uri(reverse("api-violations"))
    return [violation_data(v, names=names, evidence_url=f"{base}{v.pk}/") for v in violations]


# --- the spreadsheet ------------------------------------------------------------------------------

EXPORT_HEADERS = [
    _("规则"),
    _("条款"),
    _("检查对象类型"),
    _("检查对象编码"),
    _("检查对象"),
    _("所属地区"),
    _("周期"),
    _("开始日期"),
    _("结束日期"),
    _("应达到"),
    _("实际完成"),
    _("差额"),
    _("严重程度"),
    _("状态"),
    _("已关账"),
    _("关账后补录"),
    _("评估基准日"),
]
EXPORT_WIDTHS = [8, 10, 22, 24, 30, 50, 10, 12, 12, 8, 8, 8, 8, 8, 8, 10, 12]
EXPORT_BATCH = 2000


def export_row(row: dict[str, Any]) -> list[Any]:
    """The spreadsheet cells of an API row, in the order of ``EXPORT_HEADERS``."""
    yes, no = str(_("是")), str(_("否"))
    subject, period = row["subject"], row["period"]
    return [
        row["rule"],
        row["clause"],
        subject["type_label"],
        subject["code"],
        subject["name"],
        subject["org_path"],
        period["label"],
        period["start"],
        period["end"],
        row["required"],
        row["actual"],
        row["shortfall"],
        row["severity"],
        row["status_label"],
        yes if row["final"] else no,
        yes if row["late"] else no,
        row["checked_on"],
    ]


def export_rows(violations: QuerySet, request: Request) -> Iterator[list[Any]]:
    """The spreadsheet rows of ``violations``, read in batches (one query for the places of each)."""
    names: dict[str, str] = {}
    batch: list[Violation] = []
    for violation in violations.iterator(chunk_size=EXPORT_BATCH):
        batch.append(violation)
        if len(batch) == EXPORT_BATCH:
            yield from (export_row(row) for row in _rows(batch, request, names))
            batch = []
    yield from (export_row(row) for row in _rows(batch, request, names))


def violations_xlsx(request: Request) -> FileResponse:
    """The filtered, scoped list as ``violations-<year>.xlsx``."""
    violations = violation_list(user=request.user, params=request.query_params)
    return xlsx_response(
        filename=f"violations-{requested_year(request.query_params)}.xlsx",
        title=str(_("违规与预警")),
        headers=[str(header) for header in EXPORT_HEADERS],
        rows=export_rows(violations, request),
        widths=EXPORT_WIDTHS,
    )


# --- views ----------------------------------------------------------------------------------------


class ViolationPagination(PageNumberPagination):
    """100 rows a page; ``?page_size=`` up to 1000."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class XlsxRenderer(BaseRenderer):
    """Lets ``?format=xlsx`` (or an ``Accept`` of the xlsx type) through content negotiation; the view then
    answers with the file itself, so this renderer never renders anything."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        raise NotImplementedError("xlsx responses are built by the view")


class _ViolationView(APIView):
    """Errors are JSON even when the spreadsheet was asked for."""

    renderer_classes = [JSONRenderer, XlsxRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        if getattr(getattr(self.request, "accepted_renderer", None), "format", None) == "xlsx":
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().handle_exception(exc)


class ViolationListView(_ViolationView):
    """``GET /api/v1/violations/?year=&period=&rule=&org=&status=&page=&page_size=`` (``format=xlsx``:
    the spreadsheet)."""

    def get(self, request: Request) -> Response | FileResponse:
        if request.accepted_renderer.format == "xlsx":
            return violations_xlsx(request)
        violations = violation_list(user=request.user, params=request.query_params)
        paginator = ViolationPagination()
        page = paginator.paginate_queryset(violations, request, view=self)
        return paginator.get_paginated_response(_rows(list(page), request))


class ViolationExportView(_ViolationView):
    """``GET /api/v1/violations/export.xlsx?<the list's filters>``."""

    def get(self, request: Request) -> FileResponse:
        return violations_xlsx(request)


class ViolationDetailView(_ViolationView):
    """``GET /api/v1/violations/<id>/``: the row and the records counted for it (404 out of scope)."""

    renderer_classes = [JSONRenderer]

    def get(self, request: Request, pk: int) -> Response:
        violation = get_object_or_404(violation_list(user=request.user), pk=pk)
        data = _rows([violation], request)[0]
        found = evidence_records(violation, user=request.user)
        data["records"], data["records_truncated"], data["records_outside_scope"] = found
        return Response(data)

"""The kinds of roster a workbook holds, one sheet each, with their Chinese headers (issue 9).

The order is the order of import: a later sheet may refer to rows of an earlier one (a pairing to a
household of the same workbook). This first cut covers households and pairings, the two largest
rosters, and the units and people they refer to; places, posts, assignments, teams and memberships,
and the logs follow the same pattern.
"""

from __future__ import annotations

from django.utils import translation

from households.choices import HouseholdStatus
from rosters.workbook import Column, SheetSpec
from tiers.choices import Rank, UnitKind


def _choices(choices: type) -> dict[str, str]:
    """Chinese labels (and the stored values) of a choices class → values."""
    with translation.override("zh-hans"):
        mapping = {str(label): value for value, label in choices.choices}
    return mapping | {value: value for value, _label in choices.choices}


UNITS = SheetSpec(
    kind="units",
    title="单位",
    columns=(
        Column("单位编码", "code", "code", max_length=40),
        Column("单位名称", "name", max_length=200),
        Column("单位类别", "kind", "choice", choices=_choices(UnitKind)),
        Column("所属区划代码", "place", "code", max_length=12),
    ),
    key=("code",),
)

PEOPLE = SheetSpec(
    kind="people",
    title="人员",
    columns=(
        Column("人员编码", "code", "code", max_length=40),
        Column("姓名", "name", max_length=50),
        Column("职级", "rank", "choice", choices=_choices(Rank)),
        Column("所在单位编码", "unit", "code", max_length=40),
        Column("职务名称", "title", required=False, max_length=100),
        Column("联系电话", "phone", required=False, max_length=20),
    ),
    key=("code",),
)

HOUSEHOLDS = SheetSpec(
    kind="households",
    title="帮扶户",
    columns=(
        Column("户编码", "code", "code", max_length=40),
        Column("户主姓名", "head_name", max_length=50),
        Column("所在村代码", "village", "code", max_length=12),
        Column("家庭人口", "members", "int", minimum=1, maximum=30),
        Column("状态", "status", "choice", required=False, choices=_choices(HouseholdStatus)),
        Column("脱贫年度", "exit_year", "int", required=False, minimum=2013, maximum=2030),
    ),
    key=("code",),
)

PAIRINGS = SheetSpec(
    kind="pairings",
    title="结对帮扶",
    columns=(
        Column("帮扶责任人编码", "helper", "code", max_length=30),
        Column("户编码", "household", "code", max_length=40),
        Column("开始日期", "start", "date"),
        Column("结束日期", "end", "date", required=False),
    ),
    key=("helper", "household", "start"),
)

VISITS = SheetSpec(
    kind="visits",
    title="入户走访",
    columns=(
        Column("帮扶责任人编码", "helper", "code", max_length=40),
        Column("户编码", "household", "code", max_length=40),
        Column("走访日期", "date", "date"),
        *(
            Column(header, field, required=False, max_length=2000)
            for header, field in (
                ("产业", "industry"),
                ("就业", "employment"),
                ("教育", "education"),
                ("医疗", "medical"),
                ("住房", "housing"),
                ("饮水", "water"),
                ("发现的问题", "problems"),
            )
        ),  # fmt: skip
    ),
    key=("helper", "household", "date"),
)

DEEDS = SheetSpec(
    kind="deeds",
    title="实事好事",
    columns=(
        Column("帮扶责任人编码", "helper", "code", max_length=40),
        Column("户编码", "household", "code", max_length=40),
        Column("日期", "date", "date"),
        Column("办理的实事好事", "description", max_length=2000),
    ),
    key=("helper", "household", "date", "description"),
)

#: Every kind, in the order of import.
SPECS = [UNITS, PEOPLE, HOUSEHOLDS, PAIRINGS, VISITS, DEEDS]

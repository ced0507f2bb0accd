"""The kinds of roster a workbook holds, one sheet each, with their Chinese headers (issue 9).

The order is the order of import: a later sheet may refer to rows of an earlier one (a pairing to a
household of the same workbook). This first cut covers households and pairings, the two largest
rosters; organisations, units, people, assignments, teams and the logs follow the same pattern.
"""

from __future__ import annotations

from django.utils import translation

from households.choices import HouseholdStatus
from rosters.workbook import Column, SheetSpec


def _choices(choices: type) -> dict[str, str]:
    """Chinese labels (and the stored values) of a choices class → values."""
    with translation.override("zh-hans"):
        mapping = {str(label): value for value, label in choices.choices}
    return mapping | {value: value for value, _label in choices.choices}


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

#: Every kind, in the order of import.
SPECS = [HOUSEHOLDS, PAIRINGS]

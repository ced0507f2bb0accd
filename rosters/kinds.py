"""The kinds of roster a workbook holds, one sheet each, with their Chinese headers (issue 9).

The order is the order of import: a later sheet may refer to rows of an earlier one (a pairing to a
household of the same workbook, a member to a team, a unit to a new county).
"""

from __future__ import annotations

from django.utils import translation

from households.choices import HouseholdStatus
from rosters.workbook import Column, SheetSpec
from tiers.choices import PlaceLevel, PostTitle, Rank, UnitKind
from villagecorps.choices import DayKind, MemberRole
from villagecorps.importing import SHORT_KINDS


def _choices(choices: type) -> dict[str, str]:
    """Chinese labels (and the stored values) of a choices class → values."""
    with translation.override("zh-hans"):
        mapping = {str(label): value for value, label in choices.choices}
    return mapping | {value: value for value, _label in choices.choices}


def start_end() -> tuple[Column, Column]:
    return Column("开始日期", "start", "date"), Column("结束日期", "end", "date", required=False)


PLACES = SheetSpec(
    kind="places",
    title="行政区划",
    columns=(
        Column("区划代码", "code", "code", max_length=12),
        Column("名称", "name", max_length=100),
        Column("层级", "level", "choice", choices=_choices(PlaceLevel)),
        Column("上级区划代码", "parent", "code", required=False, max_length=12),
        Column("经度", "longitude", "decimal", required=False, minimum=-180, maximum=180),
        Column("纬度", "latitude", "decimal", required=False, minimum=-90, maximum=90),
    ),
    key=("code",),
)

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

POSTS = SheetSpec(
    kind="posts",
    title="任职",
    columns=(
        Column("人员编码", "person", "code", max_length=40),
        Column("职务", "title", "choice", choices=_choices(PostTitle)),
        Column("单位编码", "unit", "code", required=False, max_length=40),
        Column("区划代码", "place", "code", required=False, max_length=12),
        *start_end(),
    ),
    key=("person", "title", "unit", "place", "start"),
)

CONTACT_LEADERS = SheetSpec(
    kind="contact_leaders",
    title="省级联系领导",
    columns=(
        Column("人员编码", "person", "code", max_length=40),
        Column("联系县代码", "county", "code", max_length=12),
        Column("包抓乡镇代码", "charged_township", "code", required=False, max_length=12),
        Column("帮扶村代码", "charged_village", "code", required=False, max_length=12),
        *start_end(),
    ),
    key=("person", "county", "start"),
)

GROUP_LEADERS = SheetSpec(
    kind="group_leaders",
    title="组长单位",
    columns=(Column("单位编码", "unit", "code", max_length=40), Column("县代码", "county", "code", max_length=12),
             *start_end()),
    key=("unit", "county", "start"),
)  # fmt: skip

SECTOR_LEADS = SheetSpec(
    kind="sector_leads",
    title="牵头单位",
    columns=(
        Column("牵头单位编码", "lead_unit", "code", max_length=40),
        Column("归口单位编码", "member_unit", "code", max_length=40),
        *start_end(),
    ),
    key=("lead_unit", "member_unit", "start"),
)

ASSISTANCE = SheetSpec(
    kind="assistance",
    title="帮扶单位",
    columns=(Column("单位编码", "unit", "code", max_length=40), Column("帮扶村代码", "village", "code", max_length=12),
             *start_end()),
    key=("unit", "village", "start"),
)  # fmt: skip

TEAMS = SheetSpec(
    kind="teams",
    title="驻村工作队",
    columns=(
        Column("工作队编码", "code", "code", max_length=40),
        Column("工作队名称", "name", max_length=100),
        Column("驻村代码", "village", "code", max_length=12),
        *start_end(),
    ),
    key=("code",),
)

MEMBERSHIPS = SheetSpec(
    kind="memberships",
    title="驻村干部",
    columns=(
        Column("工作队编码", "team", "code", max_length=40),
        Column("人员编码", "person", "code", max_length=40),
        Column("职务", "role", "choice", required=False, choices=_choices(MemberRole)),
        Column("派出单位编码", "dispatching_unit", "code", max_length=40),
        *start_end(),
    ),
    key=("team", "person", "start"),
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

PLANS = SheetSpec(
    kind="plans",
    title="一户一策",
    columns=(
        Column("帮扶责任人编码", "helper", "code", max_length=40),
        Column("户编码", "household", "code", max_length=40),
        Column("修订日期", "date", "date"),
        Column("计划年度", "year", "int", minimum=2013, maximum=2100),
        Column("家庭情况", "family_situation", max_length=2000),
        Column("致贫原因", "poverty_causes", max_length=2000),
        Column("增收途径", "income_paths", max_length=2000),
        Column("帮扶（保障）措施", "support_measures", max_length=2000),
        Column("目标任务", "targets", required=False, max_length=2000),
    ),
    key=("helper", "household", "date"),
)

DUTY_DAYS = SheetSpec(
    kind="duty_days",
    title="驻村考勤",
    columns=(
        Column("人员编码", "person", "code", max_length=40),
        Column("日期", "date", "date"),
        Column("类别", "kind", "choice", choices=_choices(DayKind) | {k: str(v) for k, v in SHORT_KINDS.items()}),
        Column("位置", "location", required=False, max_length=40),
    ),
    key=("person", "date"),
)

TRAINING_DAYS = SheetSpec(
    kind="training_days",
    title="轮训",
    columns=(
        Column("县代码", "county", "code", max_length=12),
        Column("人员编码", "person", "code", max_length=40),
        Column("日期", "date", "date"),
        Column("培训内容", "topic", max_length=200),
    ),
    key=("person", "date"),
)

FOLLOW_UPS = SheetSpec(
    kind="follow_ups",
    title="派出单位回访",
    columns=(
        Column("驻村干部编码", "person", "code", max_length=40),
        Column("回访日期", "date", "date"),
        Column("回访人员", "visitors", max_length=200),
        Column("了解的情况和解决的问题", "notes", required=False, max_length=5000),
    ),
    key=("person", "date"),
)

DUTY_RECORDS = SheetSpec(
    kind="duty_records",
    title="履责记录",
    columns=(
        Column("日期", "date", "date"),
        Column("类别", "kinds", "list", max_length=100),
        Column("标题", "title", max_length=200),
        Column("区划代码", "place", "code", required=False, max_length=12),
        Column("单位编码", "unit", "code", required=False, max_length=40),
        Column("主持或调研的领导编码", "person", "code", required=False, max_length=40),
        Column("参加人员编码", "participants", "list", required=False, max_length=40),
        Column("纪要", "minutes", required=False, max_length=20000),
    ),
    key=("date", "title", "place", "unit", "person"),
)

#: Every kind, in the order of import.
SPECS = [PLACES, UNITS, PEOPLE, POSTS, CONTACT_LEADERS, GROUP_LEADERS, SECTOR_LEADS, ASSISTANCE, TEAMS, MEMBERSHIPS,
         HOUSEHOLDS, PAIRINGS, VISITS, DEEDS, PLANS, DUTY_DAYS, TRAINING_DAYS, FOLLOW_UPS, DUTY_RECORDS]  # fmt: skip

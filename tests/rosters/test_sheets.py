"""Every kind of roster sheet through the import service: what it writes, that the same file again
changes nothing, what it refuses (naming sheet, row and column) and that a refused file leaves the
database exactly as it was. The state to start from is the downloadable template, imported."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from rosters.resources import RESOURCES
from rosters.services import roster_import
from rosters.template import roster_template
from tests.rosters.test_workbook import xlsx
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    GroupLeaderAssignment,
    Place,
    Post,
    SectorLeadMembership,
)
from villagecorps.models import DutyDay, FollowUpVisit, Membership, Team, TrainingDay

pytestmark = pytest.mark.django_db
D = datetime.date
T = "620123199201-20190101"  # the template's team
AS_OF = D(2019, 6, 1)
OVERLAP = "的时间重叠：同一时期只能有一条，请先结束原记录。"

PLACES = ["区划代码", "名称", "层级", "上级区划代码", "经度", "纬度"]
POSTS = ["人员编码", "职务", "单位编码", "区划代码", "开始日期", "结束日期"]
CONTACT = ["人员编码", "联系县代码", "包抓乡镇代码", "帮扶村代码", "开始日期", "结束日期"]
GROUP = ["单位编码", "县代码", "开始日期", "结束日期"]
SECTOR = ["牵头单位编码", "归口单位编码", "开始日期", "结束日期"]
ASSIST = ["单位编码", "帮扶村代码", "开始日期", "结束日期"]
TEAMS = ["工作队编码", "工作队名称", "驻村代码", "开始日期", "结束日期"]
MEMBERS = ["工作队编码", "人员编码", "职务", "派出单位编码", "开始日期", "结束日期"]
PEOPLE = ["人员编码", "姓名", "职级", "所在单位编码"]
PLANS = ["帮扶责任人编码", "户编码", "修订日期", "计划年度", "家庭情况", "致贫原因", "增收途径", "帮扶（保障）措施"]
DAYS = ["人员编码", "日期", "类别", "位置"]
TRAINING = ["县代码", "人员编码", "日期", "培训内容"]
FOLLOW = ["驻村干部编码", "回访日期", "回访人员", "了解的情况和解决的问题"]
RECORDS = ["日期", "类别", "标题", "区划代码", "单位编码", "主持或调研的领导编码", "参加人员编码", "纪要"]


def everything() -> dict[str, list[tuple]]:
    """Every row of every table a roster writes."""
    return {
        resource._meta.model._meta.label: list(resource._meta.model.objects.order_by("pk").values_list())
        for resource in RESOURCES.values()
    }


@pytest.fixture
def base(place_tree: Any) -> None:
    report = roster_import(roster_template(), file_name="template.xlsx", dry_run=False, as_of=AS_OF)
    assert report.problems == []


def load(sheets: dict[str, list[list[Any]]], as_of: datetime.date = AS_OF) -> Any:
    return roster_import(xlsx(sheets), file_name="roster.xlsx", dry_run=False, as_of=as_of)


def refused(sheets: dict[str, list[list[Any]]], as_of: datetime.date = AS_OF) -> list[str]:
    """The problems of a workbook that must be refused, checking that nothing was written."""
    before = everything()
    report = load(sheets, as_of)
    assert report.problems and not report.saved
    assert everything() == before
    return [str(p) for p in report.problems]


def counts(report: Any) -> dict[str, tuple[int, int, int, int]]:
    return {k: (c.new, c.changed, c.unchanged, c.ended) for k, c in report.counts.items()}


# -- places --------------------------------------------------------------------------------------------


def test_places_add_a_subtree_in_any_row_order_and_rename(base: None) -> None:
    sheet = [
        PLACES,
        ["620123103201", "新村", "村", "620123103", "104.1", 35.8],
        ["620123103", "新镇", "乡镇", "620123"],
        ["620123199", "示例镇（更名）", "乡镇", "620123"],
    ]
    assert counts(load({"行政区划": sheet})) == {"places": (2, 1, 0, 0)}
    village = Place.objects.get(code="620123103201")
    assert Place.objects.get_parent(village).code == "620123103"
    assert Place.objects.get_parent(Place.objects.get_parent(village)).code == "620123"
    assert (village.longitude, village.latitude) == (Decimal("104.1"), Decimal("35.8"))
    assert Place.objects.get(code="620123199").name == "示例镇（更名）"
    assert Place.objects.get(code="620123").numchild == 3  # the tree fixture's township, 示例镇, 新镇
    assert counts(load({"行政区划": sheet})) == {"places": (0, 0, 3, 0)}


def test_places_refuse_moves_level_changes_bad_codes_and_unknown_parents(base: None) -> None:
    problems = refused(
        {
            "行政区划": [
                PLACES,
                ["620123199", "示例镇", "乡镇", "620122"],
                ["620123199201", "示例村", "乡镇", "620123"],
                ["620123104", "别的镇", "乡镇", "620122"],
                ["620123105", "孤镇", "乡镇", "620999"],
            ]
        }
    )
    assert problems[0] == "工作表「行政区划」第 2 行「上级区划代码」列：已登记的区划不能通过导入改变上级区划。"
    assert problems[1] == "工作表「行政区划」第 3 行「层级」列：已登记的区划不能通过导入改变层级（原为村）。"
    assert problems[2].startswith("工作表「行政区划」第 4 行「区划代码」列：")
    assert problems[3] == "工作表「行政区划」第 5 行「上级区划代码」列：区划代码不存在：620999"
    assert len(problems) == 4
    problems = refused({"行政区划": [PLACES, ["620123106", "远镇", "乡镇", "620123", 200, "北纬"]]})
    assert problems == [
        "工作表「行政区划」第 2 行「经度」列：不能大于 180：200",
        "工作表「行政区划」第 2 行「纬度」列：应为数字：北纬",
    ]


# -- posts and assignments -------------------------------------------------------------------------------


def test_posts_are_matched_on_person_post_organisation_and_start(base: None) -> None:
    sheet = [POSTS, ["SL-P-01", "帮扶工作联络员", "SL-SCZT", None, "2019-01-01", "2019-05-31"]]
    assert counts(load({"任职": sheet})) == {"posts": (0, 1, 0, 0)}
    assert Post.objects.get(person__code="SL-P-01").end == D(2019, 5, 31)
    problems = refused({"任职": [POSTS, ["SL-P-01", "分管负责同志", "SL-SCZT", "620123", "2019-01-01"]]})
    assert problems == ["工作表「任职」第 2 行：职务必须且只能属于一个单位或一个行政区划。"]


def test_assignments_write_end_and_refuse_what_the_document_forbids(base: None) -> None:
    report = load(
        {
            "省级联系领导": [CONTACT, ["SL-P-90", "620123", "620123199", "620123199201", "2019-01-01", "2019-12-31"]],
            "组长单位": [GROUP, ["SL-SCZT", "620122", "2019-01-01"]],
            "牵头单位": [SECTOR, ["SL-SCZT", "SL-X620123", "2019-01-01", "2019-12-31"]],
            "帮扶单位": [ASSIST, ["SL-SCZT", "620122101201", "2019-01-01"]],
        }
    )
    assert counts(report) == {
        "contact_leaders": (0, 1, 0, 0),
        "group_leaders": (1, 0, 0, 0),
        "sector_leads": (0, 1, 0, 0),
        "assistance": (1, 0, 0, 0),
    }
    assert ContactLeaderAssignment.objects.get().end == D(2019, 12, 31)
    assert GroupLeaderAssignment.objects.filter(unit__code="SL-SCZT").count() == 2
    assert SectorLeadMembership.objects.get().end == D(2019, 12, 31)
    assert AssistanceAssignment.objects.filter(unit__code="SL-SCZT").count() == 2
    problems = refused(
        {
            "省级联系领导": [
                CONTACT,
                ["SL-P-01", "620123", None, None, "2019-06-01"],  # the county has its leader already
                ["SL-P-01", "620123101", None, None, "2019-01-01"],  # not a county
                ["SL-P-01", "620122", "620123199", None, "2019-01-01"],  # a township of another county
            ],
            "组长单位": [GROUP, ["SL-SCZT", "620122", "2019-01-01"], ["SL-X620123", "620122", "2019-03-01"]],
            "牵头单位": [SECTOR, ["SL-SCZT", "SL-SCZT", "2019-01-01"]],
            "帮扶单位": [ASSIST, ["SL-SCZT", "620123199", "2019-01-01"]],
        }
    )
    assert problems == [
        f"工作表「省级联系领导」第 2 行「结束日期」列：与「赵联系 → 县620123」{OVERLAP}",
        "工作表「省级联系领导」第 3 行「联系县代码」列：所选区划必须是县（市、区）级。",
        "工作表「省级联系领导」第 4 行「包抓乡镇代码」列：包抓的乡镇或村必须位于所联系的县（市、区）之内。",
        f"工作表「组长单位」第 3 行「结束日期」列：与「示例省直单位 → 县620122」{OVERLAP}",
        "工作表「牵头单位」第 2 行「归口单位编码」列：牵头单位与归口单位不能是同一个单位。",
        "工作表「帮扶单位」第 2 行「帮扶村代码」列：所选区划必须是村级。",
    ]


# -- teams and memberships -------------------------------------------------------------------------------


def test_teams_are_matched_on_their_code(base: None) -> None:
    sheet = [
        TEAMS,
        [T, "示例村工作队（更名）", "620123199201", "2019-01-01"],
        ["W2", "一村工作队", "620122101201", "2019-01-01"],
    ]
    assert counts(load({"驻村工作队": sheet})) == {"teams": (1, 1, 0, 0)}
    assert Team.objects.get(code=T).name == "示例村工作队（更名）"
    assert Team.objects.get(code="W2").village.code == "620122101201"
    problems = refused(
        {
            "驻村工作队": [
                TEAMS,
                ["W3", "二队", "620123199201", "2019-03-01"],  # the village has a team
                ["W4", "乡队", "620123199", "2019-03-01"],
                ["w5", "小写", "620122101202", "2019-03-01"],
            ]
        }
    )
    assert problems == [
        f"工作表「驻村工作队」第 2 行「结束日期」列：与「示例村工作队（更名）」{OVERLAP}",
        "工作表「驻村工作队」第 3 行「驻村代码」列：工作队所驻地必须是村级行政区划。",
        "工作表「驻村工作队」第 4 行「工作队编码」列：工作队编码只能包含大写字母、数字和连字符，长度 2–40。",
    ]


def test_a_member_missing_from_the_team_is_ended_not_deleted(base: None) -> None:
    sheet = [MEMBERS, [T, "SL-P-91", "第一书记兼队长", "SL-SCZT", "2019-01-01"]]
    report = load({"驻村干部": sheet}, as_of=D(2019, 4, 30))
    assert counts(report) == {"memberships": (0, 0, 1, 1)}
    left = Membership.objects.get(person__code="SL-P-D01")
    assert (left.start, left.end) == (D(2019, 1, 1), D(2019, 4, 30))
    assert counts(load({"驻村干部": sheet}, as_of=D(2019, 5, 31))) == {"memberships": (0, 0, 1, 0)}


def test_memberships_refuse_two_villages_at_once_dates_outside_the_team_and_orphaned_days(base: None) -> None:
    Team.objects.create(
        code="W2", village=Place.objects.get(code="620122101201"), name="一村工作队", start=D(2019, 1, 1)
    )
    problems = refused(
        {
            "驻村干部": [
                MEMBERS,
                [T, "SL-P-91", "第一书记兼队长", "SL-SCZT", "2019-01-01", "2019-03-04"],  # days recorded to 3-5
                [T, "SL-P-D01", "队员", "SL-X620123", "2019-01-01"],
                ["W2", "SL-P-D01", "队员", "SL-X620123", "2019-05-01"],  # already in the other village
                ["W2", "SL-P-01", "队员", "SL-SCZT", "2018-12-01"],  # before the team
            ]
        }
    )
    assert problems == [
        "工作表「驻村干部」第 2 行「结束日期」列：结束日期之后已有 1 天考勤记录（最早 2019-03-05），请先核对这些记录。",
        f"工作表「驻村干部」第 4 行「结束日期」列：与「刘队员（示例村驻村帮扶工作队 队员）」{OVERLAP}",
        "工作表「驻村干部」第 5 行「开始日期」列：驻村时间必须在工作队存续期间（2019-01-01 起）。",
    ]


# -- logs ------------------------------------------------------------------------------------------------


def test_plan_revisions_check_the_year_against_the_date(base: None) -> None:
    row = ["SL-P-H001", "SL-H-01", "2019-05-20", 2020, "情况", "原因", "途径", "措施"]
    assert counts(load({"一户一策": [PLANS, row]})) == {"plans": (1, 0, 0, 0)}
    problems = refused({"一户一策": [PLANS, [*row[:2], "2019-05-21", 2021, *row[4:]]]})
    assert problems == ["工作表「一户一策」第 2 行「计划年度」列：计划年度必须与修订日期所在年度一致或为下一年度。"]


def test_duty_days_take_the_membership_of_the_day_and_short_kinds(base: None) -> None:
    sheet = [DAYS, ["SL-P-91", "2019-03-05", "住村"], ["SL-P-91", "2019-03-06", "请假", "35.84, 104.11"]]
    assert counts(load({"驻村考勤": sheet})) == {"duty_days": (1, 1, 0, 0)}
    assert set(DutyDay.objects.values_list("source", flat=True)) == {"import"}
    assert list(DutyDay.objects.order_by("date").values_list("date", "kind", "location")) == [
        (D(2019, 3, 4), "village_night", ""),
        (D(2019, 3, 5), "village_night", ""),
        (D(2019, 3, 6), "leave", "35.84, 104.11"),
    ]
    assert counts(load({"驻村考勤": sheet})) == {"duty_days": (0, 0, 2, 0)}
    problems = refused(
        {
            "驻村考勤": [
                DAYS,
                ["SL-P-01", "2019-03-05", "在村"],  # never stationed
                ["SL-P-91", "2018-12-31", "在村"],  # before stationing
                ["SL-P-91", "2019-03-07", "住村", "north"],
            ]
        }
    )
    assert problems[:2] == [
        "工作表「驻村考勤」第 2 行「日期」列：2019-03-05 李干部 没有驻村记录。",
        "工作表「驻村考勤」第 3 行「日期」列：2018-12-31 王驻村 没有驻村记录。",
    ]
    assert problems[2].startswith("工作表「驻村考勤」第 4 行「位置」列：")
    assert len(problems) == 3
    # One row per person and day: a night is a kind of duty day, so nights cannot exceed days.
    problems = refused({"驻村考勤": [DAYS, ["SL-P-91", "2019-03-07", "住村"], ["SL-P-91", "2019-03-07", "请假"]]})
    assert problems == ["工作表「驻村考勤」第 3 行：与第 2 行重复（人员编码、日期）。"]
    problems = refused({"驻村考勤": [DAYS, ["SL-P-91", "2019-03-08", "住两晚"]]})
    assert problems[0].startswith("工作表「驻村考勤」第 2 行「类别」列：应为以下之一：在村工作并住村、")


def test_training_days_and_follow_up_visits(base: None) -> None:
    report = load(
        {
            "轮训": [TRAINING, ["620123", "SL-P-91", "2019-02-20", "驻村干部轮训：产业政策"]],
            "派出单位回访": [FOLLOW, ["SL-P-91", "2019-04-28", "财政厅人事处", ""]],
        }
    )
    assert counts(report) == {"training_days": (0, 1, 0, 0), "follow_ups": (1, 0, 0, 0)}
    assert TrainingDay.objects.get(person__code="SL-P-91").topic == "驻村干部轮训：产业政策"
    assert FollowUpVisit.objects.filter(membership__person__code="SL-P-91").count() == 2
    problems = refused(
        {
            "轮训": [TRAINING, ["620123101", "SL-P-91", "2019-02-21", "轮训"]],
            "派出单位回访": [FOLLOW, ["SL-P-01", "2019-04-28", "人事处"]],
        }
    )
    assert [p.split("：")[0] for p in problems] == [
        "工作表「轮训」第 2 行「县代码」列",
        "工作表「派出单位回访」第 2 行「回访日期」列",
    ]


def test_duty_records_name_kinds_by_name_even_with_a_dunhao_and_participants_by_code(base: None) -> None:
    sheet = [
        RECORDS,
        ["2019-05-20", "省、市、县三级组长单位联席会议、县（市、区）脱贫攻坚帮扶工作推进会", "联席会", "620123", None,
         None, "SL-P-01，SL-P-90", "纪要"],
    ]  # fmt: skip
    assert counts(load({"履责记录": sheet})) == {"duty_records": (1, 0, 0, 0)}
    record = DutyRecord.objects.get(title="联席会")
    assert sorted(record.kinds.values_list("code", flat=True)) == [
        "county-promotion-meeting",
        "three-level-joint-meeting",
    ]
    assert record.participants.count() == 2
    assert counts(load({"履责记录": sheet})) == {"duty_records": (0, 0, 1, 0)}
    sheet[1][6] = "SL-P-01"
    assert counts(load({"履责记录": sheet})) == {"duty_records": (0, 1, 0, 0)}
    assert record.participants.count() == 1
    problems = refused(
        {
            "履责记录": [
                RECORDS,
                ["2019-05-21", "没有的会", "会", "620123"],
                ["2019-05-21", "省、市、县三级组长单位联席会议", "会", None, None, None, "P-NOBODY"],
                ["2019-05-22", "省、市、县三级组长单位联席会议", "会"],
            ]
        }
    )
    assert problems == [
        "工作表「履责记录」第 2 行「类别」列：履责记录类别不存在：没有的会",
        "工作表「履责记录」第 3 行「参加人员编码」列：参加人员编码不存在：P-NOBODY",
        "工作表「履责记录」第 4 行：请至少填写所涉行政区划、单位或领导中的一项。",
    ]


def test_a_refused_sheet_late_in_the_workbook_undoes_the_earlier_sheets(base: None) -> None:
    problems = refused(
        {
            "人员": [PEOPLE, ["P-NEW-01", "新干部", "科级及以下", "SL-SCZT"]],
            "驻村干部": [
                MEMBERS,
                [T, "P-NEW-01", "队员", "SL-SCZT", "2019-02-01"],
                [T, "SL-P-91", "", "SL-SCZT", "2019-01-01"],
            ],
            "驻村考勤": [DAYS, ["P-NEW-01", "2019-01-15", "在村"]],  # before the new member's start
        }
    )
    assert problems == ["工作表「驻村考勤」第 2 行「日期」列：2019-01-15 新干部 没有驻村记录。"]


# -- every bad-input case of the issue, through the import: a clear problem, and nothing written ---------

HH = ["户编码", "户主姓名", "所在村代码", "家庭人口", "状态", "脱贫年度"]
GOOD_HH = ["H-NEW-1", "新户", "620123199201", 3]


def _workbook(**kwargs: Any) -> bytes:
    return xlsx({"帮扶户": [HH, GOOD_HH], **kwargs.pop("sheets", {})}, **kwargs)


BAD_INPUT = {
    "wrong header": (
        xlsx({"帮扶户": [["户编码", "户主", "所在村代码", "家庭人口"], GOOD_HH]}),
        "「户主」列：未知的列标题",
    ),
    "missing header": (xlsx({"帮扶户": [HH[:3], GOOD_HH[:3]]}), "「家庭人口」列：缺少这一列。"),
    "extra sheet": (_workbook(sheets={"Sheet1": [["x"]]}), "工作表「Sheet1」：多余的工作表"),
    "merged cells": (
        xlsx({"帮扶户": [HH, GOOD_HH, ["H-NEW-2", "二户", "620123199201", 3]]}, merge=("帮扶户", "C2:C3")),
        "含合并单元格（C2:C3）",
    ),
    "formula": (xlsx({"帮扶户": [HH, ["H-NEW-1", "新户", "620123199201", "=1+2"]]}), "「家庭人口」列：含公式"),
    "date as text": (
        _workbook(
            sheets={"结对帮扶": [["帮扶责任人编码", "户编码", "开始日期"], ["SL-P-H001", "H-NEW-1", "三月一日"]]}
        ),
        "「开始日期」列：不是有效日期",
    ),
    "impossible date": (
        _workbook(
            sheets={"结对帮扶": [["帮扶责任人编码", "户编码", "开始日期"], ["SL-P-H001", "H-NEW-1", "2019-02-30"]]}
        ),
        "不是有效日期（应为日期格式，或如 2019-03-31）：2019-02-30",
    ),
    "duplicate codes": (xlsx({"帮扶户": [HH, GOOD_HH, GOOD_HH]}), "第 3 行：与第 2 行重复（户编码）。"),
    "unknown reference": (
        xlsx({"帮扶户": [HH, ["H-NEW-1", "新户", "620123109999", 3]]}),
        "所在村代码不存在：620123109999",
    ),
    "negative members": (
        xlsx({"帮扶户": [HH, ["H-NEW-1", "新户", "620123199201", -2]]}),
        "「家庭人口」列：不能小于 1：-2",
    ),
    "nights beyond days": (
        _workbook(sheets={"驻村考勤": [DAYS, ["SL-P-91", "2019-03-11", "住村"], ["SL-P-91", "2019-03-11", "在村"]]}),
        "第 3 行：与第 2 行重复（人员编码、日期）。",
    ),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel（.xls）"),
    "csv": ("户编码,户主姓名\nH001,张三\n".encode(), "不是 Excel（.xlsx）文件"),
    "empty": (b"", "文件为空。"),
    "corrupt": (b"PK\x03\x04" + b"\0" * 200, "文件已损坏"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_refused_with_a_clear_problem_and_nothing_written(base: None, case: str) -> None:
    content, expected = BAD_INPUT[case]
    before = everything()
    report = roster_import(content, file_name="bad.xlsx", dry_run=False, as_of=AS_OF)
    assert not report.saved and report.record.outcome == "refused"
    assert any(expected in str(p) for p in report.problems), [str(p) for p in report.problems]
    assert everything() == before


def test_a_file_too_large_is_refused(base: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rosters.workbook.MAX_BYTES", 1000)
    before = everything()
    report = roster_import(_workbook(), file_name="big.xlsx", dry_run=False)
    assert [str(p) for p in report.problems] == ["文件过大：最大 0 MB。"]
    assert everything() == before


def test_an_import_is_kept_in_each_record_history_with_who_and_the_values_before(
    base: None, django_user_model: Any
) -> None:
    admin = django_user_model.objects.create_superuser("importer", password="pw-Test-2019")
    posts = xlsx({"任职": [POSTS, ["SL-P-01", "帮扶工作联络员", "SL-SCZT", None, "2019-01-01", "2019-05-31"]]})
    members = xlsx({"驻村干部": [MEMBERS, [T, "SL-P-91", "第一书记兼队长", "SL-SCZT", "2019-01-01"]]})
    roster_import(posts, file_name="posts.xlsx", dry_run=False, as_of=AS_OF, user=admin)
    roster_import(members, file_name="members.xlsx", dry_run=False, as_of=D(2019, 4, 30), user=admin)
    post = Post.objects.get(person__code="SL-P-01")
    latest, previous = post.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.history_user, latest.history_change_reason, latest.end) == (
        "~",
        admin,
        "花名册导入：posts.xlsx",
        D(2019, 5, 31),
    )
    assert (previous.history_type, previous.history_change_reason, previous.end) == (
        "+",
        "花名册导入：template.xlsx",
        None,
    )
    ended = Membership.objects.get(person__code="SL-P-D01").history.order_by("-history_id").first()
    assert (ended.history_type, ended.history_user, ended.end) == ("~", admin, D(2019, 4, 30))
    record = DutyRecord.objects.get(title="党组会研究部署帮扶工作").history.order_by("history_id").first()
    assert (record.history_type, record.history_change_reason) == ("+", "花名册导入：template.xlsx")
    assert Place.objects.get(code="620123199201").history.get().history_change_reason == "花名册导入：template.xlsx"

"""Importing households and pairings: all or nothing, idempotent, removed pairings ended (issue 9)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from households.models import Household, Pairing
from rosters.models import RosterImport
from rosters.services import roster_import
from tests.factories import PersonFactory
from tests.rosters.test_workbook import HH, PAIR, xlsx
from tiers.models import Place

pytestmark = pytest.mark.django_db
D = datetime.date
V1, V2 = "620123101201", "620123101202"


def snapshot() -> list[tuple]:
    households = list(Household.objects.order_by("code").values_list("code", "head_name", "village__code", "members"))
    pairings = list(Pairing.objects.order_by("pk").values_list("helper__code", "household__code", "start", "end"))
    return households + pairings


@pytest.fixture
def roster(place_tree: Any) -> bytes:
    PersonFactory(code="P1")
    PersonFactory(code="P2")
    return xlsx(
        {
            "帮扶户": [HH, ["H1", "张三", V1, 4], ["H2", "李四", V2, 3, "已脱贫", 2019]],
            "结对帮扶": [PAIR, ["P1", "H1", "2019-01-01"], ["P2", "H2", D(2019, 1, 1), "2019-12-31"]],
        }
    )


def test_a_preview_counts_and_writes_nothing(roster: bytes) -> None:
    report = roster_import(roster, file_name="名册.xlsx", dry_run=True)
    assert report.problems == []
    assert {k: (c.new, c.changed, c.unchanged) for k, c in report.counts.items()} == {
        "households": (2, 0, 0),
        "pairings": (2, 0, 0),  # pairings of households the same workbook adds
    }
    assert snapshot() == []
    assert report.record.outcome == "previewed" and len(report.record.sha256) == 64


def test_an_import_writes_and_the_same_file_again_changes_nothing(roster: bytes) -> None:
    assert roster_import(roster, file_name="名册.xlsx", dry_run=False).saved
    before = snapshot()
    assert before == [
        ("H1", "张三", V1, 4),
        ("H2", "李四", V2, 3),
        ("P1", "H1", D(2019, 1, 1), None),
        ("P2", "H2", D(2019, 1, 1), D(2019, 12, 31)),
    ]
    again = roster_import(roster, file_name="名册.xlsx", dry_run=False)
    assert {k: (c.new, c.changed, c.unchanged, c.ended) for k, c in again.counts.items()} == {
        "households": (0, 0, 2, 0),
        "pairings": (0, 0, 2, 0),
    }
    assert snapshot() == before


def test_a_changed_row_is_updated_and_a_removed_pairing_is_ended_not_deleted(roster: bytes) -> None:
    roster_import(roster, file_name="v1.xlsx", dry_run=False)
    PersonFactory(code="P3")
    second = xlsx(
        {
            "帮扶户": [HH, ["H1", "张三", V1, 5]],
            "结对帮扶": [PAIR, ["P3", "H1", "2020-03-01"]],
        }
    )
    report = roster_import(second, file_name="v2.xlsx", dry_run=False, as_of=D(2020, 2, 29))
    assert report.problems == []
    assert (report.counts["households"].changed, report.counts["pairings"].new) == (1, 1)
    assert report.counts["pairings"].ended == 1
    assert list(Pairing.objects.filter(household__code="H1").order_by("start").values_list("helper__code", "end")) == [
        ("P1", D(2020, 2, 29)),
        ("P3", None),
    ]
    assert Pairing.objects.get(household__code="H2").end == D(2019, 12, 31)  # H2 not in the roster: untouched


def test_any_error_saves_nothing_and_names_sheet_row_and_column(roster: bytes) -> None:
    bad = xlsx(
        {
            "帮扶户": [HH, ["H1", "张三", V1, 4], ["H9", "王五", "620999999999", 2]],
            "结对帮扶": [
                PAIR,
                ["P1", "H1", "2019-01-01"],
                ["PX", "H1", "2019-01-01"],
                ["P1", "H1", "2019-05-01", "2019-04-01"],
            ],
        }
    )
    report = roster_import(bad, file_name="bad.xlsx", dry_run=False)
    assert [str(p) for p in report.problems] == [
        "工作表「帮扶户」第 3 行「所在村代码」列：所在村代码不存在：620999999999",
        "工作表「结对帮扶」第 3 行「帮扶责任人编码」列：帮扶责任人编码不存在：PX",
        "工作表「结对帮扶」第 4 行「结束日期」列：结束日期不能早于开始日期。",
    ]
    assert snapshot() == [] and report.record.outcome == "refused"


def test_the_command_previews_imports_and_refuses(roster: bytes, tmp_path: Any) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster)
    call_command("import_roster", str(path), "--dry-run")
    assert snapshot() == []
    call_command("import_roster", str(path))
    assert Household.objects.count() == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_roster", str(broken))
    assert RosterImport.objects.values_list("outcome", flat=True).count() == 3


def test_an_empty_optional_cell_keeps_what_is_recorded(roster: bytes) -> None:
    roster_import(roster, file_name="v1.xlsx", dry_run=False)
    again = xlsx({"帮扶户": [HH, ["H2", "李四", V2, 3]]})  # 状态 and 脱贫年度 left empty
    report = roster_import(again, file_name="v2.xlsx", dry_run=False)
    assert report.problems == []
    assert report.counts["households"].unchanged == 1
    assert Household.objects.filter(code="H2").values_list("status", "exit_year").get() == ("lifted", 2019)
    # 未脱贫 has no exit year: stating it with an empty 脱贫年度 clears the recorded one.
    back = xlsx({"帮扶户": [HH, ["H2", "李四", V2, 3, "未脱贫"]]})
    assert roster_import(back, file_name="v3.xlsx", dry_run=False).problems == []
    assert Household.objects.filter(code="H2").values_list("status", "exit_year").get() == ("poor", None)


def test_the_template_imports_whole_every_kind(place_tree: Any) -> None:
    from rosters.kinds import SPECS
    from rosters.template import EXAMPLES, roster_template
    from tiers.models import DutyRecord, Person, Unit
    from villagecorps.models import DutyDay, Membership

    report = roster_import(roster_template(), file_name="roster-template.xlsx", dry_run=False, as_of=D(2019, 6, 1))
    assert report.problems == []
    assert {k: c.new for k, c in report.counts.items()} == {s.kind: len(EXAMPLES[s.kind]) for s in SPECS}
    person = Person.objects.select_related("unit__place").get(code="SL-P-H001")
    assert (person.unit.code, person.unit.place.code, person.rank, person.title) == (
        "SL-X620123",
        "620123",
        "section",
        "科员",
    )
    assert Unit.objects.get(code="SL-SCZT").kind == "provincial_organ"
    assert Pairing.objects.filter(helper=person).count() == 2
    village = Place.objects.get(code="620123199201")
    township = Place.objects.get_parent(village)
    assert (village.level, township.code, Place.objects.get_parent(township).code) == (
        "village",
        "620123199",
        "620123",
    )
    assert Membership.objects.filter(team__code="620123199201-20190101").count() == 2
    assert list(DutyDay.objects.values_list("kind", "source", "membership__team__code")) == [
        ("trip", "import", "620123199201-20190101"),
        ("village_night", "import", "620123199201-20190101"),
    ]
    record = DutyRecord.objects.get(title="党组会研究部署帮扶工作")
    assert sorted(record.participants.values_list("code", flat=True)) == ["SL-P-01", "SL-P-90"]
    assert list(record.kinds.values_list("code", flat=True)) == ["party-committee-study"]
    again = roster_import(roster_template(), file_name="roster-template.xlsx", dry_run=False, as_of=D(2019, 6, 1))
    assert again.problems == []
    assert {(c.new, c.changed, c.ended) for c in again.counts.values()} == {(0, 0, 0)}


def test_model_checks_name_the_column(place_tree: Any) -> None:
    people = ["人员编码", "姓名", "职级", "所在单位编码", "职务名称", "联系电话"]
    units = ["单位编码", "单位名称", "单位类别", "所属区划代码"]
    bad = xlsx(
        {
            "单位": [units, ["U1", "某局", "县（市、区）单位", "620123"], ["U2", "某委", "省直部门", "629999"]],
            "人员": [people, ["p-lower", "张三", "处级", "U1"], ["P2", "李四", "处级", "U1", "", "电话号码"]],
        }
    )
    problems = [str(p) for p in roster_import(bad, file_name="bad.xlsx", dry_run=False).problems]
    assert problems[0] == "工作表「单位」第 3 行「所属区划代码」列：区划代码不存在：629999"
    assert problems[1].startswith("工作表「人员」第 2 行「人员编码」列：")
    assert problems[2].startswith("工作表「人员」第 3 行「联系电话」列：")
    assert len(problems) == 3
    assert snapshot() == []


VISITS = ["帮扶责任人编码", "户编码", "走访日期", "产业", "就业", "教育", "医疗", "住房", "饮水", "发现的问题"]


def test_visits_are_logged_for_pairings_in_force_by_the_importing_user(
    roster: bytes, django_user_model: Any, today_is: Any
) -> None:
    from households.models import Visit
    from tiers.models import Person

    today_is(D(2020, 1, 20))
    roster_import(roster, file_name="v1.xlsx", dry_run=False)
    clerk = django_user_model.objects.create_user("clerk", password="pw-Test-2019")
    visits = xlsx(
        {
            "入户走访": [
                VISITS,
                ["P1", "H1", "2019-03-12", "种植中药材"],
                ["P2", "H2", "2019-06-05", "", "外出务工"],
                ["P1", "H2", "2019-06-06", "走错户"],  # P1 is not H2's helper
                ["P2", "H2", "2020-06-06"],  # after today
            ]
        }
    )
    report = roster_import(visits, file_name="visits.xlsx", user=clerk, dry_run=False)
    p1 = Person.objects.get(code="P1").name
    assert [str(p) for p in report.problems] == [
        f"工作表「入户走访」第 4 行「走访日期」列：2019-06-06 {p1} 与该户不在结对期内。",
        "工作表「入户走访」第 5 行「走访日期」列：日期不能晚于今天（2020-01-20）。",
    ]
    assert Visit.objects.count() == 0  # all or nothing

    good = xlsx(
        {"入户走访": [VISITS, ["P1", "H1", "2019-03-12", "种植中药材"], ["P2", "H2", "2019-06-05", "", "外出务工"]]}
    )
    assert roster_import(good, file_name="visits.xlsx", user=clerk, dry_run=False).saved
    assert list(Visit.objects.order_by("date").values_list("helper__code", "industry", "employment", "entered_by")) == [
        ("P1", "种植中药材", "", clerk.pk),
        ("P2", "", "外出务工", clerk.pk),
    ]
    again = roster_import(good, file_name="visits.xlsx", user=clerk, dry_run=False)
    assert again.counts["visits"].unchanged == 2


def test_a_batch_the_database_refuses_is_a_problem_and_nothing_is_saved(
    roster: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError
    from django.db.models.query import QuerySet

    def refuse(self: Any, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if self.model is Pairing:
            raise IntegrityError("pairing refused")
        return original(self, objs, *args, **kwargs)

    original = QuerySet.bulk_create
    monkeypatch.setattr(QuerySet, "bulk_create", refuse)
    report = roster_import(roster, file_name="名册.xlsx", dry_run=False)
    assert [str(p) for p in report.problems] == ["工作表「结对帮扶」：写入数据库失败：pairing refused"]
    assert report.record.outcome == "refused" and snapshot() == []  # the households written before: rolled back


def test_deeds_are_matched_on_day_and_description(roster: bytes, today_is: Any) -> None:
    from households.models import Deed

    today_is(D(2020, 1, 20))
    roster_import(roster, file_name="v1.xlsx", dry_run=False)
    head = ["帮扶责任人编码", "户编码", "日期", "办理的实事好事"]
    deeds = xlsx({"实事好事": [head, ["P1", "H1", "2019-04-02", "送种苗"], ["P1", "H1", "2019-04-02", "修水渠"]]})
    first = roster_import(deeds, file_name="deeds.xlsx", dry_run=False)
    assert first.problems == [] and first.counts["deeds"].new == 2  # two deeds the same day
    again = roster_import(deeds, file_name="deeds.xlsx", dry_run=False)
    assert again.counts["deeds"].unchanged == 2 and Deed.objects.count() == 2
    late = xlsx({"实事好事": [head, ["P2", "H1", "2019-04-02", "不是他的帮扶户"]]})
    assert "与该户不在结对期内" in str(roster_import(late, file_name="late.xlsx", dry_run=False).problems[0])

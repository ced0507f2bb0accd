"""Reading a roster workbook: every kind of bad input gets a clear problem naming sheet, row and column."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from openpyxl import Workbook

from rosters.kinds import SPECS
from rosters.workbook import parse_date, read_workbook

HH = ["户编码", "户主姓名", "所在村代码", "家庭人口", "状态", "脱贫年度"]
PAIR = ["帮扶责任人编码", "户编码", "开始日期", "结束日期"]


def xlsx(sheets: dict[str, list[list[Any]]], *, merge: tuple[str, str] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if merge:
        workbook[merge[0]].merge_cells(merge[1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(content: bytes) -> list[str]:
    return [str(p) for p in read_workbook(content, SPECS)[1]]


def test_a_good_workbook_gives_typed_rows() -> None:
    content = xlsx(
        {
            "帮扶户": [
                HH,
                ["H001", "张三", "620123101201", 4, "已脱贫", 2019],
                ["H002", "李四", 620123101201, "3", "", ""],
            ],
            "结对帮扶": [
                PAIR,
                ["P001", "H001", datetime.datetime(2019, 1, 1), None],
                ["P001", "H002", 43466, "2019年12月31日"],
            ],
        }
    )
    sheets, problems = read_workbook(content, SPECS)
    assert problems == []
    village = "620123101201"
    assert sheets["households"].rows == [
        (
            2,
            {
                "code": "H001",
                "head_name": "张三",
                "village": village,
                "members": 4,
                "status": "lifted",
                "exit_year": 2019,
            },
        ),
        (3, {"code": "H002", "head_name": "李四", "village": village, "members": 3, "status": None, "exit_year": None}),
    ]
    assert [values for _, values in sheets["pairings"].rows] == [
        {"helper": "P001", "household": "H001", "start": datetime.date(2019, 1, 1), "end": None},
        {"helper": "P001", "household": "H002", "start": datetime.date(2019, 1, 1), "end": datetime.date(2019, 12, 31)},
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "文件为空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel（.xls）"),
        ("户编码,户主姓名\nH001,张三\n".encode(), "不是 Excel（.xlsx）文件"),
        (b"PK\x03\x04garbage", "文件已损坏"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(content: bytes, expected: str) -> None:
    (problem,) = problems_of(content)
    assert expected in problem


def test_a_file_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rosters.workbook.MAX_BYTES", 1000)
    (problem,) = problems_of(xlsx({"帮扶户": [HH] + [[f"H{i}", "张三", "620123101201", 4] for i in range(200)]}))
    assert "文件过大" in problem


def test_headers_missing_unknown_or_repeated_name_the_column() -> None:
    problems = problems_of(
        xlsx({"帮扶户": [["户编码", "户主", "所在村代码", "家庭人口", "户编码"], ["H1", "x", "6201", 1, "H1"]]})
    )
    assert "工作表「帮扶户」第 1 行「户主」列：未知的列标题（请使用模板中的标题）。" in problems
    assert "工作表「帮扶户」第 1 行「户编码」列：列标题重复。" in problems
    assert "工作表「帮扶户」第 1 行「户主姓名」列：缺少这一列。" in problems


def test_extra_sheets_and_merged_cells_are_refused() -> None:
    problems = problems_of(xlsx({"帮扶户": [HH, ["H1", "张三", "6201", 4]], "Sheet1": [["x"]]}))
    assert problems == [
        "工作表「Sheet1」：多余的工作表：只能是 行政区划、单位、人员、任职、省级联系领导、组长单位、牵头单位、"
        "帮扶单位、驻村工作队、驻村干部、帮扶户、结对帮扶、入户走访、实事好事、一户一策、驻村考勤、轮训、派出单位回访、履责记录（或“说明”）。"
    ]
    problems = problems_of(
        xlsx({"帮扶户": [HH, ["H1", "张三", "6201", 4], ["H2", "李四", "6201", 4]]}, merge=("帮扶户", "C2:C3"))
    )
    assert problems == ["工作表「帮扶户」：含合并单元格（C2:C3）：请取消合并。"]


def test_bad_values_name_the_row_and_the_column() -> None:
    rows = [
        HH,
        ["H1", "张三", "620123101201", "=2+2"],  # a formula
        ["H2", "", "620123101201", 4],  # missing
        ["H3", "王五", "620123101201", -1],  # out of range
        ["H4", "赵六", "620123101201", "四"],  # not a number
        ["H 5", "钱七", "620123101201", 4],  # a code with a space
        ["H6", "孙八", "620123101201", 4, "富裕"],  # not a choice
        ["H1", "周九", "620123101201", 4],  # repeats row 2's code (row 2 itself failed, so this one stands)
        ["H7", "吴十", "620123101201", 4],
        ["H7", "郑一", "620123101201", 4],  # repeats row 9
    ]
    pairs = [PAIR, ["P1", "H1", "2019-02-30"], ["P1", "H1", "2019/13/01"], ["P1", "H1", "明年"], ["P1", "H1", 2958466]]
    problems = problems_of(xlsx({"帮扶户": rows, "结对帮扶": pairs}))
    assert problems == [
        "工作表「帮扶户」第 2 行「家庭人口」列：含公式：请复制后“粘贴为数值”。",
        "工作表「帮扶户」第 3 行「户主姓名」列：不能为空。",
        "工作表「帮扶户」第 4 行「家庭人口」列：不能小于 1：-1",
        "工作表「帮扶户」第 5 行「家庭人口」列：应为整数：四",
        "工作表「帮扶户」第 6 行「户编码」列：编码只能含字母、数字、下划线和连字符：H 5",
        "工作表「帮扶户」第 7 行「状态」列：应为以下之一："
        "未脱贫、已脱贫、监测户（有返贫风险）、poor、lifted、monitored",
        "工作表「帮扶户」第 10 行：与第 9 行重复（户编码）。",
        "工作表「结对帮扶」第 2 行「开始日期」列：不是有效日期（应为日期格式，或如 2019-03-31）：2019-02-30",
        "工作表「结对帮扶」第 3 行「开始日期」列：不是有效日期（应为日期格式，或如 2019-03-31）：2019/13/01",
        "工作表「结对帮扶」第 4 行「开始日期」列：不是有效日期（应为日期格式，或如 2019-03-31）：明年",
        "工作表「结对帮扶」第 5 行「开始日期」列：不是有效日期（应为日期格式，或如 2019-03-31）：2958466",
    ]


def test_dates_as_dates_serial_numbers_or_text() -> None:
    day = datetime.date(2019, 3, 31)
    for value in (
        datetime.datetime(2019, 3, 31),
        day,
        43555,
        43555.0,
        "2019-03-31",
        "2019/3/31",
        "2019年3月31日",
        "2019-03-31 00:00:00",
    ):
        assert parse_date(value) == day, value
    for value in ("2019-02-29", "31/03/2019", True, 0, ""):
        with pytest.raises(ValueError):
            parse_date(value)


def test_a_workbook_without_a_known_sheet_says_which_names_are_expected() -> None:
    (problem,) = problems_of(xlsx({"说明": [["填写说明"]]}))
    assert problem.startswith("没有可导入的工作表：工作表名称应为 行政区划、单位、人员、任职、")
    assert problem.endswith("、派出单位回访、履责记录。")


def test_specs_are_in_import_order() -> None:
    """A sheet comes after every sheet whose rows it may name."""
    order = [spec.kind for spec in SPECS]
    for earlier, later in [("places", "units"), ("units", "people"), ("people", "posts"), ("teams", "memberships"),
                           ("memberships", "duty_days"), ("households", "pairings"), ("pairings", "visits"),
                           ("pairings", "plans"), ("memberships", "follow_ups")]:  # fmt: skip
        assert order.index(earlier) < order.index(later)


def test_the_template_reads_back_without_a_problem(db: None) -> None:
    from rosters.template import EXAMPLES, roster_template

    sheets, problems = read_workbook(roster_template(), SPECS)
    assert problems == []
    assert {s.kind: len(sheets[s.kind].rows) for s in SPECS} == {kind: len(rows) for kind, rows in EXAMPLES.items()}
    assert len(EXAMPLES) == len(SPECS)


@pytest.mark.django_db
def test_the_template_downloads_for_administrators_only(client: Any, django_user_model: Any) -> None:
    client.force_login(django_user_model.objects.create_user("nobody", password="pw-Test-2019"))
    assert client.get("/rosters/template.xlsx").status_code == 403
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-Test-2019"))
    response = client.get("/rosters/template.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "/rosters/template.xlsx" in client.get("/admin/rosters/rosterimport/").content.decode()

"""Importing duty days from .xlsx and .csv files: formats, every problem reported by row, all or nothing,
and ``manage.py import_duty_days``."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tests import factories
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from villagecorps import importing
from villagecorps.choices import DayKind, DaySource
from villagecorps.importing import import_attendance, parse_attendance
from villagecorps.messages import Msg
from villagecorps.models import DutyDay
from villagecorps.services import ImportRow

pytestmark = pytest.mark.django_db

D = datetime.date
CN_HEADER = ["人员编码", "日期", "类别", "位置"]
KIND_LABELS = "在村工作并住村、在村工作未住村、因公出差、会议、培训、请假、其他"


def xlsx(rows: list[list[Any]]) -> bytes:
    """An .xlsx workbook with ``rows`` on its first sheet, built in memory."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    """A .csv file as Excel writes it (quoting fields with commas, CRLF line ends), in ``encoding``."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def row_msg(row: int, field: str, reason: Any) -> str:
    return Msg.IMPORT_ROW % {"row": row, "field": field, "reason": str(reason)}


def failed(count: int) -> str:
    return Msg.IMPORT_FAILED % {"count": count}


def problems(call: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.messages


@pytest.fixture
def w(place_tree, user_with_role) -> dict[str, Any]:
    """Two cadres stationed in village 620122101201 from 2019; a clerk of its township; a clerk elsewhere."""
    team = TeamFactory(village=place_tree["620122101201"], start=D(2019, 1, 1))
    a = MembershipFactory(team=team, person=factories.PersonFactory(code="GS0001", name="张三"))
    b = MembershipFactory(team=team, person=factories.PersonFactory(code="GS0002", name="李四"))
    return {
        "a": a.person,
        "b": b.person,
        "clerk": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], username="clerk", password=None),
        "outsider": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620123101"], password=None),
    }


def saved() -> list[tuple[str, D, str, str]]:
    return [(d.person.code, d.date, d.kind, d.location) for d in DutyDay.objects.order_by("date", "person__code")]


# --- good files ------------------------------------------------------------------------------------------


def test_xlsx_with_excel_dates_text_dates_and_every_way_of_writing_a_kind(w):
    content = xlsx(
        [
            CN_HEADER,
            ["GS0001", datetime.datetime(2019, 7, 29), "在村工作并住村", "35.84,104.11"],
            ["GS0001", "2019-07-30", "village", None],
            ["gs0001", "2019/7/31", "出差", None],
            [None, None, None, None],  # a blank row is skipped (and still numbered)
            ["GS0002", "2019年8月1日", "住村", ""],
            ["GS0002", D(2019, 8, 2), "请假", None],
            ["GS0002", 43680, "会议", None],  # an Excel serial number: 2019-08-03
        ]
    )

    rows = parse_attendance(file_name="考勤.xlsx", content=content)
    assert rows[0] == ImportRow(
        row=2, person_code="GS0001", day=D(2019, 7, 29), kind="village_night", location="35.84,104.11"
    )
    assert [(r.row, r.person_code, r.day, r.kind) for r in rows[1:]] == [
        (3, "GS0001", D(2019, 7, 30), DayKind.IN_VILLAGE),
        (4, "GS0001", D(2019, 7, 31), DayKind.OFFICIAL_TRIP),
        (6, "GS0002", D(2019, 8, 1), DayKind.IN_VILLAGE_NIGHT),
        (7, "GS0002", D(2019, 8, 2), DayKind.LEAVE),
        (8, "GS0002", D(2019, 8, 3), DayKind.MEETING),
    ]

    assert import_attendance(user=w["clerk"], file_name="考勤.xlsx", content=content) == 6
    assert len(saved()) == 6
    day = DutyDay.objects.get(person=w["a"], date=D(2019, 7, 29))
    assert (day.source, day.recorded_by, day.location) == (DaySource.IMPORT, w["clerk"], "35.84,104.11")


def test_csv_utf8_with_bom_and_english_headers(w):
    content = csv_bytes(
        [
            ["date", "Person_Code", "kind", "name"],  # any order; other columns are ignored
            ["2019-03-01", "GS0001", "training", "张三"],
            ["2019-03-02", "GS0001", "培训", "张三"],
            ["2019/3/2 0:00", "GS0002", "其他", "李四"],
        ]
    )
    assert content.startswith(b"\xef\xbb\xbf")

    assert import_attendance(user=w["clerk"], file_name="days.CSV", content=content) == 3
    assert saved() == [
        ("GS0001", D(2019, 3, 1), "training", ""),
        ("GS0001", D(2019, 3, 2), "training", ""),
        ("GS0002", D(2019, 3, 2), "other", ""),
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_csv_as_chinese_excel_writes_it(w, encoding):
    content = csv_bytes([CN_HEADER, ["GS0002", "2019年5月4日", "在村工作未住村", "35.5,104.2"]], encoding=encoding)

    assert import_attendance(user=w["clerk"], file_name="考勤.csv", content=content) == 1
    assert saved() == [("GS0002", D(2019, 5, 4), "village", "35.5,104.2")]


def test_importing_the_same_day_again_replaces_it(w):
    first = csv_bytes([CN_HEADER, ["GS0001", "2019-05-04", "住村", ""]])
    again = csv_bytes([CN_HEADER, ["GS0001", "2019-05-04", "请假", ""]])
    import_attendance(user=w["clerk"], file_name="a.csv", content=first)
    import_attendance(user=w["clerk"], file_name="b.csv", content=again)

    assert saved() == [("GS0001", D(2019, 5, 4), "leave", "")]
    assert DutyDay.history.count() == 2


# --- bad rows: every problem, by row, nothing saved ----------------------------------------------------------


def test_three_bad_rows_are_all_reported_and_nothing_is_saved(w):
    content = xlsx(
        [
            CN_HEADER,
            ["GS0001", "2019-07-01", "住村", None],
            ["GS9999", "2019-07-01", "住村", None],
            ["GS0002", "2019-07-32", "住村", None],
            ["GS0002", "2019-07-03", "休息", None],
            ["GS0002", "2019-07-04", "在村", None],
        ]
    )

    assert problems(import_attendance, user=w["clerk"], file_name="考勤.xlsx", content=content) == [
        failed(3),
        row_msg(3, "人员编码", "找不到人员编码 GS9999。"),
        row_msg(4, "日期", "日期“2019-07-32”无效，应为 2019-07-31 这样的格式。"),
        row_msg(5, "类别", f"类别“休息”无效，应为：{KIND_LABELS}。"),
    ]
    assert saved() == []


def test_parse_reports_what_it_can_see_without_the_database(w):
    content = csv_bytes(
        [
            CN_HEADER,
            ["GS9999", "2019-07-01", "住村", ""],
            ["", "31/07/2019", "", ""],
            ["GS0001", "", "假", ""],
        ]
    )

    assert problems(parse_attendance, file_name="a.csv", content=content) == [
        failed(2),
        row_msg(3, "人员编码", "不能为空。"),
        row_msg(3, "日期", "日期“31/07/2019”无效，应为 2019-07-31 这样的格式。"),
        row_msg(3, "类别", "不能为空。"),
        row_msg(4, "日期", "不能为空。"),
        row_msg(4, "类别", f"类别“假”无效，应为：{KIND_LABELS}。"),
    ]


def test_refusals_of_the_services_are_numbered_too(w):
    """Not stationed that day, out of the user's scope, a bad location: by row and field, in row order."""
    content = csv_bytes(
        [
            CN_HEADER,
            ["GS0001", "2018-12-31", "住村", ""],
            ["GS0001", "2019-01-02", "住村", "here"],
            ["GS0002", "2019-01-02", "住村", ""],
        ]
    )

    assert problems(import_attendance, user=w["clerk"], file_name="a.csv", content=content) == [
        failed(2),
        row_msg(2, "日期", Msg.NOT_STATIONED % {"date": "2018-12-31", "person": "张三"}),
        row_msg(3, "位置", Msg.LOCATION_FORMAT),
    ]
    # Someone outside the scope learns nothing of these people (issue 17: "许超 没有驻村记录" named anyone):
    # their codes are answered as unknown codes.
    outside = problems(import_attendance, user=w["outsider"], file_name="a.csv", content=content)
    assert outside[-3:] == [
        row_msg(2, "人员编码", Msg.UNKNOWN_PERSON % {"code": "GS0001"}),
        row_msg(3, "人员编码", Msg.UNKNOWN_PERSON % {"code": "GS0001"}),
        row_msg(4, "人员编码", Msg.UNKNOWN_PERSON % {"code": "GS0002"}),
    ]
    assert not any("张三" in str(problem) for problem in outside)
    assert saved() == []


def test_duplicate_rows_are_reported(w):
    content = csv_bytes(
        [
            CN_HEADER,
            ["GS0001", "2019-07-01", "住村", ""],
            ["GS0002", "2019-07-01", "住村", ""],
            ["GS0001", "2019/7/1", "在村", ""],  # the same person and day written another way
            ["GS0001", "2019年7月1日", "请假", ""],
        ]
    )

    assert problems(import_attendance, user=w["clerk"], file_name="a.csv", content=content) == [
        failed(2),
        row_msg(4, "整行", "与第 2 行重复（同一人同一天）。"),
        row_msg(5, "整行", "与第 2 行重复（同一人同一天）。"),
    ]
    assert saved() == []


# --- bad files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [["编码", "日期", "类别"], ["人员编码", "日期"], ["person", "date", "kind"], ["GS0001", "2019-07-01", "住村"]],
)
def test_wrong_header(w, header):
    for name, content in (("a.xlsx", xlsx([header, ["GS0001", "2019-07-01", "住村"]])), ("a.csv", csv_bytes([header]))):
        assert problems(import_attendance, user=w["clerk"], file_name=name, content=content) == [Msg.IMPORT_HEADER]


def test_no_rows(w):
    assert problems(parse_attendance, file_name="a.csv", content=b"") == [Msg.IMPORT_HEADER]
    assert problems(parse_attendance, file_name="a.xlsx", content=xlsx([])) == [Msg.IMPORT_HEADER]
    assert problems(parse_attendance, file_name="a.csv", content=csv_bytes([CN_HEADER, ["", "", "", ""]])) == [
        Msg.IMPORT_EMPTY
    ]
    assert problems(parse_attendance, file_name="a.xlsx", content=xlsx([CN_HEADER])) == [Msg.IMPORT_EMPTY]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("考勤.xls", xlsx([CN_HEADER])),
        ("考勤.txt", csv_bytes([CN_HEADER])),
        ("考勤", csv_bytes([CN_HEADER])),
        ("考勤.xlsx", csv_bytes([CN_HEADER])),  # renamed, not converted
        ("考勤.csv", xlsx([CN_HEADER])),
        ("考勤.xlsx", b"PK\x03\x04 not really a zip"),
        ("考勤.csv", "人员编码\x00日期".encode("utf-16-le")),
    ],
)
def test_not_xlsx_or_csv(w, name, content):
    assert problems(import_attendance, user=w["clerk"], file_name=name, content=content) == [Msg.IMPORT_FORMAT]


def test_a_huge_file_is_refused_before_it_is_read(w):
    content = csv_bytes([CN_HEADER]) + b"\r\n" + b"GS0001,2019-07-01,\xe4\xbd\x8f\xe6\x9d\x91,\r\n" * 200_000
    assert len(content) > importing.MAX_BYTES

    assert problems(parse_attendance, file_name="a.csv", content=content) == [
        "文件过大：最大 5 MB，请分成几个文件导入。"
    ]


def test_too_many_rows(w, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    rows = [CN_HEADER] + [["GS0001", f"2019-07-0{day}", "住村", ""] for day in (1, 2, 3)]

    assert problems(parse_attendance, file_name="a.xlsx", content=xlsx(rows)) == [
        "数据行过多：最多 2 行，请分成几个文件导入。"
    ]
    assert len(parse_attendance(file_name="a.xlsx", content=xlsx(rows[:3]))) == 2


# --- manage.py import_duty_days -----------------------------------------------------------------------------


def test_command_imports_and_prints_the_count(w, tmp_path):
    path = tmp_path / "考勤.xlsx"
    path.write_bytes(xlsx([CN_HEADER, ["GS0001", "2019-07-01", "住村"], ["GS0002", "2019-07-01", "在村"]]))
    out = io.StringIO()

    call_command("import_duty_days", str(path), "--user", "clerk", stdout=out)

    assert "已导入 2 条驻村考勤。" in out.getvalue()
    assert len(saved()) == 2


def test_command_prints_every_error_and_fails(w, tmp_path):
    path = tmp_path / "考勤.csv"
    path.write_bytes(
        csv_bytes([CN_HEADER, ["GS9999", "2019-07-01", "住村", ""], ["GS0001", "2019-07-32", "住村", ""]], "gb18030")
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("import_duty_days", str(path), "--user", "clerk", stderr=err)

    assert str(exc.value) == failed(2)
    assert err.getvalue().splitlines() == [
        row_msg(2, "人员编码", "找不到人员编码 GS9999。"),
        row_msg(3, "日期", "日期“2019-07-32”无效，应为 2019-07-31 这样的格式。"),
    ]
    assert saved() == []


def test_command_refuses_a_bad_file_an_unknown_user_or_a_missing_file(w, tmp_path):
    path = tmp_path / "考勤.csv"
    path.write_bytes(csv_bytes([["姓名", "日期"]]))
    with pytest.raises(CommandError, match="表头应包含"):
        call_command("import_duty_days", str(path), "--user", "clerk")
    with pytest.raises(CommandError, match="找不到账号 nobody"):
        call_command("import_duty_days", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_duty_days", str(tmp_path / "missing.csv"), "--user", "clerk")


# --- import_upload (for the import page) ---------------------------------------------------------------------


def test_import_upload(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("考勤.xlsx", xlsx([CN_HEADER, ["GS0001", "2019-07-01", "住村"]]))
    assert importing.import_upload(user=w["clerk"], upload=upload) == 1

    big = SimpleUploadedFile("考勤.csv", b"x" * (importing.MAX_BYTES + 1))
    assert problems(importing.import_upload, user=w["clerk"], upload=big) == [
        "文件过大：最大 5 MB，请分成几个文件导入。"
    ]
    assert len(saved()) == 1

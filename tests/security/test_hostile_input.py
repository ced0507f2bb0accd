"""Hostile and broken input to the spreadsheet parsers and imports (issue 10), property-based.

``rosters.workbook.read_workbook`` (and ``parse_date``), ``rosters.services.roster_import`` and
``villagecorps.importing`` (``parse_attendance``, ``import_attendance``) are fed generated workbooks and
files: cells of every type openpyxl writes (text with unicode, control characters, very long strings and
formula-like strings; numbers huge, negative, NaN and infinite; booleans; dates, datetimes, times and
durations; empty), arbitrary header rows and sheet names, arbitrary bytes, and damaged workbooks.

The properties: a parser never raises (``parse_date`` and ``parse_attendance`` raise only what they
document), and answers either with problems that say where they are or with typed rows that satisfy
their columns; an import that reports a problem, and every preview, leaves the database as it was.

Three faults these properties found are fixed, and kept fixed by the regression tests at the end: a
sheet openpyxl cannot read (damaged XML, a value it cannot convert) is the problem 文件已损坏 naming the
sheet, not an exception; a second sheet of the same kind (such as "帮扶户" and "帮扶户 ") is a problem, not
a silent loss of the first one's rows; and a damaged attendance .xlsx is refused with the file-format
message. The properties make no exception for any of these: an exception escaping a parser fails them,
and every non-blank data row must be a typed row unless a problem says why not.

Examples are derandomized (the same ones on every run) and few enough to keep this file fast.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from households.models import Deed, Household, Pairing, Plan, Visit
from rosters.kinds import SPECS
from rosters.models import Outcome, RosterImport
from rosters.resources import RESOURCES
from rosters.services import MAX_PROBLEMS, roster_import
from rosters.workbook import Column, Problem, Sheet, SheetSpec, parse_date, read_workbook
from tests import factories
from tests.households.factories import HouseholdFactory, PairingFactory
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from tiers.models import DutyRecord, Person
from villagecorps.choices import DayKind
from villagecorps.importing import import_attendance, parse_attendance
from villagecorps.models import DutyDay, FollowUpVisit, Membership, Team
from villagecorps.services import ImportRow

D = datetime.date
TODAY = D(2024, 6, 14)
BY_TITLE = {spec.title: spec for spec in SPECS}
BY_KIND = {spec.kind: spec for spec in SPECS}
CODE = re.compile(r"[0-9A-Za-z_\-]+")


def fast(examples: int) -> settings:
    """Few, derandomized examples; no deadline (the database is slow on a busy machine)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """Messages as the users read them (the property checks look for 工作表「…」, 第 n 行, 「…」列)."""
    with translation.override("zh-hans"):
        yield


# --- strategies: cells ---------------------------------------------------------------------------------

#: What openpyxl refuses to write (XML 1.0 cannot hold it): every other character may be in a cell.
ILLEGAL = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)])
#: Hand-picked hostile text: invisible and look-alike characters, formula and number look-alikes,
#: impossible dates, escapes, injections, the first characters of a sheet's header.
TRICKY = [
    "",
    " ",
    "\u3000",
    "\xa0",
    "\ufeff",
    "\u200b",
    "\u202e620123",
    "\t\r\n",
    "\x7f\x85\x9f",
    "_x0000_",
    "=1+1",
    '=HYPERLINK("http://x","x")',
    " =1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "'",
    "NULL",
    "None",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "-0",
    "1e309",
    "1E-999999",
    "0x10",
    "1_000",
    "١٢٣",
    "１２３",
    "4.0",
    "2019-02-30",
    "2019-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "2019年2月30日",
    "2019 年 7 月 31 日",
    "2019/7/31 00:00",
    "2019-07-31T00:00:00",
    "2019.7.31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n%(row)d",
    "{0}{}",
    "\\",
    "../../etc/passwd",
    "住村",
    "在村工作并住村",
    "in_village_night",
    "已脱贫",
    "𠀀𪚥😀",
    "9" * 5000,
]
_chars = st.characters(codec="utf-8", exclude_characters=ILLEGAL)
TEXT = st.text(_chars, max_size=30)
LONG = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["x", "长", "9", " "]),
    st.sampled_from([13, 21, 31, 41, 51, 101, 201, 2001, 5001, 20001, 32767]),
)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(-5, 3_000_000),
    st.floats(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
TIMES = st.one_of(
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(min_value=datetime.timedelta(days=-(10**6)), max_value=datetime.timedelta(days=10**6)),
)
#: Any value a cell can hold.
CELLS = st.one_of(st.none(), st.sampled_from(TRICKY), TEXT, NUMBERS, st.booleans(), TIMES, LONG)


# --- strategies: plausible values of a column (so that rows get past the reader to the import) --------

#: Codes the roster world (``roster_world``) has, most often, and some it does not (repeats weigh the draw).
PLACES = ["620123101201"] * 4 + ["620123101202"] * 2 + ["620123101", "620123", "620521101201", "620123101299"]
PEOPLE = ["PZ"] * 3 + ["PM"] * 3 + ["PL", "PNEW1", "P404"]
UNITS = ["UH"] * 4 + ["UNEW1", "U404"]
HOUSEHOLDS = ["H1"] * 3 + ["H2", "HNEW1", "H404"]
TEAMS = ["T1"] * 3 + ["TNEW1", "T404"]
REFERENCES = {
    "village": PLACES,
    "place": PLACES,
    "county": PLACES,
    "parent": PLACES,
    "charged_township": PLACES,
    "charged_village": PLACES,
    "helper": PEOPLE,
    "person": PEOPLE,
    "participants": PEOPLE,
    "unit": UNITS,
    "dispatching_unit": UNITS,
    "lead_unit": UNITS,
    "member_unit": UNITS,
    "household": HOUSEHOLDS,
    "team": TEAMS,
}
OWN_CODES = {
    "places": ["620123101203", "620123101201"],
    "units": UNITS,
    "people": PEOPLE,
    "teams": TEAMS,
    "households": HOUSEHOLDS,
}
DAYS = st.dates(min_value=D(2018, 12, 25), max_value=D(2024, 7, 1))


def plausible(spec: SheetSpec, column: Column) -> st.SearchStrategy[Any]:
    """A value the column would take, or nearly (codes that exist and some that do not)."""
    if column.type == "date":
        return st.one_of(
            DAYS, DAYS.map(lambda d: f"{d:%Y-%m-%d}"), DAYS.map(lambda d: f"{d.year}年{d.month}月{d.day}日")
        )
    if column.type == "int":
        low = column.minimum if column.minimum is not None else 0
        high = column.maximum if column.maximum is not None else 100
        return st.one_of(st.integers(low, high), st.integers(low, high).map(str))
    if column.type == "decimal":
        return st.decimals(min_value=column.minimum, max_value=column.maximum, places=3)
    if column.type == "choice":
        return st.sampled_from(sorted(column.choices))
    if column.field == "code" and spec.kind in OWN_CODES:
        return st.sampled_from(OWN_CODES[spec.kind])
    if column.field in REFERENCES:
        codes = st.sampled_from(REFERENCES[column.field])
        return st.lists(codes, min_size=1, max_size=3).map("、".join) if column.type == "list" else codes
    if column.type == "list":  # a duty record's kinds
        return st.sampled_from(["county-promotion-meeting", "县级脱贫攻坚推进会议", "没有这个类别"])
    return st.sampled_from(["张三", "李四", "测试工作队", "养牛", "产业发展", "单位党委书记"])


# --- strategies: workbooks ------------------------------------------------------------------------------

_title_chars = st.characters(codec="utf-8", exclude_characters=ILLEGAL + "\\/*?:[]")
TITLES = st.one_of(
    st.sampled_from([*BY_TITLE, "说明"]),
    st.tuples(st.sampled_from(["", " ", "  "]), st.sampled_from(list(BY_TITLE)), st.sampled_from(["", " "])).map(
        "".join
    ),
    st.text(_title_chars, min_size=1, max_size=31),
)


@st.composite
def header_row(draw: st.DrawFn, spec: SheetSpec | None) -> list[Any]:
    """The spec's headers, as the template has them or mangled; or anything at all."""
    anything = st.lists(st.one_of(TEXT, CELLS), max_size=8)
    if spec is None:
        return draw(anything)
    headers: list[Any] = [c.header for c in spec.columns]
    how = draw(st.sampled_from(["template", "template", "template", "shuffled", "dropped", "extra", "padded", "any"]))
    if how == "shuffled":
        headers = draw(st.permutations(headers))
    elif how == "dropped":
        del headers[draw(st.integers(0, len(headers) - 1))]
    elif how == "extra":
        headers.insert(draw(st.integers(0, len(headers))), draw(st.one_of(st.sampled_from(headers), CELLS)))
    elif how == "padded":
        headers = [f" {h}\u3000" if draw(st.booleans()) else h for h in headers]
    elif how == "any":
        headers = draw(anything)
    return headers


@st.composite
def sheet_rows(draw: st.DrawFn, spec: SheetSpec | None, headers: list[Any], hostile: bool) -> list[list[Any]]:
    by_header = {c.header: c for c in spec.columns} if spec else {}
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = []
        for header in headers:
            column = by_header.get(str(header).strip()) if isinstance(header, str) else None
            if column is not None and not (hostile and draw(st.integers(0, 3)) == 0):
                row.append(
                    draw(
                        st.one_of(plausible(spec, column), st.none())
                        if not column.required
                        else plausible(spec, column)
                    )
                )
            else:
                row.append(draw(CELLS))
        if hostile and draw(st.booleans()):
            row += draw(st.lists(CELLS, max_size=2))  # cells beyond the headers
        rows.append(row)
    return rows


class Generated:
    """A generated workbook: its bytes and what was put in it, [(sheet title, rows)] (shown on failure)."""

    def __init__(self, content: bytes, sheets: list[tuple[str, list[list[Any]]]]) -> None:
        self.content, self.sheets = content, sheets

    def __repr__(self) -> str:
        return f"Generated(sheets={self.sheets!r})"


@st.composite
def workbooks(draw: st.DrawFn, kinds: list[str] | None = None) -> Generated:
    """An .xlsx workbook written by openpyxl, of the given kinds (any sheet names when None); now and then
    with two sheets whose names differ only by surrounding spaces (two sheets of one kind)."""
    hostile = draw(st.integers(0, 2)) == 0 if kinds else draw(st.booleans())
    titles = TITLES if kinds is None else st.sampled_from([BY_KIND[k].title for k in kinds])
    if kinds is not None and hostile:
        titles = st.one_of(titles, TITLES)
    sheets = []
    for _ in range(draw(st.integers(1, 3 if hostile or kinds is None else 2))):
        title = draw(titles)
        if sheets and draw(st.integers(0, 3)) == 0:  # an earlier sheet's name, spaced otherwise: the same kind
            earlier = draw(st.sampled_from([t for t, _ in sheets])).strip() or "帮扶户"
            title = draw(st.sampled_from([f"{earlier} ", f" {earlier}", f"{earlier}  "]))
        spec = BY_TITLE.get(title.strip())
        headers = draw(header_row(spec)) if hostile else [c.header for c in spec.columns] if spec else []
        sheets.append((title, [headers, *draw(sheet_rows(spec, headers, hostile))]))
    merge = draw(st.one_of(st.none(), st.sampled_from(["A2:B2", "C1:C3", "A1:A1"]))) if hostile else None
    return Generated(*write_xlsx(sheets, merge=merge))


def write_xlsx(
    sheets: list[tuple[str, list[list[Any]]]], *, merge: str | None = None
) -> tuple[bytes, list[tuple[str, list[list[Any]]]]]:
    workbook = Workbook()
    workbook.remove(workbook.active)
    written = []
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)  # a repeated title is renamed by openpyxl ("帮扶户1")
        for row in rows:
            sheet.append(row)
        written.append((sheet.title, rows))
    if merge:
        workbook.worksheets[0].merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


# --- checks ---------------------------------------------------------------------------------------------


def assert_names_its_place(problem: Problem, sheet_titles: set[str]) -> None:
    """A problem says what is wrong and where: 工作表「sheet」第 n 行「column」列：message."""
    assert isinstance(problem, Problem)
    assert str(problem.message).strip()
    text = str(problem)
    if problem.sheet:  # the sheet's name, or the kind's title when the name has spaces around it
        assert problem.sheet in sheet_titles | {title.strip() for title in sheet_titles}
        assert f"工作表「{problem.sheet}」" in text
    if problem.row is not None:
        assert problem.sheet and problem.row >= 1
        assert f"第 {problem.row} 行" in text
    if problem.column:
        assert problem.sheet and f"「{problem.column}」列" in text
    assert text.endswith(str(problem.message))


def assert_satisfies(column: Column, value: Any) -> None:
    """A typed value meets its column: type, length, range, choices, code characters."""
    if value is None:
        assert not column.required, column.header
        return
    if column.type == "date":
        assert type(value) is datetime.date
    elif column.type == "int":
        assert type(value) is int
        assert column.minimum is None or value >= column.minimum
        assert column.maximum is None or value <= column.maximum
    elif column.type == "decimal":
        assert isinstance(value, Decimal) and value.is_finite()
        assert column.minimum is None or value >= column.minimum
        assert column.maximum is None or value <= column.maximum
    elif column.type == "choice":
        assert value in column.choices.values()
    else:
        assert isinstance(value, str) and value == value.strip() and 0 < len(value) <= column.max_length
        if column.type == "code":
            assert CODE.fullmatch(value), value


def assert_good_sheets(sheets: dict[str, Sheet]) -> None:
    for kind, sheet in sheets.items():
        spec = BY_KIND[kind]
        assert sheet.spec is spec
        numbers = [number for number, _ in sheet.rows]
        assert numbers == sorted(set(numbers)) and all(n >= 2 for n in numbers)
        keys = set()
        for _number, values in sheet.rows:
            assert set(values) == {c.field for c in spec.columns}
            for column in spec.columns:
                assert_satisfies(column, values[column.field])
            keys.add(tuple(values[f] for f in spec.key))
        assert len(keys) == len(sheet.rows), "a key repeated within a sheet"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def data_rows_by_kind(content: bytes) -> dict[str, int]:
    """Non-blank data rows of each known sheet, as openpyxl reads them back."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    counts: dict[str, int] = {}
    try:
        for name in workbook.sheetnames:
            spec = BY_TITLE.get(name.strip())
            if spec is None:
                continue
            rows = list(workbook[name].iter_rows(values_only=True))[1:]
            counts[spec.kind] = counts.get(spec.kind, 0) + sum(1 for r in rows if not all(_blank(v) for v in r))
    finally:
        workbook.close()
    return counts


def check_read(content: bytes, sheet_titles: set[str]) -> tuple[dict[str, Sheet], list[Problem]]:
    """``read_workbook`` of ``content`` with every property checked (an exception fails the test)."""
    sheets, problems = read_workbook(content, SPECS)
    assert isinstance(sheets, dict) and isinstance(problems, list)
    assert sheets or problems, "neither rows nor a problem"
    for problem in problems:
        assert_names_its_place(problem, sheet_titles)
    if any(not p.sheet for p in problems):  # the file itself, or no known sheet: the only problem
        assert sheets == {} and len(problems) == 1
    assert_good_sheets(sheets)
    return sheets, problems


# --- parse_date -----------------------------------------------------------------------------------------


@fast(300)
@given(CELLS)
def test_parse_date_gives_a_date_or_a_value_error(value: Any) -> None:
    try:
        day = parse_date(value)
    except ValueError:
        return
    assert type(day) is datetime.date


@fast(200)
@given(st.dates(min_value=D(1900, 3, 1)), st.integers(0, 5))
def test_parse_date_reads_every_way_a_real_day_is_written(day: datetime.date, form: int) -> None:
    from openpyxl.utils.datetime import to_excel

    written = [
        day,
        datetime.datetime.combine(day, datetime.time()),
        f"{day:%Y-%m-%d}" if day.year >= 1000 else day.isoformat(),
        f"{day.year}/{day.month}/{day.day} 00:00" if day.year >= 1000 else day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日" if day.year >= 1000 else day.isoformat(),
        to_excel(day),
    ][form]
    assert parse_date(written) == day


# --- read_workbook ----------------------------------------------------------------------------------------


@fast(120)
@given(workbooks())
def test_read_workbook_gives_problems_that_say_where_or_typed_rows(workbook: Generated) -> None:
    content, written = workbook.content, workbook.sheets
    titles = {title for title, _ in written}
    sheets, problems = check_read(content, titles)
    # A second sheet of a kind (its name the same but for surrounding spaces) is a problem naming it.
    first: dict[str, str] = {}
    for title, _rows in written:
        spec = BY_TITLE.get(title.strip())
        if spec is None:
            continue
        if spec.kind in first:
            event("two sheets of one kind")
            duplicate = Problem(f"与工作表「{first[spec.kind]}」重复：每类名册只能有一个工作表。", title)
            assert duplicate in problems, (duplicate, problems)
        else:
            first[spec.kind] = title
    if not problems:  # nothing is lost silently: every non-blank data row of a known sheet is a typed row
        assert {kind: len(sheet.rows) for kind, sheet in sheets.items()} == data_rows_by_kind(content)


@fast(200)
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=300).map(lambda b: b"\xd0\xcf\x11\xe0" + b),
        st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    )
)
def test_read_workbook_refuses_any_other_file_with_one_problem(content: bytes) -> None:
    sheets, problems = read_workbook(content, SPECS)
    assert sheets == {}
    (problem,) = problems
    assert isinstance(problem, Problem) and not problem.sheet and problem.row is None and str(problem).strip()


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip of ``members``, the same bytes on every run (no clock in it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == "docProps/core.xml":  # openpyxl writes the time of saving
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            archive.writestr(info, data)
    return buffer.getvalue()


def _members(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {info.filename: archive.read(info.filename) for info in archive.infolist()}


#: A good workbook (the same bytes on every run), damaged by ``damaged_workbooks``.
SAMPLE = _zip(
    _members(
        write_xlsx(
            [
                (
                    "帮扶户",
                    [
                        [c.header for c in BY_KIND["households"].columns],
                        ["H1", "张三", "620123101201", 4, "已脱贫", 2019],
                    ],
                ),
                ("结对帮扶", [[c.header for c in BY_KIND["pairings"].columns], ["PZ", "H1", D(2019, 1, 1), None]]),
            ]
        )[0]
    )
)
SHEET_XML = "xl/worksheets/sheet1.xml"
#: Cells as a hand-made (or damaged) file may hold them: every type attribute, any text as the value.
RAW_CELL = st.builds(
    lambda t, v: f'<c r="D2"{t}><v>{v}</v></c>' if t != ' t="inlineStr"' else f'<c r="D2"{t}><is><t>{v}</t></is></c>',
    st.sampled_from(["", ' t="n"', ' t="s"', ' t="b"', ' t="d"', ' t="e"', ' t="str"', ' t="inlineStr"', ' t="x"']),
    st.one_of(
        st.sampled_from(["", "abc", "1e400", "-1", "99999", "nan", "2019-02-30", "2019-07-31T00:00:00", "#DIV/0!"]),
        st.text(st.characters(codec="ascii", exclude_characters="<>&" + ILLEGAL), max_size=12),
    ),
)


class Damaged:
    """A damaged workbook and how it was damaged (shown on failure)."""

    def __init__(self, content: bytes, how: str) -> None:
        self.content, self.how = content, how

    def __repr__(self) -> str:
        return f"Damaged({self.how!r})"


@st.composite
def damaged_workbooks(draw: st.DrawFn) -> Damaged:
    """A good workbook, damaged: truncated, a byte changed, a part of it missing or rewritten."""
    how = draw(st.sampled_from(["truncate", "flip", "drop", "cell", "cut xml", "merge", "junk part"]))
    if how == "truncate":
        at = draw(st.integers(4, len(SAMPLE) - 1))
        return Damaged(SAMPLE[:at], f"truncated at {at}")
    if how == "flip":
        data = bytearray(SAMPLE)
        at, mask = draw(st.integers(4, len(data) - 1)), draw(st.integers(1, 255))
        data[at] ^= mask
        return Damaged(bytes(data), f"byte {at} ^= {mask}")
    members = _members(SAMPLE)
    if how == "drop":
        name = draw(st.sampled_from(sorted(members)))
        del members[name]
        how = f"without {name}"
    elif how == "cell":
        cell = draw(RAW_CELL)
        xml = members[SHEET_XML].decode()
        members[SHEET_XML] = re.sub(r'<c r="D2"[^>]*>.*?</c>', cell, xml, count=1).encode()
        how = f"D2 of 帮扶户 is {cell}"
    elif how == "cut xml":
        name = draw(st.sampled_from(sorted(n for n in members if n.endswith(".xml") or n.endswith(".rels"))))
        at = draw(st.integers(0, len(members[name]) - 1))
        members[name] = members[name][:at]
        how = f"{name} cut at {at}"
    elif how == "merge":
        ref = draw(st.sampled_from(["A1:B2", "A2:A1", "ZZZ1:A1", "", "A0:B0", '"x"']))
        xml = members[SHEET_XML].decode()
        members[SHEET_XML] = xml.replace(
            "</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
        ).encode()
        how = f"merged {ref!r}"
    else:
        name, junk = draw(st.sampled_from(sorted(members))), draw(st.binary(max_size=200))
        members[name] = junk
        how = f"{name} is {junk!r}"
    return Damaged(_zip(members), how)


@fast(150)
@given(damaged_workbooks())
def test_read_workbook_on_a_damaged_workbook_reports_a_problem(damaged: Damaged) -> None:
    check_read(damaged.content, {"帮扶户", "结对帮扶"})


# --- roster_import --------------------------------------------------------------------------------------

#: The kinds the import test generates (their resources reach households, people, teams and logs).
IMPORT_KINDS = ["people", "households", "pairings", "visits", "deeds", "plans", "teams", "memberships", "duty_days",
                "follow_ups", "duty_records"]  # fmt: skip


def roster_models() -> list[type]:
    """Every table a roster import may write: the resources' models, their history, their many-to-many."""
    found: list[type] = []
    for resource in RESOURCES.values():
        model = resource._meta.model
        for candidate in (model, getattr(getattr(model, "history", None), "model", None)):
            if candidate is not None and candidate not in found:
                found.append(candidate)
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            if through not in found:
                found.append(through)
    return found


def snapshot(models: list[type]) -> dict[str, list[tuple]]:
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in models}


@pytest.fixture
def roster_world(place_tree: factories.Tree) -> dict[str, Any]:
    """A helper paired with a household, a team with a member, in county 620123."""
    unit = factories.UnitFactory(code="UH", name="省直帮扶单位", place=place_tree.province)
    zhang = factories.PersonFactory(code="PZ", name="张帮扶", unit=unit)
    factories.PersonFactory(code="PL", name="李帮扶", unit=unit)
    member = factories.PersonFactory(code="PM", name="王驻村", unit=unit)
    household = HouseholdFactory(code="H1", head_name="王福贵", village=place_tree["620123101201"])
    HouseholdFactory(code="H2", head_name="赵有全", village=place_tree["620123101202"])
    PairingFactory(helper=zhang, household=household, start=D(2019, 1, 1))
    team = TeamFactory(code="T1", village=place_tree["620123101201"], start=D(2019, 1, 1))
    MembershipFactory(team=team, person=member, start=D(2019, 1, 1))
    return {"tree": place_tree}


@fast(40)
@given(data=st.data())
def test_roster_import_is_all_or_nothing(roster_world: dict[str, Any], today_is: Any, data: st.DataObject) -> None:
    today_is(TODAY)
    models = roster_models()
    workbook = data.draw(workbooks(IMPORT_KINDS), label="workbook")
    content, written = workbook.content, workbook.sheets
    dry_run = data.draw(st.booleans(), label="dry_run")
    as_of = data.draw(st.one_of(st.none(), DAYS), label="as_of")
    with transaction.atomic():
        before = snapshot(models)
        records = RosterImport.objects.count()
        report = roster_import(content, file_name="名册.xlsx", dry_run=dry_run, as_of=as_of)
        after = snapshot(models)
        record = report.record
        event(f"{record.outcome}, {'import' if report.counts else 'reader'}")
        assert RosterImport.objects.count() == records + 1
        assert record.problems == [str(p) for p in report.problems[:MAX_PROBLEMS]]
        for problem in report.problems:
            assert_names_its_place(problem, {title for title, _ in written})
        if report.problems:
            assert record.outcome == Outcome.REFUSED
            assert after == before, "a refused import wrote to the database"
        elif dry_run:
            assert record.outcome == Outcome.PREVIEWED
            assert after == before, "a preview wrote to the database"
        else:
            assert record.outcome == Outcome.IMPORTED
            sheets, _problems = read_workbook(content, SPECS)
            for kind, sheet in sheets.items():
                for _number, values in sheet.rows:
                    assert_imported(kind, values)
        transaction.set_rollback(True)


#: How to find an imported row (by its key, as codes) and the columns to compare with the sheet's values.
IMPORTED: dict[str, tuple[type, dict[str, str], dict[str, str]]] = {
    "people": (Person, {"code": "code"}, {"name": "name", "unit__code": "unit", "rank": "rank"}),
    "households": (
        Household,
        {"code": "code"},
        {"head_name": "head_name", "village__code": "village", "members": "members"},
    ),
    "pairings": (Pairing, {"helper__code": "helper", "household__code": "household", "start": "start"}, {"end": "end"}),
    "visits": (
        Visit,
        {"helper__code": "helper", "household__code": "household", "date": "date"},
        {"industry": "industry", "problems": "problems"},
    ),
    "deeds": (
        Deed,
        {"helper__code": "helper", "household__code": "household", "date": "date", "description": "description"},
        {},
    ),
    "plans": (
        Plan,
        {"helper__code": "helper", "household__code": "household", "date": "date"},
        {"year": "year", "family_situation": "family_situation"},
    ),
    "teams": (Team, {"code": "code"}, {"name": "name", "village__code": "village", "start": "start", "end": "end"}),
    "memberships": (
        Membership,
        {"team__code": "team", "person__code": "person", "start": "start"},
        {"dispatching_unit__code": "dispatching_unit", "end": "end"},
    ),
    "duty_days": (DutyDay, {"person__code": "person", "date": "date"}, {"kind": "kind"}),
    "follow_ups": (FollowUpVisit, {"membership__person__code": "person", "date": "date"}, {"visitors": "visitors"}),
    "duty_records": (
        DutyRecord,
        {"date": "date", "title": "title", "place__code": "place", "unit__code": "unit", "person__code": "person"},
        {"minutes": "minutes"},
    ),
}


def assert_imported(kind: str, values: dict[str, Any]) -> None:
    """The row the sheet gave is in the database, with the sheet's values (an empty optional cell is "")."""
    model, key, compared = IMPORTED[kind]
    found = list(model.objects.filter(**{lookup: values[name] for lookup, name in key.items()}).values(*compared))
    assert len(found) == 1, (kind, values, found)
    expected = {lookup: values[name] for lookup, name in compared.items()}
    actual = {lookup: found[0][lookup] for lookup in compared}
    assert actual == {k: ("" if v is None and isinstance(actual[k], str) else v) for k, v in expected.items()}


# --- villagecorps.importing -----------------------------------------------------------------------------

ATTENDANCE_HEADERS = ["人员编码", "日期", "类别", "位置", "person_code", " DATE ", "Kind", "location", "\ufeff人员编码"]
ATTENDANCE_PEOPLE = ["GS0001"] * 3 + ["gs0002", " GS0002 ", "GS404", ""]
KIND_TEXTS = [k.value for k in DayKind] + [
    "住村",
    "在村",
    "出差",
    "会议",
    "培训",
    "请假",
    "其他",
    "在村工作并住村",
    "In_Village",
]


@st.composite
def attendance_tables(draw: st.DrawFn) -> list[list[Any]]:
    """A header row (the known columns in any order, or anything) and rows of plausible or hostile cells."""
    hostile = draw(st.integers(0, 2)) == 0
    if hostile and draw(st.booleans()):
        header = draw(st.lists(st.one_of(st.sampled_from(ATTENDANCE_HEADERS), CELLS), max_size=6))
    else:
        header = draw(st.permutations(["人员编码", "日期", "类别", "位置"]))
    plausible_cells = {
        "人员编码": st.sampled_from(ATTENDANCE_PEOPLE),
        "日期": st.one_of(DAYS, DAYS.map(lambda d: f"{d.year}/{d.month}/{d.day}")),
        "类别": st.sampled_from(KIND_TEXTS),
        "位置": st.sampled_from(["", "", "", "35.84,104.11", "91,200", "村委会"]),
    }
    rows = [header]
    for _ in range(draw(st.integers(0, 5) if hostile else st.integers(1, 3))):
        row = []
        for title in header:
            good = plausible_cells.get(title) if isinstance(title, str) else None
            row.append(draw(good) if good is not None and not (hostile and draw(st.booleans())) else draw(CELLS))
        rows.append(row)
    return rows


def csv_of(rows: list[list[Any]], encoding: str, delimiter: str) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows([["" if v is None else str(v) for v in row] for row in rows])
    return text.getvalue().encode(encoding, errors="replace")


class File:
    """A generated upload: its name, bytes, how it was made, and the table written (xlsx only)."""

    def __init__(self, name: str, content: bytes, how: str, table: list[list[Any]] | None = None) -> None:
        self.name, self.content, self.how, self.table = name, content, how, table

    def __repr__(self) -> str:
        head = self.content[:60]
        return f"File({self.name!r}, {self.how}, {len(self.content)} bytes: {head!r}…, table={self.table!r})"


@st.composite
def attendance_files(draw: st.DrawFn) -> File:
    form = draw(st.sampled_from(["xlsx", "xlsx", "csv", "csv", "bytes", "damaged"]))
    if form == "bytes":
        name = draw(st.sampled_from(["a.csv", "a.xlsx", "A.CSV ", "a.xls", "a.txt", "", "考勤.csv"]))
        return File(name, draw(st.binary(max_size=2000)), "bytes")
    if form == "damaged":
        damaged = draw(damaged_workbooks())
        return File("考勤.xlsx", damaged.content, damaged.how)
    rows = draw(attendance_tables())
    if form == "xlsx":
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return File(draw(st.sampled_from(["考勤.xlsx", "A.XLSX", "a.xlsx "])), buffer.getvalue(), "xlsx", rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    name = draw(st.sampled_from(["考勤.csv", "a.CSV"]))
    return File(name, csv_of(rows, encoding, delimiter), f"csv {encoding} {delimiter!r} of {rows!r}")


def assert_attendance_rows(rows: list[ImportRow]) -> None:
    seen = set()
    for row in rows:
        assert isinstance(row, ImportRow) and row.row >= 2
        assert row.person_code and row.person_code == row.person_code.upper() == row.person_code.strip()
        assert type(row.day) is datetime.date
        assert row.kind in DayKind.values
        assert isinstance(row.location, str) and row.location == row.location.strip()
        assert (row.person_code, row.day) not in seen
        seen.add((row.person_code, row.day))


def assert_readable_error(exc: ValidationError) -> None:
    messages = exc.messages
    assert messages and all(isinstance(m, str) and m.strip() for m in messages)


@fast(150)
@given(attendance_files())
def test_parse_attendance_gives_good_rows_or_one_validation_error(file: File) -> None:
    name, content, table = file.name, file.content, file.table
    try:
        rows = parse_attendance(file_name=name, content=content)
    except ValidationError as exc:
        assert_readable_error(exc)
        event(f"refused: {exc.messages[0][:12]}")
        return
    event("read")
    assert rows
    assert_attendance_rows(rows)
    if table is not None:  # an .xlsx: every non-blank row of the known columns is a row (nothing is dropped)
        known = [
            i
            for i, title in enumerate(table[0])
            if isinstance(title, str) and title in ("人员编码", "日期", "类别", "位置")
        ]
        expected = sum(1 for row in table[1:] if not all(_blank(row[i]) for i in known if i < len(row)))
        assert len(rows) == expected


@pytest.fixture
def attendance_world(place_tree: factories.Tree, user_with_role: Any) -> dict[str, Any]:
    """Two cadres stationed in 620122101201 from 2019 and the township's clerk (as ``test_importing``)."""
    team = TeamFactory(village=place_tree["620122101201"], start=D(2019, 1, 1))
    MembershipFactory(team=team, person=factories.PersonFactory(code="GS0001", name="张三"))
    MembershipFactory(team=team, person=factories.PersonFactory(code="GS0002", name="李四"))
    clerk = user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], username="clerk", password=None)
    return {"clerk": clerk}


def duty_days() -> list[tuple]:
    return list(DutyDay.objects.order_by("pk").values_list()) + list(
        DutyDay.history.model.objects.order_by("pk").values_list()
    )


@fast(40)
@given(data=st.data())
def test_import_attendance_saves_every_row_or_nothing(
    attendance_world: dict[str, Any], today_is: Any, data: st.DataObject
) -> None:
    today_is(TODAY)
    file = data.draw(attendance_files(), label="file")
    name, content = file.name, file.content
    with transaction.atomic():
        before = duty_days()
        try:
            count = import_attendance(user=attendance_world["clerk"], file_name=name, content=content)
        except ValidationError as exc:
            event("refused")
            assert_readable_error(exc)
            assert duty_days() == before, "a refused import wrote duty days"
        else:
            event("saved")
            rows = parse_attendance(file_name=name, content=content)
            assert count == len(rows)
            for row in rows:
                day = DutyDay.objects.get(person__code=row.person_code, date=row.day)
                assert (day.kind, day.location) == (row.kind, row.location)
        transaction.set_rollback(True)


# --- regressions: faults these properties found ---------------------------------------------------------

DAMAGED = "文件已损坏，或不是 Excel 工作簿。"


@pytest.mark.parametrize(
    "cell",
    ['<c r="D2" t="n"><v>abc</v></c>', '<c r="D2" t="d"><v>2019-02-30</v></c>', "<c r=", "</row></sheetData>"],
    ids=["number-not-a-number", "impossible-iso-date", "cut-xml", "unbalanced-xml"],
)
def test_a_damaged_sheet_is_a_clear_problem_not_an_exception(db: None, cell: str) -> None:
    """A sheet whose XML holds a cell openpyxl cannot convert, or is cut short, is read only when its rows
    are (a read-only workbook parses each sheet lazily): ``read_workbook`` reports 文件已损坏 naming that
    sheet, as the only problem, and ``roster_import`` refuses the file (it used to raise, and a queued
    upload stayed 'running')."""
    members = _members(SAMPLE)
    xml = members[SHEET_XML].decode()
    members[SHEET_XML] = re.sub(r'<c r="D2"[^>]*>.*?</c>', cell, xml, count=1).encode()
    content = _zip(members)
    sheets, problems = read_workbook(content, SPECS)
    assert (sheets, problems) == ({}, [Problem(DAMAGED, "帮扶户")])
    assert str(problems[0]) == f"工作表「帮扶户」：{DAMAGED}"
    report = roster_import(content, file_name="名册.xlsx", dry_run=False)
    assert report.problems == problems and report.record.outcome == Outcome.REFUSED


def test_a_second_sheet_of_one_kind_is_a_problem_not_a_silent_loss() -> None:
    """Sheet names are matched after ``strip()``, so "帮扶户" and "帮扶户 " are both the households sheet:
    the second is reported (it used to replace the first, whose rows were silently not imported)."""
    headers = [c.header for c in BY_KIND["households"].columns]
    content, _ = write_xlsx(
        [
            ("帮扶户", [headers, ["H1", "张三", "620123101201", 4]]),
            ("帮扶户 ", [headers, ["H2", "李四", "620123101201", 3]]),
        ]
    )
    sheets, problems = read_workbook(content, SPECS)
    assert problems == [Problem("与工作表「帮扶户」重复：每类名册只能有一个工作表。", "帮扶户 ")]
    assert str(problems[0]) == "工作表「帮扶户 」：与工作表「帮扶户」重复：每类名册只能有一个工作表。"
    assert [values["code"] for _n, values in sheets["households"].rows] == ["H1"]


@pytest.mark.parametrize("damage", ["empty-content-types", "corrupt-deflate-stream"])
def test_a_damaged_attendance_xlsx_is_refused_as_not_an_xlsx_or_csv(damage: str) -> None:
    """A damaged .xlsx makes openpyxl raise what it likes (an XML ParseError for an empty or cut
    [Content_Types].xml, zlib.error for a corrupt deflate stream): ``parse_attendance`` refuses the file
    with the one file-level message 只能导入 .xlsx 或 .csv 文件。 (the duty-import page used to answer 500)."""
    if damage == "empty-content-types":
        members = _members(SAMPLE)
        members["[Content_Types].xml"] = b""
        content = _zip(members)
    else:
        content = _corrupt_deflate(SAMPLE)
    with pytest.raises(ValidationError) as refused:
        parse_attendance(file_name="考勤.xlsx", content=content)
    assert refused.value.messages == ["只能导入 .xlsx 或 .csv 文件。"]


def _corrupt_deflate(content: bytes) -> bytes:
    """``content`` with the first byte of the theme's deflate stream changed (an invalid block type); the
    zip's directory stays intact, so the file opens and fails when the theme is read."""
    data = bytearray(content)
    data[content.index(b"xl/theme/theme1.xml") + len("xl/theme/theme1.xml")] ^= 2
    return bytes(data)

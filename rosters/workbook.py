"""Reading a roster workbook (issue 9): one .xlsx, one sheet per kind of roster, Chinese headers in row 1.

``read_workbook`` only reads and checks; it never writes. It returns the rows of every known sheet as
typed values, and every problem found, each naming the sheet, the row (as Excel numbers it: the header
is row 1), the column and a reason in Chinese. A problem with the file itself (empty, too large, an
.xls or .csv, corrupt) is the only problem reported.

Checked here, before anything is imported: the file's size and type (by its first bytes, not its
name); what it holds once decompressed, through ``infra.xlsx`` within ``XLSX_LIMITS`` (zip structure,
sizes and ratios, no DOCTYPE or ENTITY, rows — blank ones included — blank rows, columns, a time budget:
a small file built to expand is refused naming the limit, before it costs memory or minutes); unknown
sheets, missing, unknown and repeated headers, merged cells (streamed from the sheet's XML, as
openpyxl's read-only mode does not expose them), formulas (a cell must hold a value, not a formula),
each value against its column (text length, whole numbers and their range, dates written as dates, as
Excel serial numbers or as text, impossible dates such as 2019-02-30), required values, and codes
repeated within a sheet. References to other rows (a village code that does not exist) are checked by
the import, which knows the database.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infra import xlsx

#: Largest workbook accepted, in bytes (a province's 1,000,000 households take about 40 MB).
MAX_BYTES = 80 * 1024 * 1024
#: Most data rows of one sheet, blank rows included.
MAX_ROWS = 1_200_000
#: What a roster workbook may hold once decompressed, and how long reading it may take (a Celery task reads
#: it): see ``infra.xlsx.XlsxLimits`` and docs/operations.md. A province's households sheet (1,000,000 rows,
#: about 200 MB of sheet XML and up to 4 million distinct texts) fits; a sheet of 100,000 blank rows does not.
XLSX_LIMITS = xlsx.XlsxLimits(
    max_sheet_bytes=1024 * xlsx.MB,
    max_shared_strings_bytes=256 * xlsx.MB,
    max_shared_strings=4_000_000,
    max_total_bytes=2048 * xlsx.MB,
    max_rows=MAX_ROWS + 1,
    max_blank_rows=100_000,
    max_columns=200,
    seconds=30.0,
    seconds_per_mb=10.0,
)
DAMAGED = gettext_lazy("文件已损坏，或不是 Excel 工作簿。")
TOO_MANY_ROWS = gettext_lazy("数据行过多：最多 %(limit)d 行（空行也计算在内）。请分成几个文件导入。")

_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]
_TIME_SUFFIX = re.compile(r"[ T]00:00(:00)?$")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the field it fills, its type and limits."""

    header: str
    field: str
    type: str = "text"  #: text, code, int, decimal, date, choice, list (names or codes separated by 、，；)
    required: bool = True
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    choices: dict[str, str] = field(default_factory=dict)  #: text in the sheet → stored value


@dataclass(frozen=True)
class SheetSpec:
    """A kind of roster: its sheet name, columns, and the columns whose values identify a row."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: sheet, row and column as the user sees them (None: the whole file)."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("工作表「%(sheet)s」") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("第 %(row)d 行") % {"row": self.row})
        if self.column:
            where.append(_("「%(column)s」列") % {"column": self.column})
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class Sheet:
    """The rows of one sheet: (row number, {field: value})."""

    spec: SheetSpec
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class FileProblem(Exception):
    """The file cannot be read at all."""


def _check_file(content: bytes) -> None:
    if not content:
        raise FileProblem(_("文件为空。"))
    if len(content) > MAX_BYTES:
        raise FileProblem(_("文件过大：最大 %(limit)d MB。") % {"limit": MAX_BYTES // (1024 * 1024)})
    if content.startswith(_XLS_MAGIC):
        raise FileProblem(_("这是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入。"))
    if not content.startswith(_ZIP_MAGIC):
        raise FileProblem(_("不是 Excel（.xlsx）文件（如 .csv 或文本文件）：请使用下载的模板，保存为 .xlsx。"))


_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
#: A merged range in a sheet's XML (bounded, so that ``infra.xlsx.Scanner`` finds it across reads).
_MERGE_CELL = re.compile(rb'<(?:\w{1,32}:)?mergeCell\b[^<>]{0,512}?\bref="([^"<>]{1,255})"')


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _sheet_paths(archive: xlsx.GuardedZipFile) -> dict[str, str]:
    """Sheet name → the path of its XML in the zip, from the workbook's XML and relationships (small
    parts, read whole within the guard's limits)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except (KeyError, UnicodeDecodeError) as exc:
        raise FileProblem(DAMAGED) from exc
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if "Id" in attributes and "Target" in attributes:
            targets[attributes["Id"]] = attributes["Target"]
    paths = {}
    for tag in _SHEET.findall(workbook):
        attributes = dict(_ATTRIBUTE.findall(tag))
        target = targets.get(attributes.get("r:id", ""), "")
        if "name" in attributes and target:
            paths[_unescape(attributes["name"])] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def _merged_cells(archive: xlsx.GuardedZipFile, path: str | None, most: int = 5) -> list[str]:
    """The first ``most`` merged ranges of the sheet at ``path`` (read-only openpyxl does not expose them),
    found by streaming its XML, never holding it whole."""
    if not path or path not in archive.NameToInfo:
        return []
    ranges = []
    for match in archive.scan(path, _MERGE_CELL):
        ranges.append(match.group(1).decode("utf-8", "replace"))
        if len(ranges) >= most:
            break
    return ranges


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> datetime.date:
    """A date cell: an Excel date, an Excel serial number, or text (2019-07-31, 2019/7/31, 2019年7月31日).
    Raises ValueError for anything else, an impossible date (2019-02-30) included."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466:  # 1900-01-01 .. 9999-12-31
            raise ValueError(value)
        day = from_excel(value)
        return day.date() if isinstance(day, datetime.datetime) else day
    text = _TIME_SUFFIX.sub("", _text(value))
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(text):
            return datetime.date(*(int(part) for part in match.groups()))
    raise ValueError(text)


def _value(column: Column, raw: Any) -> Any:
    """The typed value of a cell; raises ValueError with the reason."""
    if column.type == "date":
        try:
            return parse_date(raw)
        except (ValueError, OverflowError) as exc:
            raise ValueError(
                _("不是有效日期（应为日期格式，或如 2019-03-31）：%(value)s") % {"value": _text(raw)}
            ) from exc
    if column.type == "int":
        text = _text(raw)
        if isinstance(raw, bool) or not re.fullmatch(r"-?[0-9]+", text):
            raise ValueError(_("应为整数：%(value)s") % {"value": text})
        number = int(text)
        if column.minimum is not None and number < column.minimum:
            raise ValueError(_("不能小于 %(minimum)d：%(value)d") % {"minimum": column.minimum, "value": number})
        if column.maximum is not None and number > column.maximum:
            raise ValueError(_("不能大于 %(maximum)d：%(value)d") % {"maximum": column.maximum, "value": number})
        return number
    if column.type == "decimal":
        text = _text(raw)
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if isinstance(raw, bool) or not number.is_finite():
            raise ValueError(_("应为数字：%(value)s") % {"value": text})
        if column.minimum is not None and number < column.minimum:
            raise ValueError(_("不能小于 %(minimum)d：%(value)s") % {"minimum": column.minimum, "value": text})
        if column.maximum is not None and number > column.maximum:
            raise ValueError(_("不能大于 %(maximum)d：%(value)s") % {"maximum": column.maximum, "value": text})
        return number.quantize(Decimal("0.000001"))
    text = _text(raw)
    if column.type == "choice":
        if text not in column.choices:
            raise ValueError(_("应为以下之一：%(choices)s") % {"choices": "、".join(column.choices)})
        return column.choices[text]
    if column.type == "code" and not re.fullmatch(r"[0-9A-Za-z_\-]+", text):
        raise ValueError(_("编码只能含字母、数字、下划线和连字符：%(value)s") % {"value": text})
    if len(text) > column.max_length:
        raise ValueError(_("过长：最多 %(limit)d 个字符。") % {"limit": column.max_length})
    return text


def _read_sheet(spec: SheetSpec, rows: Iterator[tuple[Any, ...]], problems: list[Problem]) -> Sheet:
    sheet = Sheet(spec)
    header = next(rows, None)
    titles = [_text(v) for v in (header or ())]
    while titles and not titles[-1]:
        titles.pop()
    known = {c.header: c for c in spec.columns}
    positions: dict[str, int] = {}
    for index, title in enumerate(titles):
        if not title:
            continue
        if title not in known:
            problems.append(Problem(_("未知的列标题（请使用模板中的标题）。"), spec.title, 1, title))
        elif title in positions:
            problems.append(Problem(_("列标题重复。"), spec.title, 1, title))
        else:
            positions[title] = index
    for column in spec.columns:
        if column.required and column.header not in positions:
            problems.append(Problem(_("缺少这一列。"), spec.title, 1, column.header))
    if any(p.sheet == spec.title and p.row == 1 for p in problems):
        return sheet
    seen: dict[tuple, int] = {}
    for number, cells in enumerate(rows, start=2):  # counted, blank rows too, by the guard (XLSX_LIMITS)
        if all(_text(v) == "" for v in cells):
            continue
        values: dict[str, Any] = {}
        ok = True
        for column in spec.columns:
            index = positions.get(column.header)
            raw = cells[index] if index is not None and index < len(cells) else None
            if isinstance(raw, str) and raw.startswith("="):
                problems.append(Problem(_("含公式：请复制后“粘贴为数值”。"), spec.title, number, column.header))
                ok = False
                continue
            if _text(raw) == "":
                if column.required:
                    problems.append(Problem(_("不能为空。"), spec.title, number, column.header))
                    ok = False
                values[column.field] = None
                continue
            try:
                values[column.field] = _value(column, raw)
            except ValueError as exc:
                problems.append(Problem(str(exc), spec.title, number, column.header))
                ok = False
        if not ok:
            continue
        key = tuple(values.get(f) for f in spec.key)
        if key in seen:
            headers = "、".join(spec.column(f).header for f in spec.key)
            problems.append(
                Problem(_("与第 %(row)d 行重复（%(key)s）。") % {"row": seen[key], "key": headers}, spec.title, number)
            )
            continue
        seen[key] = number
        sheet.rows.append((number, values))
    return sheet


def read_workbook(file: BinaryIO | bytes, specs: list[SheetSpec]) -> tuple[dict[str, Sheet], list[Problem]]:
    """The known sheets of the workbook (by kind) and every problem found; nothing is written."""
    content = file if isinstance(file, bytes) else file.read()
    limits = dataclasses.replace(XLSX_LIMITS, max_rows=MAX_ROWS + 1)  # the header is a row too
    try:
        _check_file(content)
        book = xlsx.open_workbook(content, limits, data_only=False)
    except FileProblem as exc:
        return {}, [Problem(str(exc))]
    except xlsx.UploadRefused as exc:
        return {}, [Problem(_refusal(exc))]
    except Exception:  # noqa: BLE001 — openpyxl and zipfile raise many kinds on a damaged file
        return {}, [Problem(str(DAMAGED))]
    by_title = {spec.title: spec for spec in specs}
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    seen: dict[str, str] = {}
    try:
        paths = _sheet_paths(book.archive)
        for name in book.workbook.sheetnames:
            spec = by_title.get(name.strip())
            if spec is None:
                if name.strip() not in (_("说明"), "说明"):
                    known = "、".join(by_title)
                    problems.append(Problem(_("多余的工作表：只能是 %(known)s（或“说明”）。") % {"known": known}, name))
                continue
            if spec.kind in seen:  # "帮扶户" and "帮扶户 ": both are the households sheet
                message = _("与工作表「%(other)s」重复：每类名册只能有一个工作表。") % {"other": seen[spec.kind]}
                problems.append(Problem(message, name))
                continue
            seen[spec.kind] = name
            try:
                if merged := _merged_cells(book.archive, paths.get(name)):
                    ranges = "、".join(merged)
                    problems.append(Problem(_("含合并单元格（%(ranges)s）：请取消合并。") % {"ranges": ranges}, name))
                    continue
                sheets[spec.kind] = _read_sheet(spec, book.rows(book.workbook[name]), problems)
            except xlsx.UploadRefused as exc:  # past a limit: the only problem
                return {}, [Problem(_refusal(exc), name)]
            except Exception:  # noqa: BLE001 — openpyxl reads a sheet's XML only now, and fails many ways on damage
                return {}, [Problem(str(DAMAGED), name)]
    except FileProblem as exc:
        return {}, [Problem(str(exc))]
    except xlsx.UploadRefused as exc:
        return {}, [Problem(_refusal(exc))]
    finally:
        book.close()
    if not sheets and not problems:
        problems.append(Problem(_("没有可导入的工作表：工作表名称应为 %(known)s。") % {"known": "、".join(by_title)}))
    return sheets, problems


def _refusal(exc: xlsx.UploadRefused) -> str:
    if isinstance(exc, xlsx.TooManyRows):
        return str(TOO_MANY_ROWS % {"limit": MAX_ROWS})
    return str(exc)

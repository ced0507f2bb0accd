"""Importing duty days from a spreadsheet: .xlsx, or .csv (UTF-8 with or without BOM, or GB18030).

The first row is the header, with the columns 人员编码, 日期, 类别 and optionally 位置 (or person_code, date,
kind, location), in any order; other columns are ignored. A data row is numbered as the user sees it in
Excel: the header is row 1. Every problem of every row is collected, and one ``ValidationError`` lists
them all: a summary (``Msg.IMPORT_FAILED``) followed by one message per problem, in row order. A problem
with the file itself (too large, not .xlsx/.csv, no header, no data) is the only message.

An .xlsx is read through ``infra.xlsx`` within ``XLSX_LIMITS`` (zip structure, decompressed sizes and
ratios, no DOCTYPE or ENTITY, rows, columns, a time budget), so that a small file built to expand cannot
take the worker's memory or time; a refusal names the limit. Every row counts toward ``MAX_ROWS``, blank
ones included (a million blank rows cost time as much as filled-in ones do).

``parse_attendance`` only reads the file; ``import_attendance`` also saves through
``services.duty_days_import`` (scope, stationing and validation as in the UI), all or nothing.
Views call ``import_upload`` with the uploaded file (``request.FILES[...]``), ``manage.py import_duty_days``
calls ``import_attendance``; a ``ValidationError``'s ``messages`` are what to show, one per line.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime
import io
import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from infra import xlsx
from villagecorps import services
from villagecorps.choices import DayKind
from villagecorps.messages import Msg
from villagecorps.services import ImportRow

#: Largest file accepted, in bytes, and most data rows read, blank rows included (an .xlsx is compressed:
#: 5 MB can hold far more).
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: What an attendance .xlsx may hold once decompressed, and how long reading it may take (within a web
#: request): see ``infra.xlsx.XlsxLimits`` and docs/operations.md. 20,000 rows of 30 columns fit.
XLSX_LIMITS = xlsx.XlsxLimits(
    max_sheet_bytes=64 * xlsx.MB,
    max_shared_strings_bytes=16 * xlsx.MB,
    max_shared_strings=200_000,
    max_total_bytes=128 * xlsx.MB,
    max_rows=MAX_ROWS + 1,
    max_columns=200,
    seconds=10.0,
)

FILE_TOO_LARGE = _("文件过大：最大 %(limit)d MB，请分成几个文件导入。")
TOO_MANY_ROWS = _("数据行过多：最多 %(limit)d 行，请分成几个文件导入。")
MISSING_VALUE = _("不能为空。")

#: Header text (Chinese or English, compared without surrounding spaces and case) → column.
HEADERS = {
    "人员编码": "person_code",
    "person_code": "person_code",
    "日期": "date",
    "date": "date",
    "类别": "kind",
    "kind": "kind",
    "位置": "location",
    "location": "location",
}
REQUIRED = ("person_code", "date", "kind")

#: Column → the field name in row messages (the header the user sees).
FIELD = {"person_code": "人员编码", "date": "日期", "kind": "类别", "location": "位置", "row": "整行"}

#: Short forms of the kinds, as written in attendance sheets.
SHORT_KINDS = {
    "住村": DayKind.IN_VILLAGE_NIGHT,
    "在村": DayKind.IN_VILLAGE,
    "出差": DayKind.OFFICIAL_TRIP,
    "会议": DayKind.MEETING,
    "培训": DayKind.TRAINING,
    "请假": DayKind.LEAVE,
    "其他": DayKind.OTHER,
}

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
]
#: A time of day after the date, as a spreadsheet saved to .csv writes it ("2019/7/31 0:00").
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_XLSX_MAGIC = b"PK\x03\x04"


class _FileError(Exception):
    """A problem with the whole file: reported alone."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.error = ValidationError(message)


def _row_error(row: int, column: str, reason: Any) -> ValidationError:
    return ValidationError(Msg.IMPORT_ROW, params={"row": row, "field": FIELD[column], "reason": str(reason)})


def _row_of(error: ValidationError) -> int:
    return (error.params or {}).get("row", 0)


def _failed(errors: list[ValidationError]) -> ValidationError:
    """One error listing every problem in row order, after a summary that counts the rows concerned."""
    errors = sorted(errors, key=_row_of)
    rows = {_row_of(e) for e in errors}
    summary = ValidationError(Msg.IMPORT_FAILED, params={"count": len(rows)})
    return ValidationError([summary, *errors])


# --- reading the file ---------------------------------------------------------------------------------


def _refusal(exc: Exception) -> _FileError:
    """The file-level message of a problem met while reading an .xlsx."""
    if isinstance(exc, xlsx.TooManyRows):
        return _FileError(TOO_MANY_ROWS % {"limit": MAX_ROWS})
    if isinstance(exc, xlsx.UploadRefused):
        return _FileError(exc.message)
    return _FileError(Msg.IMPORT_FORMAT)  # zipfile, zlib, XML and openpyxl each fail their own way on damage


def _xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    limits = dataclasses.replace(XLSX_LIMITS, max_rows=MAX_ROWS + 1)  # the header is a row too
    try:
        book = xlsx.open_workbook(content, limits, data_only=True)
    except Exception as exc:  # noqa: BLE001 — see _refusal
        raise _refusal(exc) from exc
    try:
        workbook = book.workbook
        sheet = workbook.active if hasattr(workbook.active, "iter_rows") else workbook.worksheets[0]
        yield from book.rows(sheet)
    except Exception as exc:  # a damaged workbook fails while its rows are read, in many ways
        raise _refusal(exc) from exc
    finally:
        book.close()


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030")  # what a Chinese Excel writes as "CSV"


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = _decode(content)
    except UnicodeDecodeError as exc:
        raise _FileError(Msg.IMPORT_FORMAT) from exc
    if "\x00" in text:
        raise _FileError(Msg.IMPORT_FORMAT)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise _FileError(Msg.IMPORT_FORMAT) from exc


def _records(file_name: str, content: bytes) -> Generator[Any, None, None]:
    name = file_name.lower().strip()
    if name.endswith(".xlsx") and content.startswith(_XLSX_MAGIC):
        return _xlsx_rows(content)
    if name.endswith(".csv") and not content.startswith(_XLSX_MAGIC):
        return _csv_rows(content)
    raise _FileError(Msg.IMPORT_FORMAT)


# --- reading the cells --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: numbers as Excel shows them (620122 rather than 620122.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").strip()


def _columns(header: Iterable[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = HEADERS.get(_text(cell).lower())
        if column is not None and column not in columns:
            columns[column] = index
    if not all(column in columns for column in REQUIRED):
        raise _FileError(Msg.IMPORT_HEADER)
    return columns


def _date(value: Any) -> datetime.date:
    """A date cell: an Excel date, an Excel serial number, or text such as 2019-07-31, 2019/7/31, 2019年7月31日."""
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


def _kinds() -> dict[str, str]:
    """Every way of writing a kind → its value: Chinese label, label in the active language, value, short form."""
    kinds: dict[str, str] = {}
    for kind in DayKind:
        kinds[kind.value] = kind.value
        kinds[str(kind.label)] = kind.value
    with translation.override("zh-hans"):
        for kind in DayKind:
            kinds[str(kind.label)] = kind.value
    kinds.update({short: kind.value for short, kind in SHORT_KINDS.items()})
    return {key.lower(): value for key, value in kinds.items()}


def _kind_labels() -> str:
    with translation.override("zh-hans"):
        return "、".join(str(kind.label) for kind in DayKind)


# --- parsing ------------------------------------------------------------------------------------------


def _parse(file_name: str, content: bytes) -> tuple[list[ImportRow], list[ValidationError]]:
    """The good rows and the errors of the bad ones; a problem with the whole file raises ``_FileError``."""
    if len(content) > MAX_BYTES:
        raise _FileError(FILE_TOO_LARGE % {"limit": MAX_BYTES // (1024 * 1024)})
    records = _records(file_name, content)
    try:
        return _read(records)
    finally:
        records.close()  # an .xlsx is closed even when reading stops early


def _read(records: Iterator[Any]) -> tuple[list[ImportRow], list[ValidationError]]:
    header = next(records, None)
    if header is None:
        raise _FileError(Msg.IMPORT_HEADER)
    columns = _columns(header)
    kinds = _kinds()
    rows: list[ImportRow] = []
    errors: list[ValidationError] = []
    first_row_of: dict[tuple[str, datetime.date], int] = {}
    for number, record in enumerate(records, start=2):
        if number - 1 > MAX_ROWS:  # blank rows count: a million of them cost as much time as data rows
            raise _FileError(TOO_MANY_ROWS % {"limit": MAX_ROWS})
        cells = {column: (record[index] if index < len(record) else None) for column, index in columns.items()}
        if all(_text(value) == "" for value in cells.values()):
            continue  # blank lines, and rows Excel keeps only for their formatting
        row_errors: list[ValidationError] = []
        code = _text(cells["person_code"]).upper()
        if not code:
            row_errors.append(_row_error(number, "person_code", MISSING_VALUE))
        day = None
        if _text(cells["date"]) == "":
            row_errors.append(_row_error(number, "date", MISSING_VALUE))
        else:
            try:
                day = _date(cells["date"])
            except (ValueError, OverflowError):
                row_errors.append(_row_error(number, "date", Msg.BAD_DATE % {"value": _text(cells["date"])}))
        kind_text = _text(cells["kind"])
        kind = kinds.get(kind_text.lower())
        if not kind_text:
            row_errors.append(_row_error(number, "kind", MISSING_VALUE))
        elif kind is None:
            reason = Msg.UNKNOWN_KIND % {"value": kind_text, "choices": _kind_labels()}
            row_errors.append(_row_error(number, "kind", reason))
        if code and day is not None:
            if (other := first_row_of.setdefault((code, day), number)) != number:
                row_errors.append(_row_error(number, "row", Msg.DUPLICATE_ROW % {"other": other}))
        if row_errors:
            errors += row_errors
            continue
        location = _text(cells.get("location"))
        rows.append(ImportRow(row=number, person_code=code, day=day, kind=kind, location=location))
    if not rows and not errors:
        raise _FileError(Msg.IMPORT_EMPTY)
    return rows, errors


def parse_attendance(*, file_name: str, content: bytes) -> list[ImportRow]:
    """The rows of an attendance file, or one ``ValidationError`` listing every problem found in it."""
    try:
        rows, errors = _parse(file_name, content)
    except _FileError as exc:
        raise exc.error from None
    if errors:
        raise _failed(errors)
    return rows


@transaction.atomic
def import_attendance(*, user: Any, file_name: str, content: bytes) -> int:
    """Read an attendance file and save its duty days as ``user``: the number saved, or one
    ``ValidationError`` listing every problem (of reading and of saving) with nothing saved."""
    try:
        rows, errors = _parse(file_name, content)
    except _FileError as exc:
        raise exc.error from None
    count = 0
    try:
        # The rows that read well are saved (and checked) even when others did not, so that one pass
        # reports every problem; raising below rolls them back.
        count = services.duty_days_import(user=user, rows=rows)
    except ValidationError as exc:
        errors += exc.error_list
    if errors:
        raise _failed(errors)
    return count


def import_upload(*, user: Any, upload: Any) -> int:
    """``import_attendance`` of an uploaded file (``request.FILES[...]``), reading no more than the limit."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(FILE_TOO_LARGE % {"limit": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    return import_attendance(user=user, file_name=upload.name or "", content=upload.read(MAX_BYTES + 1))

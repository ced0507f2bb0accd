"""Spreadsheet exports: one .xlsx writer shared by every export, and formula-injection escaping.

Workbooks are written with openpyxl in write-only mode (rows go to disk as they come, so memory stays
flat however many rows there are) into a temporary file that the response then streams.

A text cell whose value begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) would be
taken by a spreadsheet program as a formula — and by openpyxl itself, which writes such a string as a
formula. Every text cell goes through ``escape_formula``, which prefixes it with an apostrophe (OWASP,
"CSV injection"), so a household head registered as ``=1+1`` is shown as text.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Leading characters that make a spreadsheet program read a text cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Most data rows a sheet holds (Excel's 1,048,576 rows, less the header).
MAX_ROWS = 1_048_575
#: Characters a worksheet name may not hold.
_BAD_TITLE_CHARS = set("[]:*?/\\")
#: Spill to disk above this many bytes.
_IN_MEMORY_BYTES = 5 * 1024 * 1024


def escape_formula(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: text that would be read as a formula gets a leading
    apostrophe; anything else (numbers, dates, None, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_title(text: str) -> str:
    """``text`` as a worksheet name: Excel refuses ``[]:*?/\\`` and more than 31 characters."""
    cleaned = "".join(" " if char in _BAD_TITLE_CHARS else char for char in text).strip(" '")
    return cleaned[:31] or "Sheet1"


def xlsx_write(
    file: Any, *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()
) -> int:
    """Write one sheet named ``title`` to ``file`` (a path or a binary file): a bold header row, then
    ``rows`` (at most ``MAX_ROWS``), every text cell escaped. Returns the number of data rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=escape_formula(str(name)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for row in rows:
        if written >= MAX_ROWS:
            break
        sheet.append([escape_formula(value) for value in row])
        written += 1
    workbook.save(file)
    return written


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()
) -> FileResponse:
    """An attachment download of the sheet ``xlsx_write`` makes, streamed from a temporary file."""
    file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)  # closed by the response
    xlsx_write(file, title=title, headers=headers, rows=rows, widths=widths)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)

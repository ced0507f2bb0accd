"""Reading an uploaded .xlsx within bounds (issue 17): every upload is checked before openpyxl touches it.

An .xlsx is a zip of XML parts. A small file can decompress to gigabytes (a "zip bomb": 1 MB of shared
strings expanding to 1 GB), an XML part can declare entities that expand on parsing ("billion laughs"), and
a sheet can hold a million blank rows, or one row numbered 1,048,576 that openpyxl fills up to with empty
rows, or cells in column XFD that every row is padded to. ``open_workbook`` refuses all of these, with a
message naming the limit, at a cost bounded by the limits and not by what the file claims:

1. *Before the zip is opened*: the central directory's entry count and size, read from its end record
   (``zipfile.ZipFile`` would otherwise build an object per entry, however many).
2. *The directory*: the member count; each member's name (no absolute paths, ``..``, backslashes,
   control characters, duplicates, or absurd lengths), encryption and compression method (stored or
   deflated only); each member's declared uncompressed size against the limit of its kind (worksheet,
   shared strings, any other part), the total, and the compression ratio per member and in all.
3. *While reading* (everything openpyxl reads goes through ``GuardedZipFile.open``): the decompressed
   bytes actually produced are counted against the same limits (declared sizes can lie; a member that
   decompresses to more than it declares is refused), a part that is not UTF-8 XML or declares a
   ``DOCTYPE`` or ``ENTITY`` is refused at its first bytes (openpyxl also parses with defusedxml, which
   refuses entities), the rows of a sheet (blank rows included) and its shared strings are counted as
   they stream, any other XML part (which openpyxl parses whole) is bounded by its element count, and a
   deadline is checked on every read.
4. *Rows* (``GuardedWorkbook.rows``): every row openpyxl yields counts, blank and filled-in ones alike;
   a value beyond the last allowed column is refused; blank rows may be bounded on their own; the
   deadline is checked every ``CHECK_EVERY`` rows.

``XlsxLimits`` holds the limits; each reader passes its own (``rosters.workbook.XLSX_LIMITS`` for the
roster workbook, read by a task; ``villagecorps.importing.XLSX_LIMITS`` for the attendance import, read
within a web request). docs/operations.md ("Upload limits") lists them.

A refusal is ``UploadRefused`` (its ``message`` is shown to the user as it is; ``TooManyRows`` lets a
reader say it in its own words); a file that is simply damaged (not a zip, a corrupt deflate stream, a bad
checksum) is ``Damaged``, which each reader reports in the words it always used.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024

#: Rows read between two looks at the clock.
CHECK_EVERY = 1_000
#: Bytes read from a member at a time when it is read whole.
CHUNK = 64 * 1024
#: Compressed bytes left unread when a member's declared size has been produced, above which the member
#: is taken to hold more than it declares (a well-formed deflate stream ends within a few bytes).
LIE_SLACK = 1024

TOO_MANY_MEMBERS = _(
    "文件结构异常：压缩包内有 %(count)d 个部件，最多 %(limit)d 个。请在 Excel 中另存为新的 .xlsx 文件后再导入。"
)
DIRECTORY_TOO_LARGE = _("文件结构异常：压缩包目录过大（最多 %(limit)s）。请在 Excel 中另存为新的 .xlsx 文件后再导入。")
BAD_MEMBER_NAME = _("文件结构异常：压缩包内的部件名称无效（%(name)s）。")
DUPLICATE_MEMBER = _("文件结构异常：压缩包内的部件重复（%(name)s）。")
ENCRYPTED = _("文件已加密：请在 Excel 中取消密码保护后再导入。")
UNSUPPORTED_COMPRESSION = _("文件结构异常：%(name)s 使用了不支持的压缩方式。请在 Excel 中另存为 .xlsx 后再导入。")
PART_TOO_LARGE = _("文件内容过大：%(name)s 解压后超过 %(limit)s（上限）。请分成几个文件导入。")
TOTAL_TOO_LARGE = _("文件内容过大：解压后共超过 %(limit)s（上限）。请分成几个文件导入。")
RATIO_TOO_HIGH = _("文件压缩比异常：%(name)s 解压后超过压缩前的 %(limit)d 倍（上限），不像正常的 Excel 文件。")
SIZE_LIE = _("文件结构异常：%(name)s 解压后的内容多于它声明的大小，不像正常的 Excel 文件。")
NOT_UTF8 = _("文件结构异常：%(name)s 不是 UTF-8 编码的 XML。请在 Excel 中另存为 .xlsx 后再导入。")
DECLARATION_FORBIDDEN = _("文件含有不允许的 XML 声明（DOCTYPE 或 ENTITY）：%(name)s。")
TOO_MANY_ELEMENTS = _("文件内容过于复杂：%(name)s 含有超过 %(limit)d 个 XML 元素（上限）。")
TOO_MANY_SHARED_STRINGS = _("文件中的文字过多：共享字符串超过 %(limit)d 个（上限）。请分成几个文件导入。")
TOO_MANY_ROWS = _("工作表行数过多：最多 %(limit)d 行（空行也计算在内）。请分成几个文件导入。")
TOO_MANY_BLANK_ROWS = _("工作表中的空行过多：最多 %(limit)d 个空行。请删除多余的空行后再导入。")
TOO_MANY_COLUMNS = _("工作表列数过多：最多 %(limit)d 列，第 %(column)d 列起不能有内容。")
TOO_SLOW = _("文件处理超时：读取超过 %(limit)d 秒（上限）。请分成几个较小的文件导入。")


@dataclass(frozen=True)
class XlsxLimits:
    """What one reader accepts. Sizes are decompressed bytes; ``None`` means no such limit."""

    #: Most members of the zip, and most bytes of its central directory.
    max_members: int = 1_000
    max_directory_bytes: int = 1 * MB
    #: Longest member name (in characters).
    max_name_length: int = 255
    #: Largest worksheet part (``xl/worksheets/*.xml``), streamed row by row.
    max_sheet_bytes: int = 64 * MB
    #: Largest shared-strings part, and most strings in it: openpyxl keeps every string in memory.
    max_shared_strings_bytes: int = 16 * MB
    max_shared_strings: int = 200_000
    #: Largest of any other part, and most elements in any other XML part: openpyxl parses these whole.
    max_part_bytes: int = 16 * MB
    max_part_elements: int = 500_000
    #: All members together.
    max_total_bytes: int = 128 * MB
    #: Most decompressed bytes per compressed byte, for a member (and for the whole file) larger than
    #: ``ratio_grace_bytes``: an Excel sheet compresses 5 to 30 times, a bomb a thousand times.
    max_ratio: int = 100
    ratio_grace_bytes: int = 1 * MB
    #: Most rows of a sheet, counting the header and blank rows; most blank rows; most columns.
    max_rows: int = 20_001
    max_blank_rows: int | None = None
    max_columns: int = 200
    #: Time budget of one read: ``seconds`` plus ``seconds_per_mb`` per MB of the (compressed) file.
    seconds: float = 10.0
    seconds_per_mb: float = 0.0


class UploadRefused(Exception):
    """The upload exceeds a limit or is built to harm; ``message`` says which, for the user."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class TooManyRows(UploadRefused):
    """A sheet has more rows than ``limit`` (header and blank rows included)."""

    def __init__(self, limit: int) -> None:
        super().__init__(TOO_MANY_ROWS % {"limit": limit})
        self.limit = limit


class Damaged(Exception):
    """Not a readable .xlsx: not a zip, a corrupt deflate stream, a bad checksum."""


def _size(n: int) -> str:
    return f"{n / MB:g} MB"


# --- the zip's directory --------------------------------------------------------------------------------

_ECD_ENTRIES_TOTAL = getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)
_ECD_SIZE = getattr(zipfile, "_ECD_SIZE", 5)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(PartName|ContentType)\s*=\s*"([^"]*)"')


def _bad_name(name: str, limits: XlsxLimits) -> bool:
    if not name or len(name) > limits.max_name_length or _CONTROL.search(name):
        return True
    if name.startswith("/") or "\\" in name or ":" in name:
        return True
    parts = name.rstrip("/").split("/")
    return any(part in ("", ".", "..") for part in parts)


def _kind(name: str, shared_strings: set[str]) -> str:
    if name.lower() in shared_strings or name.lower().rsplit("/", 1)[-1] == "sharedstrings.xml":
        return "strings"
    if _SHEET_PART.match(name):
        return "sheet"
    return "part"


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _check_end_record(content: bytes, limits: XlsxLimits) -> None:
    """The central directory's entry count and size, from its end record, before ``ZipFile`` reads it."""
    try:
        end = zipfile._EndRecData(io.BytesIO(content))  # noqa: SLF001 — the stdlib's own reader of the record
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise Damaged from exc
    if end is None:
        raise Damaged
    if end[_ECD_ENTRIES_TOTAL] > limits.max_members:
        raise UploadRefused(TOO_MANY_MEMBERS % {"count": end[_ECD_ENTRIES_TOTAL], "limit": limits.max_members})
    if end[_ECD_SIZE] > limits.max_directory_bytes:
        raise UploadRefused(DIRECTORY_TOO_LARGE % {"limit": _size(limits.max_directory_bytes)})


@dataclass
class Guard:
    """The limits of one read, its deadline, and the bytes decompressed so far (the most read of each
    member: openpyxl reads a sheet twice, first for its dimension)."""

    limits: XlsxLimits
    budget: float = 0.0
    deadline: float = 0.0
    kinds: dict[str, str] = field(default_factory=dict)
    read: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def start(self, file_bytes: int) -> None:
        """Start the clock: ``seconds`` plus ``seconds_per_mb`` for each MB of the file."""
        self.budget = self.limits.seconds + self.limits.seconds_per_mb * file_bytes / MB
        self.deadline = time.monotonic() + self.budget

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise UploadRefused(TOO_SLOW % {"limit": round(self.budget)})

    def limit_of(self, kind: str) -> int:
        return {
            "sheet": self.limits.max_sheet_bytes,
            "strings": self.limits.max_shared_strings_bytes,
        }.get(kind, self.limits.max_part_bytes)

    def grew(self, name: str, count: int) -> None:
        """``name`` has given ``count`` bytes in this reading: add what is new to the total."""
        before = self.read.get(name, 0)
        if count > before:
            self.read[name] = count
            self.total += count - before
            if self.total > self.limits.max_total_bytes:
                raise UploadRefused(TOTAL_TOO_LARGE % {"limit": _size(self.limits.max_total_bytes)})


def _check_directory(archive: GuardedZipFile, guard: Guard) -> None:
    limits = guard.limits
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UploadRefused(TOO_MANY_MEMBERS % {"count": len(infos), "limit": limits.max_members})
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if _bad_name(name, limits):
            raise UploadRefused(BAD_MEMBER_NAME % {"name": repr(name[:80])})
        if name.lower() in seen:
            raise UploadRefused(DUPLICATE_MEMBER % {"name": name})
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise UploadRefused(ENCRYPTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRefused(UNSUPPORTED_COMPRESSION % {"name": name})
    shared = _shared_strings_parts(archive, guard)
    declared = compressed = 0
    for info in infos:
        kind = guard.kinds[info.filename] = _kind(info.filename, shared)
        limit = guard.limit_of(kind)
        if info.file_size > limit:
            raise UploadRefused(PART_TOO_LARGE % {"name": info.filename, "limit": _size(limit)})
        if info.file_size > limits.ratio_grace_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UploadRefused(RATIO_TOO_HIGH % {"name": info.filename, "limit": limits.max_ratio})
        declared += info.file_size
        compressed += info.compress_size
    if declared > limits.max_total_bytes:
        raise UploadRefused(TOTAL_TOO_LARGE % {"limit": _size(limits.max_total_bytes)})
    if declared > limits.ratio_grace_bytes and declared > limits.max_ratio * max(compressed, 1):
        raise UploadRefused(RATIO_TOO_HIGH % {"name": _("整个文件"), "limit": limits.max_ratio})


def _shared_strings_parts(archive: GuardedZipFile, guard: Guard) -> set[str]:
    """The parts ``[Content_Types].xml`` declares as shared strings (openpyxl finds them there), so that
    they get the shared-strings limits wherever they are."""
    name = "[Content_Types].xml"
    if name not in archive.NameToInfo:
        return set()
    guard.kinds[name] = "part"
    if archive.getinfo(name).file_size > guard.limits.max_part_bytes:
        raise UploadRefused(PART_TOO_LARGE % {"name": name, "limit": _size(guard.limits.max_part_bytes)})
    with archive.open(name) as stream:
        xml = stream.read()
    parts = set()
    for tag in _OVERRIDE.findall(xml):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"ContentType", b"").decode("utf-8", "replace").strip() == _SHARED_STRINGS_TYPE:
            parts.add(attributes.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/").lower())
    return parts


# --- reading the members ------------------------------------------------------------------------------

#: What is counted as a part streams by (each pattern starts with ``<``, holds no other ``<`` and matches
#: at most ``_OVERLAP`` bytes, so that a match cut by a read is found whole in the next).
_PREFIX = rb"(?:[A-Za-z_][\w.\-]{0,32}:)?"
_SHEET_TAGS = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])(?:[^<>]{0,512}?(?P<blank>/)?>)?")
_STRING_TAGS = re.compile(rb"<" + _PREFIX + rb"si(?=[\s/>])")
_OVERLAP = 1024
#: Declarations refused in any XML part, looked for in every chunk before the parser sees it.
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class Scanner:
    """Cuts a stream of chunks into segments in which every match of a pattern lies whole: a segment ends
    before the last ``<`` of what has come, which waits for the next chunk (the patterns start with ``<``,
    hold no other ``<`` and match at most ``overlap`` bytes, so no match straddles a cut). What follows
    a ``<`` by more than ``overlap`` bytes is not kept (text; no match can start in it)."""

    def __init__(self, overlap: int = _OVERLAP) -> None:
        self.overlap, self.tail = overlap, b""

    def feed(self, data: bytes) -> bytes:
        buffer = self.tail + data
        last = buffer.rfind(b"<")
        if last < 0 or len(buffer) - last > self.overlap:
            self.tail = b""
            return buffer if last >= 0 else b""
        self.tail = buffer[last:]
        return buffer[:last]

    def flush(self) -> bytes:
        buffer, self.tail = self.tail, b""
        return buffer


class _GuardedStream:
    """A member being read: the bytes it gives are counted, scanned and checked against the limits."""

    def __init__(self, raw: Any, info: zipfile.ZipInfo, guard: Guard) -> None:
        self.raw, self.info, self.guard = raw, info, guard
        self.name = info.filename
        self.kind = guard.kinds.get(self.name, "part")
        self.limit = guard.limit_of(self.kind)
        self.count = 0
        self.rows = self.blank_rows = self.strings = self.elements = 0
        self.xml = _is_xml(self.name)
        self.pattern = {"sheet": _SHEET_TAGS, "strings": _STRING_TAGS}.get(self.kind) if self.xml else None
        self.scanner = Scanner() if self.pattern is not None else None
        self.tail = b""  # the end of the previous chunk, where a declaration may have begun
        self.closed = False

    # the file interface openpyxl, ElementTree and zipfile use
    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        if size == 0:
            return b""  # not the end of the member
        try:
            data = self.raw.read(size)
        except zipfile.BadZipFile as exc:  # a bad checksum: the member was cut short, or lies about its size
            self._check_lie()
            raise Damaged(self.name) from exc
        except (zlib.error, EOFError, OSError) as exc:
            raise Damaged(self.name) from exc
        self._account(data)
        return data

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.raw.close()

    def __enter__(self) -> _GuardedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the checks
    def _check_lie(self) -> None:
        decompressor = getattr(self.raw, "_decompressor", None)
        left = getattr(self.raw, "_compress_left", 0) + len(getattr(decompressor, "unconsumed_tail", b"") or b"")
        if self.info.compress_type == zipfile.ZIP_DEFLATED and left > LIE_SLACK:
            raise UploadRefused(SIZE_LIE % {"name": self.name})

    def _account(self, data: bytes) -> None:
        guard, limits = self.guard, self.guard.limits
        guard.check_time()
        if not data:
            self._check_lie()
            if self.scanner is not None:
                self._scan(self.scanner.flush())
            return
        first = self.count == 0
        self.count += len(data)
        if self.count > self.limit:
            raise UploadRefused(PART_TOO_LARGE % {"name": self.name, "limit": _size(self.limit)})
        if self.count > self.info.file_size:
            raise UploadRefused(SIZE_LIE % {"name": self.name})
        if self.count > limits.ratio_grace_bytes and self.count > limits.max_ratio * max(self.info.compress_size, 1):
            raise UploadRefused(RATIO_TOO_HIGH % {"name": self.name, "limit": limits.max_ratio})
        guard.grew(self.name, self.count)
        if not self.xml:
            return
        if first and (data[:4].find(b"\x00") >= 0 or data.startswith((b"\xff\xfe", b"\xfe\xff"))):
            raise UploadRefused(NOT_UTF8 % {"name": self.name})
        window = self.tail + data
        if any(declaration in window for declaration in _DECLARATIONS):
            raise UploadRefused(DECLARATION_FORBIDDEN % {"name": self.name})
        self.tail = data[-16:]
        if self.kind == "part":
            self.elements += data.count(b"<")
            if self.elements > limits.max_part_elements:
                raise UploadRefused(TOO_MANY_ELEMENTS % {"name": self.name, "limit": limits.max_part_elements})
        if self.scanner is not None:
            self._scan(self.scanner.feed(data))

    def _scan(self, segment: bytes) -> None:
        if not segment:
            return
        limits = self.guard.limits
        found = self.pattern.findall(segment)  # in C: a list of the "blank" group, or of the matches
        if self.kind == "strings":
            self.strings += len(found)
            if self.strings > limits.max_shared_strings:
                raise UploadRefused(TOO_MANY_SHARED_STRINGS % {"limit": limits.max_shared_strings})
            return
        self.rows += len(found)
        if self.rows > limits.max_rows:
            raise TooManyRows(limits.max_rows)
        self.blank_rows += found.count(b"/")
        if limits.max_blank_rows is not None and self.blank_rows > limits.max_blank_rows:
            raise UploadRefused(TOO_MANY_BLANK_ROWS % {"limit": limits.max_blank_rows})


class GuardedZipFile(zipfile.ZipFile):
    """A zip whose members are read through the guard (``read`` goes through ``open``)."""

    guard: Guard

    def open(self, name: Any, mode: str = "r", pwd: bytes | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if mode != "r":
            raise ValueError("read only")
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        try:
            raw = super().open(info, mode, pwd, **kwargs)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise Damaged(info.filename) from exc
        return _GuardedStream(raw, info, self.guard)

    def scan(self, name: str, pattern: re.Pattern[bytes], overlap: int = _OVERLAP) -> Iterator[re.Match[bytes]]:
        """Matches of ``pattern`` in member ``name``, streamed (see ``Scanner`` for what ``pattern`` may be)."""
        scanner = Scanner(overlap)
        with self.open(name) as stream:
            while chunk := stream.read(CHUNK):
                yield from pattern.finditer(scanner.feed(chunk))
            yield from pattern.finditer(scanner.flush())


def open_archive(content: bytes, limits: XlsxLimits) -> GuardedZipFile:
    """The zip of an .xlsx, its structure checked (steps 1–2); its members are read through the guard."""
    guard = Guard(limits=limits)
    guard.start(len(content))
    _check_end_record(content, limits)
    try:
        archive = GuardedZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise Damaged from exc
    archive.guard = guard
    try:
        _check_directory(archive, guard)
    except BaseException:
        archive.close()
        raise
    return archive


# --- the workbook ---------------------------------------------------------------------------------------


class GuardedWorkbook:
    """An openpyxl read-only workbook whose every read goes through the guard, and its rows, bounded."""

    def __init__(self, archive: GuardedZipFile, workbook: Any) -> None:
        self.archive, self.workbook = archive, workbook

    @property
    def limits(self) -> XlsxLimits:
        return self.archive.guard.limits

    def rows(self, sheet: Any) -> Iterator[tuple[Any, ...]]:
        """The rows of ``sheet`` as values, every one counted (blank ones too), none wider than the limit."""
        limits, guard = self.limits, self.archive.guard
        width = limits.max_columns
        # A dimension wider than allowed would pad every row to it: read one column more than allowed.
        max_col = width + 1 if (sheet.max_column or 0) > width else None
        blank = 0
        rows = sheet.iter_rows(values_only=True, max_row=limits.max_rows + 1, max_col=max_col)
        for number, row in enumerate(rows, start=1):
            if number > limits.max_rows:
                raise TooManyRows(limits.max_rows)
            if number % CHECK_EVERY == 0:
                guard.check_time()
            if len(row) > width:
                if any(value is not None for value in row[width:]):
                    raise UploadRefused(TOO_MANY_COLUMNS % {"limit": width, "column": width + 1})
                row = row[:width]
            if limits.max_blank_rows is not None and all(value is None or value == "" for value in row):
                blank += 1
                if blank > limits.max_blank_rows:
                    raise UploadRefused(TOO_MANY_BLANK_ROWS % {"limit": limits.max_blank_rows})
            yield row

    def close(self) -> None:
        self.workbook.close()
        self.archive.close()

    def __enter__(self) -> GuardedWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workbook(content: bytes, limits: XlsxLimits, *, data_only: bool = True) -> GuardedWorkbook:
    """The workbook in ``content``, read-only, within ``limits``: ``UploadRefused`` past a limit,
    ``Damaged`` when it is no readable zip; openpyxl's own errors on a damaged workbook pass through."""
    archive = open_archive(content, limits)
    try:
        workbook = _read(archive, data_only=data_only)
    except BaseException:
        archive.close()
        raise
    return GuardedWorkbook(archive, workbook)


def _read(archive: GuardedZipFile, *, data_only: bool) -> Any:
    """openpyxl's ``load_workbook(read_only=True)`` on ``archive`` (its reader opens a plain ``ZipFile`` of
    its own otherwise: the attributes set here are what ``ExcelReader.__init__`` sets, openpyxl 3.1)."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader.__new__(ExcelReader)
    reader.archive = archive
    reader.valid_files = archive.namelist()
    reader.read_only = True
    reader.keep_vba = False
    reader.data_only = data_only
    reader.keep_links = False
    reader.rich_text = False
    reader.shared_strings = []
    reader.read()
    return reader.wb

"""Uploads are bounded before they are parsed (issue 17): a corpus of hostile .xlsx files, built here, is
refused by both readers — the roster reader (``rosters.workbook.read_workbook``) and the duty-day import
(``villagecorps.importing.parse_attendance``, and the page /duty/import/ for a team leader) — with a
message naming the limit, within 2 s and 100 MB of memory; a normal file still imports.

The corpus: a shared-strings part of 1 GB of text compressed to about 1 MB; a sheet of a million blank
``<row r="N"/>`` (whose compression ratio looks normal, about 7), and one of a million ``<row/>``;
one row numbered 1,048,576 (openpyxl yields a blank row for every number skipped); cells in column XFD;
100 MB of sheet XML from a file of 100 KB; "billion laughs" entities in the shared strings and in the
sheet; and a member whose directory entry declares 2,000 bytes where its data inflates to 100 MB. Each
file is written by streaming into ``zipfile`` (the test never holds the 1 GB), once per session.

Memory is measured honestly: each parse runs in a fresh child process (``python -c`` with
``django.setup()``, then a fork of it, as a process started by the test runner inherits the runner's peak
as its own), which reads its own ``getrusage(RUSAGE_SELF).ru_maxrss`` before and after the parse (zlib's
and expat's allocations included, which ``tracemalloc`` would not see) and reports it.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from infra import xlsx
from rosters import workbook as roster_workbook
from rosters.kinds import SPECS
from tests import factories
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from villagecorps import importing
from villagecorps.models import DutyDay

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TITLE = "帮扶户"  # the roster's households sheet; the duty import reads the first sheet, whatever its name
HOUSEHOLD_HEADER = [c.header for c in next(s for s in SPECS if s.kind == "households").columns]
DUTY_HEADER = ["人员编码", "日期", "类别", "位置"]
SECONDS = 2.0
MEGABYTES = 100

# --- building the corpus --------------------------------------------------------------------------------

SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{xlsx._SHARED_STRINGS_TYPE}"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}">
<sheets><sheet name="{SHEET_TITLE}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
    + "]>\n"
)
EMPTY_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"></sst>'


def _header_row(header: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{text}</t></is></c>' for i, text in enumerate(header))
    return f'<row r="1">{cells}</row>'


def _sheet(header: list[str], rows: Iterable[str], prolog: str = "") -> Iterator[bytes]:
    """A worksheet's XML in chunks: the header row, then ``rows`` (XML text, in batches)."""
    yield (prolog or '<?xml version="1.0" encoding="UTF-8"?>').encode()
    yield f'<worksheet xmlns="{MAIN}"><sheetData>{_header_row(header)}'.encode()
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def write_workbook(path: Path, sheet: Iterable[bytes], strings: Iterable[bytes] = (EMPTY_STRINGS.encode(),)) -> Path:
    """A well-formed .xlsx zip at ``path``, its sheet and shared strings streamed in (deflate, level 9)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            with archive.open(name, "w") as member:
                for chunk in chunks:
                    member.write(chunk)
    return path


def _declare_size(path: Path, name: str, size: int) -> None:
    """Make the zip at ``path`` declare ``size`` uncompressed bytes for ``name``, in its local header and
    in its central directory entry (the data, its compressed size and its checksum stay as they are)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, size)
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        start = match.start()
        (length,) = struct.unpack_from("<H", data, start + 28)
        if bytes(data[start + 46 : start + 46 + length]) == encoded:
            struct.pack_into("<I", data, start + 24, size)
    path.write_bytes(bytes(data))


def _strings_bomb(header: list[str]) -> tuple[Iterator[bytes], Iterator[bytes]]:
    """1 GiB of shared strings (one text of 'A's), about 1 MB compressed."""

    def strings() -> Iterator[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        chunk = b"A" * (8 * 1024 * 1024)
        for _ in range(128):
            yield chunk
        yield b"</t></si></sst>"

    return _sheet(header, ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings()


def _blank_rows(header: list[str]) -> Iterator[bytes]:
    return _sheet(header, (f'<row r="{n}"/>' for n in range(2, 1_000_002)))


def _blank_rows_unnumbered(header: list[str]) -> Iterator[bytes]:
    """A million ``<row/>`` (openpyxl numbers them in turn): 6 MB of XML in a few kilobytes."""
    return _sheet(header, ("<row/>" for _ in range(1_000_000)))


def _row_far_below(header: list[str]) -> Iterator[bytes]:
    return _sheet(header, ['<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'])


def _column_xfd(header: list[str]) -> Iterator[bytes]:
    return _sheet(header, [f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in (2, 3)])


def _huge_sheet(header: list[str]) -> Iterator[bytes]:
    """100 MB of sheet XML (whitespace between rows, which XML allows), about 100 KB compressed."""

    def rows() -> Iterator[str]:
        padding = " " * (1024 * 1024)
        for _ in range(100):
            yield padding
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'

    return _sheet(header, rows())


def _laughs_in_strings(header: list[str]) -> tuple[Iterator[bytes], Iterator[bytes]]:
    strings = LAUGHS + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    return _sheet(header, ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), iter([strings.encode()])


def _laughs_in_sheet(header: list[str]) -> Iterator[bytes]:
    return _sheet(header, ['<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'], prolog=LAUGHS)


#: name → how to build it (the sheet's chunks, or the sheet's and the shared strings' chunks).
BOMBS: dict[str, Callable[[list[str]], Any]] = {
    "shared-strings-1GB": _strings_bomb,
    "million-blank-rows": _blank_rows,
    "million-blank-rows-unnumbered": _blank_rows_unnumbered,
    "row-1048576": _row_far_below,
    "column-XFD": _column_xfd,
    "sheet-100MB": _huge_sheet,
    "billion-laughs-shared-strings": _laughs_in_strings,
    "billion-laughs-sheet": _laughs_in_sheet,
    "declared-size-lies": _huge_sheet,  # then declared to be 2,000 bytes
}
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def build(directory: Path, bomb: str, reader: str) -> Path:
    path = directory / f"{bomb}-{reader}.xlsx"
    if path.exists():
        return path
    built = BOMBS[bomb](HOUSEHOLD_HEADER if reader == "roster" else DUTY_HEADER)
    sheet, strings = built if isinstance(built, tuple) else (built, (EMPTY_STRINGS.encode(),))
    write_workbook(path, sheet, strings)
    if bomb == "declared-size-lies":
        _declare_size(path, SHEET, 2_000)
    return path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    directory = tmp_path_factory.mktemp("upload-bombs")
    return lambda bomb, reader: build(directory, bomb, reader)


# --- what each reader must say ----------------------------------------------------------------------------


def _expected(bomb: str, reader: str) -> str:
    roster = reader == "roster"
    limits = roster_workbook.XLSX_LIMITS if roster else importing.XLSX_LIMITS
    mb = xlsx._size
    if bomb == "shared-strings-1GB":
        return xlsx.PART_TOO_LARGE % {"name": STRINGS, "limit": mb(limits.max_shared_strings_bytes)}
    if bomb == "million-blank-rows-unnumbered":
        return xlsx.RATIO_TOO_HIGH % {"name": SHEET, "limit": limits.max_ratio}
    if bomb in ("million-blank-rows", "row-1048576"):
        if roster:
            return xlsx.TOO_MANY_BLANK_ROWS % {"limit": limits.max_blank_rows}
        return importing.TOO_MANY_ROWS % {"limit": importing.MAX_ROWS}
    if bomb == "column-XFD":
        return xlsx.TOO_MANY_COLUMNS % {"limit": limits.max_columns, "column": limits.max_columns + 1}
    if bomb == "sheet-100MB":
        if roster:
            return xlsx.RATIO_TOO_HIGH % {"name": SHEET, "limit": limits.max_ratio}
        return xlsx.PART_TOO_LARGE % {"name": SHEET, "limit": mb(limits.max_sheet_bytes)}
    if bomb == "billion-laughs-shared-strings":
        return xlsx.DECLARATION_FORBIDDEN % {"name": STRINGS}
    if bomb == "billion-laughs-sheet":
        return xlsx.DECLARATION_FORBIDDEN % {"name": SHEET}
    assert bomb == "declared-size-lies"
    return xlsx.SIZE_LIE % {"name": SHEET}


# --- parsing in a child process ---------------------------------------------------------------------------

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from rosters.kinds import SPECS
from rosters.workbook import read_workbook
from villagecorps.importing import parse_attendance
import openpyxl.reader.excel  # noqa: F401 — imported before measuring, as a worker has it



def measure(reader, content):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.monotonic(), time.process_time()
    if reader == "roster":
        sheets, problems = read_workbook(content, SPECS)
        messages, rows = [str(p) for p in problems], sum(len(s.rows) for s in sheets.values())
    else:
        try:
            rows, messages = len(parse_attendance(file_name="考勤.xlsx", content=content)), []
        except ValidationError as exc:
            rows, messages = 0, exc.messages
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"messages": messages, "rows": rows, "seconds": seconds, "cpu": cpu,
            "added_mb": (after - before) / 1024, "before_mb": before / 1024, "file_kb": len(content) / 1024}


reader, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as handle:
    content = handle.read()
# Measured in a fork of this fresh process: a process started by the test runner (vfork and exec) inherits
# the runner's peak RSS as its own ru_maxrss; a fork starts from this small process's.
out, into = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(out)
    try:
        os.write(into, json.dumps(measure(reader, content)).encode())
    finally:
        os._exit(0)
os.close(into)
with os.fdopen(out, "rb") as pipe:
    print(pipe.read().decode())
os.waitpid(pid, 0)
"""


def parse_in_child(reader: str, path: Path) -> dict[str, Any]:
    """Parse ``path`` with ``reader`` ("roster" or "duty") in a fresh process: what it said, its time, and
    how much its own peak RSS grew during the parse (KiB on Linux, reported in MB)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, reader, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("reader", ["roster", "duty"])
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_bomb_is_refused_quickly_in_little_memory_with_a_message_naming_the_limit(
    corpus: Callable[[str, str], Path], bomb: str, reader: str
) -> None:
    path = corpus(bomb, reader)
    result = parse_in_child(reader, path)
    expected = str(_expected(bomb, reader))
    assert result["rows"] == 0
    assert len(result["messages"]) == 1, result["messages"]
    if reader == "roster":  # a refusal met while a sheet is read names the sheet
        assert result["messages"][0] in (expected, f"工作表「{SHEET_TITLE}」：{expected}"), result
    else:
        assert result["messages"] == [expected], result
    assert result["seconds"] <= SECONDS, result
    assert result["added_mb"] <= MEGABYTES, result


def test_the_bombs_are_what_they_claim(corpus: Callable[[str, str], Path]) -> None:
    """The corpus is hostile as described: small files, huge (or lying) decompressed sizes."""
    sizes = {bomb: corpus(bomb, "duty").stat().st_size for bomb in BOMBS}
    assert all(size < importing.MAX_BYTES for size in sizes.values()), sizes
    with zipfile.ZipFile(corpus("shared-strings-1GB", "duty")) as archive:
        assert archive.getinfo(STRINGS).file_size > 1024**3 and sizes["shared-strings-1GB"] < 2 * 1024**2
    with zipfile.ZipFile(corpus("sheet-100MB", "duty")) as archive:
        assert archive.getinfo(SHEET).file_size > 100 * 1024**2 and sizes["sheet-100MB"] < 300 * 1024
    with zipfile.ZipFile(corpus("million-blank-rows", "duty")) as archive:
        info = archive.getinfo(SHEET)
        assert info.file_size < 20 * info.compress_size  # nothing odd about its ratio
    with zipfile.ZipFile(corpus("declared-size-lies", "duty")) as archive:
        info = archive.getinfo(SHEET)
        assert info.file_size == 2_000 and info.compress_size > 50 * 1024


# --- the page, as a team leader ---------------------------------------------------------------------------


@pytest.fixture
def leader(place_tree: Any, client: Any) -> Any:
    village = place_tree["620122101201"]
    team = TeamFactory(village=village, start=datetime.date(2019, 1, 1))
    MembershipFactory(team=team, person=factories.PersonFactory(code="ZC001"), start=datetime.date(2019, 1, 1))
    client.force_login(factories.user_with_role(Role.TEAM_LEADER, place=village, password=None))
    return client


def test_the_import_page_refuses_a_bomb_from_a_team_leader(leader: Any, corpus: Callable[[str, str], Path]) -> None:
    content = corpus("shared-strings-1GB", "duty").read_bytes()
    started = time.monotonic()
    response = leader.post(
        reverse("villagecorps:duty-import"),
        {"file": SimpleUploadedFile("考勤.xlsx", content)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert time.monotonic() - started <= SECONDS
    assert response.status_code == 200
    expected = _expected("shared-strings-1GB", "duty")
    assert str(expected) in response.content.decode().replace("&quot;", '"')
    assert not DutyDay.objects.exists()


def test_a_normal_file_still_imports_through_the_page(leader: Any) -> None:
    book = Workbook()
    for row in [DUTY_HEADER, ["ZC001", datetime.date(2019, 5, 6), "住村", None], ["ZC001", "2019-05-07", "会议", None]]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = leader.post(
        reverse("villagecorps:duty-import"), {"file": SimpleUploadedFile("考勤.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302
    assert DutyDay.objects.count() == 2


def test_a_normal_file_still_reads_in_both_readers(tmp_path: Path) -> None:
    """A hand-built workbook like the corpus' (shared strings, inline strings), without the hostility."""
    strings = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>620123101201</t></si></sst>'
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="B2" t="inlineStr"><is><t>张三</t></is></c>'
        '<c r="C2" t="s"><v>0</v></c><c r="D2"><v>4</v></c></row>'
    )
    path = write_workbook(tmp_path / "good.xlsx", _sheet(HOUSEHOLD_HEADER[:4], [row]), [strings.encode()])
    sheets, problems = roster_workbook.read_workbook(path.read_bytes(), SPECS)
    assert problems == []
    assert [values["village"] for _number, values in sheets["households"].rows] == ["620123101201"]
    duty = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ZC001</t></is></c><c r="B2"><v>43591</v></c>'
        '<c r="C2" t="s"><v>0</v></c></row>'
    )
    strings = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>住村</t></si></sst>'
    path = write_workbook(tmp_path / "duty.xlsx", _sheet(DUTY_HEADER[:3], [duty]), [strings.encode()])
    (parsed,) = importing.parse_attendance(file_name="考勤.xlsx", content=path.read_bytes())
    assert (parsed.person_code, parsed.day, parsed.kind) == ("ZC001", datetime.date(2019, 5, 6), "village_night")


# --- the guard's parts ------------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_the_scanner_finds_a_match_cut_by_a_read_once() -> None:
    data = b"<sheetData>" + b'<row r="1"/>' * 1000 + b"<t>" + b"x" * 5000 + b"</t><row r='x'><c/></row></sheetData>"
    for size in (1, 7, 13, 100, 4096):
        scanner = xlsx.Scanner(overlap=600)
        segments = [scanner.feed(data[start : start + size]) for start in range(0, len(data), size)]
        found = [b for segment in [*segments, scanner.flush()] for b in xlsx._SHEET_TAGS.findall(segment)]
        assert len(found) == 1001 and found.count(b"/") == 1000
        assert len(scanner.tail) <= 600


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/passwd", "xl\\workbook.xml", "xl//a.xml", "a\x01b", "x" * 300, "C:x"]
)
def test_absurd_member_names_are_refused(name: str) -> None:
    with pytest.raises(xlsx.UploadRefused) as refused:
        xlsx.open_archive(_zip({"[Content_Types].xml": b"<Types/>", name: b"<a/>"}), xlsx.XlsxLimits())
    assert "名称无效" in str(refused.value)


def test_repeated_encrypted_and_oddly_compressed_members_are_refused() -> None:
    repeated = io.BytesIO()
    with zipfile.ZipFile(repeated, "w") as archive:
        archive.writestr("xl/a.xml", b"<a/>")
        archive.writestr("XL/A.xml", b"<a/>")  # part names are compared without case
    with pytest.raises(xlsx.UploadRefused, match="部件重复"):
        xlsx.open_archive(repeated.getvalue(), xlsx.XlsxLimits())
    with pytest.raises(xlsx.UploadRefused, match="不支持的压缩方式"):
        xlsx.open_archive(_zip({"xl/a.xml": b"<a/>"}, zipfile.ZIP_BZIP2), xlsx.XlsxLimits())
    data = bytearray(_zip({"xl/a.xml": b"<a/>"}))
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):  # set the "encrypted" flag in the directory
        struct.pack_into("<H", data, match.start() + 8, 1)
    with pytest.raises(xlsx.UploadRefused, match="已加密"):
        xlsx.open_archive(bytes(data), xlsx.XlsxLimits())


def test_too_many_members_are_refused_before_the_directory_is_read() -> None:
    content = _zip({f"xl/media/{n}.bin": b"" for n in range(30)})
    with pytest.raises(xlsx.UploadRefused) as refused:
        xlsx.open_archive(content, xlsx.XlsxLimits(max_members=20))
    assert str(refused.value) == str(xlsx.TOO_MANY_MEMBERS % {"count": 30, "limit": 20})


def test_the_bytes_really_decompressed_are_counted_and_the_clock_is_watched() -> None:
    """Declared sizes are checked first, but what is read is counted too (here a limit lowered after the
    directory was checked, as a member lying in a way zipfile would not catch would be), and a read past
    the deadline is refused."""
    content = _zip({"xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * 100_000 + b"</worksheet>"})
    archive = xlsx.open_archive(content, xlsx.XlsxLimits())
    archive.guard.limits = xlsx.XlsxLimits(max_sheet_bytes=50_000)
    with pytest.raises(xlsx.UploadRefused, match="解压后超过 0.0476837 MB"):
        archive.read("xl/worksheets/sheet1.xml")
    archive = xlsx.open_archive(content, xlsx.XlsxLimits(seconds=0))
    with pytest.raises(xlsx.UploadRefused, match="读取超过 0 秒"):
        archive.read("xl/worksheets/sheet1.xml")


def test_a_part_openpyxl_parses_whole_is_bounded_by_its_elements() -> None:
    content = _zip({"xl/styles.xml": b"<styleSheet>" + b"<xf/>" * 2_000 + b"</styleSheet>"})
    archive = xlsx.open_archive(content, xlsx.XlsxLimits(max_part_elements=1_000))
    with pytest.raises(xlsx.UploadRefused, match="超过 1000 个 XML 元素"):
        archive.read("xl/styles.xml")


def test_a_part_not_in_utf8_is_refused() -> None:
    content = _zip({"xl/workbook.xml": '<?xml version="1.0" encoding="UTF-16"?><workbook/>'.encode("utf-16")})
    archive = xlsx.open_archive(content, xlsx.XlsxLimits())
    with pytest.raises(xlsx.UploadRefused, match="不是 UTF-8"):
        archive.read("xl/workbook.xml")


def test_a_damaged_zip_is_damaged_not_refused() -> None:
    with pytest.raises(xlsx.Damaged):
        xlsx.open_archive(b"PK\x03\x04 not a zip at all", xlsx.XlsxLimits())
    with pytest.raises(ValidationError) as refused:
        importing.parse_attendance(file_name="a.xlsx", content=b"PK\x03\x04 not a zip at all")
    assert refused.value.messages == [str(importing.Msg.IMPORT_FORMAT)]


def test_the_child_measures_memory_honestly(tmp_path: Path) -> None:
    """The child's measure sees memory that Python's allocator does not trace: a roster workbook whose
    shared strings hold 60 MB of text (within the roster's limits) shows well over 50 MB."""
    strings = (
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        + os.urandom(30 * 1024 * 1024).hex().encode()
        + b"</t></si></sst>"
    )
    path = write_workbook(tmp_path / "big.xlsx", _sheet(HOUSEHOLD_HEADER, []), [strings])
    result = parse_in_child("roster", path)
    assert result["added_mb"] > 50, result

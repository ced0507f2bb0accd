"""The duty-day import at its limit (issue 17): a 20,000-row attendance workbook of one team, imported.

Usage (PostgreSQL; the database name must contain ``bench``; it is dropped and re-created by the
Makefile target):

    make bench-duty-import   # DATABASE_URL=…/accountability_bench_duty .venv/bin/python bench/duty_import.py

Builds the small place tree of the tests, one team in a village with ``--members`` cadres stationed from
2019-01-01 and its team leader, and writes an .xlsx of ``--rows`` rows (人员编码, 日期, 类别, 位置: each
member's days of 2019, the kinds in turn, a location on every third row). Then measures, each in a child
process (seconds and the child's own peak RSS):

- ``parse``: ``parse_attendance`` — the guarded read of the workbook and the checks of each row;
- ``import``: ``import_attendance`` as the team leader — every row a new duty day;
- ``again``: the same file again — every day already recorded so, nothing written;
- ``changed``: the file with every kind changed — every day replaced (and its history kept).

Prints one JSON line; the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")
WORKBOOK = Path("/tmp/bench-duty-days.xlsx")
CHANGED = Path("/tmp/bench-duty-days-changed.xlsx")
KINDS = ["住村", "在村", "出差", "会议", "培训", "请假"]
LEADER = "bench-team-leader"


def workbook(rows: int, members: int, shift: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("考勤")
    sheet.append(["人员编码", "日期", "类别", "位置"])
    start = datetime.date(2019, 1, 1)
    for i in range(rows):
        member, day = i % members, start + datetime.timedelta(days=i // members)
        location = f"35.{i % 90:02d},104.{i % 97:02d}" if i % 3 == 0 else None
        sheet.append([f"BENCH{member:04d}", day, KINDS[(i + shift) % len(KINDS)], location])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def setup(rows: int, members: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from tests import factories
    from tests.villagecorps.factories import MembershipFactory, TeamFactory
    from tiers.choices import Role

    call_command("migrate", verbosity=0)
    tree = factories.build_tree()
    village = tree["620122101201"]
    team = TeamFactory(village=village, start=datetime.date(2019, 1, 1))
    for n in range(members):
        person = factories.PersonFactory(code=f"BENCH{n:04d}", name=f"队员{n}")
        MembershipFactory(team=team, person=person, start=datetime.date(2019, 1, 1))
    factories.user_with_role(Role.TEAM_LEADER, place=village, username=LEADER, password=None)
    WORKBOOK.write_bytes(workbook(rows, members, 0))
    CHANGED.write_bytes(workbook(rows, members, 1))


def child(mode: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from villagecorps.importing import import_attendance, parse_attendance
    from villagecorps.models import DutyDay

    path = CHANGED if mode == "changed" else WORKBOOK
    content = path.read_bytes()
    user = get_user_model().objects.get(username=LEADER)
    before = DutyDay.history.count()
    started = time.perf_counter()
    if mode == "parse":
        count = len(parse_attendance(file_name=path.name, content=content))
    else:
        count = import_attendance(user=user, file_name=path.name, content=content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result = {"mode": mode, "seconds": round(seconds, 2), "rows": count, "peak_rss_mb": peak}
    result["history_rows"] = DutyDay.history.count() - before
    print(json.dumps(result))


def run(mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=55, help="cadres of the team (rows are their days of 2019)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name a benchmark database (its name contains 'bench')")
    if args.rows > args.members * 365:
        sys.exit("--rows is more than the members' days of 2019: raise --members")
    setup(args.rows, args.members)
    results = {mode: run(mode) for mode in ("parse", "import", "again", "changed")}
    summary: dict[str, object] = {"rows": args.rows, "workbook_kb": round(WORKBOOK.stat().st_size / 1024)}
    for mode, result in results.items():
        summary[f"{mode}_s"] = result["seconds"]
        summary[f"{mode}_peak_mb"] = result["peak_rss_mb"]
        if mode != "parse":
            summary[f"{mode}_history_rows"] = result["history_rows"]
    summary["import_rows_per_s"] = round(args.rows / max(results["import"]["seconds"], 0.01))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()

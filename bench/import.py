"""Roster import at scale (issue 9): a 100,000-row households sheet previewed and imported.

Usage (PostgreSQL; the database name must contain ``bench``; it is dropped and re-created by the
Makefile target):

    make bench-import        # DATABASE_URL=…/accountability_bench_import .venv/bin/python bench/import.py

Builds the organisation tree (``generate_region`` at a small scale gives the villages), writes a workbook
of ``--rows`` households spread over them, then measures in child processes (seconds and peak RSS):

- ``preview``: ``roster_import(dry_run=True)`` — read, check, import in a transaction, roll back;
- ``import``: ``roster_import(dry_run=False)``;
- ``again``: the same file imported a second time (nothing changes);
- ``pairings``: then a 100,000-row pairings sheet for those households (a helper per household from
  the region's people), where one helper per household at a time is checked for the whole sheet in
  one query rather than once per row;
- ``default``: django-import-export's default path on the same rows — a plain ``ModelResource`` with the
  library's ``ForeignKeyWidget`` (one query per row for the instance and one per village), row by row —
  on a sample of ``--sample`` rows, extrapolated to all of them, for the ratio.

Prints one JSON line; the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
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
WORKBOOK = Path("/tmp/bench-roster-households.xlsx")
PAIRINGS = Path("/tmp/bench-roster-pairings.xlsx")


def setup(rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import Workbook

    from tiers.choices import PlaceLevel
    from tiers.models import Place

    call_command("migrate", verbosity=0)
    if not Place.objects.filter(level=PlaceLevel.VILLAGE).exists():
        call_command("generate_region", scale=0.1, year=2019, seed=1, stdout=open(os.devnull, "w"))
    villages = list(Place.objects.filter(level=PlaceLevel.VILLAGE).values_list("code", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("帮扶户")
    sheet.append(["户编码", "户主姓名", "所在村代码", "家庭人口", "状态", "脱贫年度"])
    for i in range(rows):
        sheet.append([f"BH{i:07d}", f"户主{i}", villages[i % len(villages)], 1 + i % 8, "未脱贫", None])
    workbook.save(WORKBOOK)
    from tiers.models import Person

    helpers = list(Person.objects.filter(code__startswith="GEN-").order_by("pk").values_list("code", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("结对帮扶")
    sheet.append(["帮扶责任人编码", "户编码", "开始日期", "结束日期"])
    for i in range(rows):
        sheet.append([helpers[i % len(helpers)], f"BH{i:07d}", "2019-01-01", None])
    workbook.save(PAIRINGS)


def child(mode: str, sample: int) -> None:
    import django

    django.setup()
    from households.models import Household
    from rosters.services import roster_import

    content = WORKBOOK.read_bytes()
    started = time.perf_counter()
    if mode == "default":
        import tablib
        from import_export import fields, resources, widgets

        from rosters.kinds import HOUSEHOLDS
        from rosters.workbook import read_workbook
        from tiers.models import Place

        class DefaultResource(resources.ModelResource):
            village = fields.Field(
                attribute="village", column_name="village", widget=widgets.ForeignKeyWidget(Place, "code")
            )

            class Meta:
                model = Household
                fields = ("code", "head_name", "village", "members", "status", "exit_year")
                import_id_fields = ("code",)
                skip_unchanged = True

        sheets, _ = read_workbook(content, [HOUSEHOLDS])
        rows = sheets["households"].rows[:sample]
        dataset = tablib.Dataset(headers=[c.field for c in HOUSEHOLDS.columns])
        for _, values in rows:
            dataset.append([values[c.field] or ("poor" if c.field == "status" else None) for c in HOUSEHOLDS.columns])
        from households.models import Pairing

        Pairing.objects.filter(household__code__startswith="BH").delete()
        Household.objects.filter(code__startswith="BH").delete()
        started = time.perf_counter()
        result = DefaultResource().import_data(dataset, dry_run=False, use_transactions=True)
        assert not result.has_errors()
        count = len(rows)
    elif mode == "pairings":
        import datetime

        from households.models import Pairing

        Pairing.objects.filter(household__code__startswith="BH").delete()
        started = time.perf_counter()
        report = roster_import(PAIRINGS.read_bytes(), file_name=PAIRINGS.name, dry_run=False,
                               as_of=datetime.date(2019, 6, 1))  # fmt: skip
        assert not report.problems, report.problems[:5]
        count = report.counts["pairings"].new
    else:
        if mode != "again":
            Household.objects.filter(code__startswith="BH").delete()
            started = time.perf_counter()
        report = roster_import(content, file_name=WORKBOOK.name, dry_run=(mode == "preview"))
        assert not report.problems, report.problems[:5]
        count = sum(c.new + c.changed + c.unchanged for c in report.counts.values())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"mode": mode, "seconds": round(seconds, 2), "rows": count, "peak_rss_mb": peak}))


def run(mode: str, sample: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--sample", str(sample)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="rows for the default path (extrapolated)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sample)
        return
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name a benchmark database (its name contains 'bench')")
    setup(args.rows)
    preview = run("preview", args.sample)
    imported = run("import", args.sample)
    again = run("again", args.sample)
    pairings = run("pairings", args.sample)
    default = run("default", args.sample)
    default_all = default["seconds"] / default["rows"] * args.rows
    print(
        json.dumps(
            {
                "rows": args.rows,
                "workbook_mb": round(WORKBOOK.stat().st_size / 1e6, 1),
                "preview_s": preview["seconds"],
                "preview_peak_mb": preview["peak_rss_mb"],
                "import_s": imported["seconds"],
                "import_peak_mb": imported["peak_rss_mb"],
                "again_s": again["seconds"],
                "pairings_rows": pairings["rows"],
                "pairings_import_s": pairings["seconds"],
                "pairings_peak_mb": pairings["peak_rss_mb"],
                "default_sample_rows": default["rows"],
                "default_sample_s": default["seconds"],
                "default_extrapolated_s": round(default_all, 1),
                "import_speedup": round(default_all / imported["seconds"], 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

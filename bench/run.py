"""Benchmarks at province scale; results go to docs/performance.md.

Usage (PostgreSQL, the production database; the bench database is dropped and re-created):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accountability_bench make bench

Measures: building the whole organisation tree (≈16,000 villages) with ``places_bulk_create``, and
the scope choke point ``visible_to`` for a county user and the provincial group over the tree and
over ≈22,000 cadres.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")

TOWNSHIPS_PER_COUNTY = 15
VILLAGES_PER_TOWNSHIP = 12  # 86 × 15 × 12 = 15,480 villages
CADRES_PER_TOWNSHIP = 17  # ≈ 22,000 cadres


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL.")
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench' (it is dropped).")
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)

    from tests.factories import UserFactory
    from tiers import models, services
    from tiers.choices import PlaceLevel, Rank, Role, UnitKind
    from tiers.demo import read_divisions

    divisions = read_divisions()
    rows = list(divisions)
    for county in (d for d in divisions if d["level"] == PlaceLevel.COUNTY):
        for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
            t_code = f"{county['code']}{100 + t:03d}"
            rows.append({"code": t_code, "name": f"乡{t}", "level": "township", "parent_code": county["code"]})
            rows += [
                {"code": f"{t_code}{200 + v:03d}", "name": f"村{v}", "level": "village", "parent_code": t_code}
                for v in range(1, VILLAGES_PER_TOWNSHIP + 1)
            ]
    start = time.perf_counter()
    created = services.places_bulk_create(rows=rows)
    tree_seconds = time.perf_counter() - start

    townships = list(models.Place.objects.filter(level=PlaceLevel.TOWNSHIP))
    units = models.Unit.objects.bulk_create(
        models.Unit(code=f"X{t.code}", name=f"{t.name}单位", kind=UnitKind.TOWNSHIP_UNIT, place=t) for t in townships
    )
    models.Person.objects.bulk_create(
        (
            models.Person(code=f"P{u.code}-{i:02d}", name=f"干部{i}", rank=Rank.SECTION_AND_BELOW, unit=u)
            for u in units
            for i in range(CADRES_PER_TOWNSHIP)
        ),
        batch_size=5000,
    )
    call_command(
        "shell", "--no-imports", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')"
    )

    county = models.Place.objects.get(code="620123")
    county_user = UserFactory(username="bench-county")
    services.role_grant(user=county_user, role=Role.COUNTY_STAFF, place=county)
    province_user = UserFactory(username="bench-province")
    services.role_grant(user=province_user, role=Role.PROVINCIAL_GROUP, place=models.Place.objects.get(code="620000"))

    results = []
    for label, fn in [
        ("县级用户：可见区划计数", lambda: models.Place.objects.visible_to(county_user).count()),
        ("县级用户：可见干部列表（前 100 条）", lambda: len(list(models.Person.objects.visible_to(county_user)[:100]))),
        ("县级用户：可见干部计数", lambda: models.Person.objects.visible_to(county_user).count()),
        ("省级用户：可见区划计数", lambda: models.Place.objects.visible_to(province_user).count()),
        ("省级用户：可见干部计数", lambda: models.Person.objects.visible_to(province_user).count()),
    ]:
        ms, value = timed(fn)
        results.append((label, value, ms))

    total_places = models.Place.objects.count()
    villages = models.Place.objects.filter(level=PlaceLevel.VILLAGE).count()
    people = models.Person.objects.count()
    lines = [
        "## Organisation tree and scope (issue 2)",
        "",
        f"Run on {time.strftime('%Y-%m-%d')}, PostgreSQL {connection.pg_version // 10000}, 2 cores, by `make bench`.",
        "",
        f"- Tree: {total_places:,} places ({villages:,} villages) built by `places_bulk_create` "
        f"in **{tree_seconds:.1f} s** ({created:,} rows).",
        f"- Cadres: {people:,}.",
        "",
        "| query | result | median of 5 (ms) |",
        "|---|---:|---:|",
        *[f"| {label} | {value:,} | {ms:.1f} |" for label, value, ms in results],
        "",
    ]
    write_section(ROOT / "docs" / "performance.md", "## Organisation tree and scope (issue 2)", "\n".join(lines))
    print("\n".join(lines))


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace the section starting at ``heading`` (up to the next ``## ``) or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\nNumbers from `make bench`.\n\n"
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest.split("\n## ", 1)
        text = before + body + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

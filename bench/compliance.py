"""Benchmark of the compliance engine at province scale; prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accountability_bench_region \\

Generates the synthetic region (``generate_region --scale S --year 2019 --seed 1``) unless ``--reuse``
finds one already there, then measures, on the same data:

- ``engine``: a full-year run (every rule, every period of 2019, as of a day after the year closed)
  by ``manage.py check_compliance`` in a child process: wall seconds, the run's own duration, and the
  child's peak RSS;
- ``bare_sql``: the lower bound — each rule's figure query for each period, aggregated in PostgreSQL
  (``SELECT count(*), sum(figure) FROM (figure) f``) with nothing written; and the same plus the
  subjects counted per place (the engine's second output since issue 8, the dashboards' coverage);
- ``naive``: a per-subject ORM loop (one query per subject and rule, the pattern the design forbids)
  over the five per-person rules (R09.1, R09.2, R10.1–R10.3), on a sample of subjects, extrapolated
  to all of them; below scale 0.02 the sample is every subject.

Ratios: engine ÷ bare SQL (target ≤ 2; reported against the figures alone and against the figures
plus coverage, i.e. the same outputs) and naive ÷ engine on the same five rules (target ≥ 50).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")

YEAR = 2019
AS_OF = datetime.date(YEAR + 1, 2, 1)  # every period of the year has closed
PER_SUBJECT_RULES = ["R09.1", "R09.2", "R10.1", "R10.2", "R10.3"]


def bare_sql(rules: list[str] | None = None, *, coverage: bool = False) -> tuple[float, int]:
    """Seconds to aggregate every figure of the year in SQL, and the subjects counted. With
    ``coverage``, also the other output the engine has produced since issue 8: the subjects of each
    rule and period counted per place (the figure-free subjects grouped by their place, as bare as it
    gets: no pro-rating, nothing written)."""
    from django.db import connection, transaction

    from accountability.choices import PeriodState
    from accountability.compliance import engine
    from accountability.compliance.sql import _unmeasured
    from accountability.compliance.subjects import SUBJECTS, place_join

    started, subjects = time.perf_counter(), 0
    for rule in engine.measurable_rules(rules or ()):
        for period in engine.rule_periods(rule, YEAR):
            figure = engine._figure(rule, period, PeriodState.CLOSING, AS_OF).order_by()
            sql, params = figure.query.sql_with_params()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # as the engine does
                cursor.execute(f"SELECT count(*), sum(CAST(f.figure AS INTEGER)) FROM ({sql}) f", params)
                subjects += cursor.fetchone()[0]
                if coverage:
                    join, place = place_join(SUBJECTS[rule.subject_kind])
                    sql, params = _unmeasured(figure).query.sql_with_params()
                    cursor.execute(f"SELECT {place}, count(*) FROM ({sql}) g {join} GROUP BY 1", params)
                    cursor.fetchall()
    return time.perf_counter() - started, subjects


def naive(sample: int | None) -> tuple[float, int, int]:
    """The per-subject loop over the five per-person rules: (seconds extrapolated to all subjects,
    subjects looped, all subjects)."""
    from accountability.compliance.rules import is_checked, required_minimum
    from households.models import Deed, Pairing, Plan, Visit
    from tiers.periods import Period
    from villagecorps.choices import DUTY_KINDS, NIGHT_KINDS
    from villagecorps.models import DutyDay, Membership

    period = Period("year", YEAR)
    memberships = Membership.objects.overlapping(period.start, period.end).order_by("pk")
    pairings = Pairing.objects.overlapping(period.start, period.end).order_by("pk")
    total = memberships.count() + pairings.count()
    share = 1.0 if sample is None else min(1.0, sample / max(total, 1))
    m_limit = memberships.count() if sample is None else max(1, round(memberships.count() * share))
    p_limit = pairings.count() if sample is None else max(1, round(pairings.count() * share))
    failing: list[tuple[str, int]] = []
    started = time.perf_counter()
    looped = 0
    for m in memberships[:m_limit]:
        start, end = max(m.start, period.start), min(m.end or period.end, period.end)
        assigned = (end - start).days + 1
        for code, minimum, kinds in (("R09.1", 220, DUTY_KINDS), ("R09.2", 160, NIGHT_KINDS)):
            if not is_checked(assigned, period.days, pro_rated=True, min_days=30):
                continue
            actual = DutyDay.objects.filter(membership=m, date__range=(start, end), kind__in=kinds).count()
            if actual < required_minimum(minimum, assigned, period.days, pro_rated=True):
                failing.append((code, m.pk))
        looped += 1
    for p in pairings[:p_limit]:
        start, end = max(p.start, period.start), min(p.end or period.end, period.end)
        assigned = (end - start).days + 1
        records = {"R10.1": (Plan, 1), "R10.2": (Visit, 2), "R10.3": (Deed, 1)}
        for code, (model, minimum) in records.items():
            last = datetime.date(YEAR, 3, 31) if code == "R10.1" else period.end
            if code == "R10.1" and not (start <= last <= end):
                continue
            actual = model.objects.filter(
                helper_id=p.helper_id, household_id=p.household_id, date__range=(period.start, last)
            ).count()
            if actual < required_minimum(minimum, assigned, period.days, pro_rated=True):
                failing.append((code, p.pk))
        looped += 1
    elapsed = time.perf_counter() - started
    return elapsed * total / max(looped, 1), looped, total


def engine_child(rules: list[str]) -> tuple[float, float, int, dict]:
    """Run check_compliance in a child process: wall seconds, run seconds, child peak RSS (MB), counts."""
    command = [sys.executable, str(ROOT / "manage.py"), "check_compliance", "--year", str(YEAR)]
    command += ["--as-of", AS_OF.isoformat()] + [arg for code in rules for arg in ("--rule", code)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    # This child's own usage (RUSAGE_CHILDREN would be the largest of every child so far: the generator's).
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    wall = time.perf_counter() - started
    peak_mb = usage.ru_maxrss // 1024
    from accountability.models import ComplianceRun

    run = ComplianceRun.objects.order_by("-pk").first()
    return wall, run.duration.total_seconds(), peak_mb, run.counts


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accountability_violation, accountability_periodclosure CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use the region already in the database")
    parser.add_argument("--sample", type=int, default=2000, help="subjects of the naive loop above scale 0.02")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from households.models import Household

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL.")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to use a database whose name does not contain 'bench'.")
    call_command("migrate", verbosity=0)
    generated = None
    if not (args.reuse and Household.objects.exists()):
        started = time.perf_counter()
        call_command(
            "generate_region", scale=args.scale, year=YEAR, seed=args.seed, replace=True, stdout=open(os.devnull, "w")
        )
        generated = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    reset()
    lower, subjects = bare_sql()
    lower_with_coverage = bare_sql(coverage=True)[0]
    wall, seconds, peak_mb, counts = engine_child([])
    reset()
    per_subject_engine = engine_child(PER_SUBJECT_RULES)[1]
    naive_seconds, looped, total = naive(None if args.scale < 0.02 else args.sample)
    result = {
        "scale": args.scale,
        "year": YEAR,
        "generated_s": generated,
        "households": Household.objects.count(),
        "subjects": subjects,
        "violations": counts.get("violation", 0),
        "engine_s": round(seconds, 2),
        "engine_wall_s": round(wall, 2),
        "peak_rss_mb": peak_mb,
        "bare_sql_s": round(lower, 2),
        "engine_over_bare_sql": round(seconds / lower, 2),
        "bare_sql_with_coverage_s": round(lower_with_coverage, 2),
        "engine_over_bare_sql_with_coverage": round(seconds / lower_with_coverage, 2),
        "per_subject_rules_engine_s": round(per_subject_engine, 2),
        "naive_s": round(naive_seconds, 1),
        "naive_subjects_looped": looped,
        "naive_subjects_total": total,
        "naive_over_engine": round(naive_seconds / per_subject_engine, 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

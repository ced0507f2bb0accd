"""Load benchmark of logging (issue 10): 50 staff logging visits and duty days at once for 60 s against
gunicorn and PostgreSQL; prints one JSON line (docs/performance.md).

    make bench-load       # re-creates accountability_bench_load: a scale-0.1 region of this year
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accountability_bench_load \\
        .venv/bin/python bench/load.py [--users 50] [--duration 60s] [--wait 1.0] [--workers sync:3]

Needs the ``bench`` extra (locust). Steps:

1. ``migrate``; unless the database holds a region, ``generate_region --scale 0.1 --year <this year>`` (records
   of this year, so pairings and stationings are in force today); then ``VACUUM (ANALYZE)``, as autovacuum would
   leave a database that has been in use (this machine's PostgreSQL runs with autovacuum off: without it the
   first run reads a freshly loaded region whose pages have no visibility map and no hint bits yet), and a
   ``CHECKPOINT`` so that the writing of the generated region's pages does not fall into the measured minute.
2. Half the users are helpers (a person with pairings in force, given an account with the helper role), half
   stationed cadres (a person with a membership in force, given an account); one session each, made with
   Django's session engine as ``login`` does.
3. gunicorn (``accountability.settings.production``, the given workers) on a free loopback port; a smoke check
   (each form opens with 200 for a helper and a cadre, a few times so that every worker has rendered it); then
   locust, headless: each user opens their form and submits it, with a think time around ``--wait`` seconds before
   each round (``bench/locustfile_logging.py``).
4. One JSON line: per request kind the count, failures, rps and p50/p95/p99 as locust saw them (the client's
   time on loopback); the rows written during the run (visits entered, duty days recorded: new or replacing the
   region's record of that day); ``target_met`` is zero failures and an overall p95 ≤ 300 ms. The
   records the run wrote stay in this throw-away database. Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")

from bench.dashboard_load import WorkerConfig, get, gunicorn, percentiles, say, seconds  # noqa: E402

TARGET_P95_MS = 300.0
LOCUSTFILE = ROOT / "bench" / "locustfile_logging.py"
NAMES = ("visit_form", "visit_save", "duty_form", "duty_save")


def manage(*arguments: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], check=True, cwd=ROOT, stdout=sys.stderr)


def prepare(users: int, rounds: int) -> dict[str, Any]:
    """The region, the accounts and their sessions; return the locust plan's people. ``rounds``: the most
    form-and-save rounds one user can run; each helper needs as many free household-days and each cadre a
    stationing that covers as many days back (a run that ran out would fail requests, not measure them)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    if connection.vendor != "postgresql" or "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("DATABASE_URL must name a PostgreSQL benchmark database (its name contains 'bench').")
    manage("migrate", "--noinput", "--verbosity", "0")
    from households.models import Pairing
    from tiers.choices import Role
    from tiers.models import Person
    from tiers.services import role_grant
    from villagecorps.models import Membership

    today = timezone.localdate()
    if not Pairing.objects.exists():
        say(f"Generating a scale-0.1 region of {today.year} …")
        manage("generate_region", "--scale", "0.1", "--year", str(today.year), "--seed", "1")
    back = max(90, rounds)
    in_force = Q(start__lte=today - datetime.timedelta(days=back)) & (Q(end__isnull=True) | Q(end__gte=today))
    stationed = set(Membership.objects.filter(in_force).values_list("person_id", flat=True))
    # The first helpers with enough free household-days for the run (each paired household gives one a day).
    slots: dict[int, list[list[str]]] = {}
    candidates = Person.objects.filter(pairings__in=Pairing.objects.filter(in_force)).exclude(pk__in=stationed)
    for person in candidates.distinct().order_by("pk").iterator():
        free = free_slots(person, Pairing.objects.filter(in_force, helper=person), today, back)
        if len(free) >= rounds:
            slots[person.pk] = free
            if len(slots) == users - users // 2:
                break
    else:
        sys.exit(f"only {len(slots)} helpers have {rounds} free household-days: re-create the database")
    helpers = list(Person.objects.filter(pk__in=slots).order_by("pk"))
    cadres = list(Person.objects.filter(pk__in=stationed).order_by("pk")[: users // 2])
    User = get_user_model()
    people = []
    for kind, persons in (("visit", helpers), ("duty", cadres)):
        for person in persons:
            if person.user_id is None:
                person.user = User.objects.create_user(username=f"bench-{person.code}", password=None)
                person.save(update_fields=["user"])
            if kind == "visit":
                role_grant(user=person.user, role=Role.HELPER)
            entry = {"kind": kind, "cookie": session_for(person.user)}
            if kind == "visit":
                entry["slots"] = slots[person.pk]
            people.append(entry)
    say("VACUUM (ANALYZE), CHECKPOINT …")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")  # the generated region's dirty pages written now, not during the measured run
    return {"people": people, "today": today.isoformat()}


def free_slots(person: Any, pairings: Any, today: datetime.date, days: int = 90) -> list[list[str]]:
    """(household, day) pairs of the last ``days`` days with no visit yet (one a day is the rule; the region
    has visits of its own), newest first, as the helper's visits to log."""
    from households.models import Visit

    codes = list(pairings.values_list("household__code", flat=True))
    taken = set(
        Visit.objects.filter(helper=person, date__gt=today - datetime.timedelta(days=days)).values_list(
            "household__code", "date"
        )
    )
    slots = []
    for back in range(days):
        day = today - datetime.timedelta(days=back)
        slots += [[code, day.isoformat()] for code in codes if (code, day) not in taken]
    return slots


def session_for(user: Any) -> str:
    """A session of ``user`` saved the way ``django.contrib.auth.login`` saves one; its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "accountability.auth.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def rows_written(since: datetime.datetime, until: datetime.datetime) -> dict[str, int]:
    """Visits entered and duty days recorded (new, or replacing the day's earlier record) between ``since`` and
    ``until`` (the generated region covers the whole year: its records of the days after today carry later
    stamps)."""
    from households.models import Visit
    from villagecorps.models import DutyDay

    return {
        "visits_entered": Visit.objects.filter(entered_at__range=(since, until)).count(),
        "duty_days_recorded": DutyDay.objects.filter(recorded_at__range=(since, until)).count(),
    }


def smoke(port: int, plan: dict[str, Any], workers: int) -> None:
    """Each form opens (200) for the first helper and the first cadre, ``2 × workers`` times each so that every
    worker has loaded its templates before the measured run."""
    helper = next(person for person in plan["people"] if person["kind"] == "visit")
    cadre = next(person for person in plan["people"] if person["kind"] == "duty")
    for person, path in ((helper, f"/visits/new/?household={helper['slots'][0][0]}"), (cadre, "/duty/")):
        headers = {"Cookie": f"sessionid={person['cookie']}", "X-Forwarded-Proto": "https"}
        for _ in range(2 * workers):
            status, _ms, body = get(port, path, headers)
            if status != 200:
                raise RuntimeError(f"smoke check: {path} answered {status}: {body[:500]!r}")


def run_locust(port: int, plan: dict[str, Any], workdir: Path, users: int, duration: int, wait: float) -> list:
    out = workdir / "requests.jsonl"
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan | {"out": str(out), "wait": wait}))
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", f"http://127.0.0.1:{port}"]
    command += ["--stop-timeout", "10", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    with open(workdir / "locust.log", "w") as log:
        done = subprocess.run(command, cwd=ROOT, env=os.environ | {"LOAD_BENCH_PLAN": str(plan_file)}, stdout=log,
                              stderr=log, timeout=duration + 120)  # fmt: skip
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"locust failed ({done.returncode}): {(workdir / 'locust.log').read_text()[-2000:]}")
    return [json.loads(line) for line in out.read_text().splitlines()]


def figures(rows: list[list[Any]]) -> dict[str, Any]:
    span = max(start + ms / 1000 for start, _, ms, _, _ in rows) - min(start for start, *_ in rows)
    result = {}
    for name in (*NAMES, "all"):
        mine = [row for row in rows if name in ("all", row[1])]
        result[name] = {"requests": len(mine), "failures": sum(1 for row in mine if not row[4]),
                        "rps": round(len(mine) / span, 1), **percentiles([row[2] for row in mine])}  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=seconds, default=60)
    parser.add_argument("--wait", type=float, default=1.0, help="seconds between a user's requests")
    parser.add_argument("--workers", type=WorkerConfig.parse, default=WorkerConfig.parse("sync:3"))
    args = parser.parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(60)  # the sessions are signed with the server's key
    # Think times are at least half of --wait: the most rounds (form, save) one user can run, and one more.
    plan = prepare(args.users, rounds=math.ceil(args.duration / (0.5 * args.wait)) + 1)
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "accountability.settings.production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "DB_CONN_MAX_AGE": "600",
        "SECURE_SSL_REDIRECT": "1",
    }
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, gunicorn(args.workers, Path(tmp)) as (port, _, _):
        smoke(port, plan, args.workers.workers)
        say(f"gunicorn {args.workers} on 127.0.0.1:{port}; {args.users} users for {args.duration} s …")
        since = datetime.datetime.now(datetime.UTC)
        started = time.perf_counter()
        rows = run_locust(port, plan, Path(tmp), args.users, args.duration, args.wait)
        wall = round(time.perf_counter() - started, 1)
    written = rows_written(since, datetime.datetime.now(datetime.UTC))
    result = figures(rows)
    failures = result["all"]["failures"]
    print(json.dumps({
        "users": args.users, "helpers": sum(p["kind"] == "visit" for p in plan["people"]),
        "cadres": sum(p["kind"] == "duty" for p in plan["people"]), "duration_s": args.duration,
        "wait_s": args.wait, "workers": str(args.workers), "wall_s": wall, "figures": result,
        **written,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": failures == 0 and (result["all"]["p95"] or 0) <= TARGET_P95_MS,
    }, ensure_ascii=False))  # fmt: skip
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

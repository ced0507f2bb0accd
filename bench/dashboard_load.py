"""Load benchmark of the province dashboard under gunicorn (issue 8); prints one JSON line.

    make bench-dashboard      # against accountability_bench_region (the scale-1.0 region)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accountability_bench_region \\
        .venv/bin/python bench/dashboard_load.py [--configs sync:3,sync:5,gthread:2x4] [--duration 60s] [--users 20]

Needs the ``bench`` extra (locust) and a PostgreSQL database holding a synthetic region (``generate_region
--scale 1.0 --year 2019 --seed 1``); the database name must contain ``bench``. Steps:

1. ``migrate``; unless the last finished compliance run of 2019 is a full one (bench/compliance.py, on the same
   database, truncates the violations and ends with five rules), ``check_compliance --year 2019 --as-of
   2020-01-15``; then ``compute_escalations --year 2019 --as-of 2020-01-15`` (after a new run, or when the year has
   no actions), ``refresh_dashboards --year 2019`` (skipped with a message while the command does not exist), and
   ``VACUUM (ANALYZE)`` of the summary tables every refresh rewrites (autovacuum is off on the CI machine's
   PostgreSQL; ``--no-vacuum`` measures them with their dead rows), then ``ANALYZE``.
2. A bench user (``bench-province``) with the role ``provincial_group`` on the province, and one session per
   simulated user made directly with Django's session engine (as ``django.contrib.auth.login`` does), sent as a
   ``Cookie: sessionid=…`` header together with ``X-Forwarded-Proto: https`` (as behind the TLS proxy of a
   deployment: the production settings redirect plain http). The sessions are deleted at the end.
3. For each worker configuration: gunicorn on a free port of 127.0.0.1 with ``accountability.settings.production``
   (random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, DEBUG off, DB_CONN_MAX_AGE=600), its access log printing each
   request's time (``%(D)s``: gunicorn's ``%(M)s`` in microseconds); a smoke check of every URL (and one xlsx
   export), a 10-second locust warm-up, then the measured headless locust run (``bench/locustfile_dashboard.py``:
   N users, zero wait, province overview page : its JSON : a prefecture page = 6 : 3 : 1); gunicorn is stopped
   with SIGTERM afterwards, also on error.
4. One JSON line: per configuration and endpoint the requests, failures, rps and p50/p95/p99 as locust saw them
   (``locust``: the client's time on loopback, which includes the wait for a free worker in gunicorn's listen
   queue) and as gunicorn measured them (``gunicorn``: from the worker reading the request to the last byte
   written, without that wait); CPU seconds of gunicorn, of PostgreSQL's processes for this database, of locust
   and of anything else on the machine during the run. ``best`` is the configuration with the lowest overview p95
   by locust; ``target_met`` is whether that p95 is ≤ 200 ms (``target_met_gunicorn``: the same with gunicorn's
   time). ``commit``, ``uncommitted`` and ``code_changed_during_run`` say which code was measured. Exits 1 when any
   request failed (anything but a 200).

``--fallback-urls`` measures ``/``, ``/api/v1/violations/`` and ``/places/<prefecture>/`` instead (for developing
the harness before the dashboard exists).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2019
AS_OF = "2020-01-15"
TARGET_P95_MS = 200.0
BENCH_USERNAME = "bench-province"
LOCUSTFILE = ROOT / "bench" / "locustfile_dashboard.py"
NAMES = ("overview_html", "overview_json", "prefecture_html")
# Request time in microseconds (gunicorn's %(M)s is the same time truncated to milliseconds).
ACCESS_FORMAT = '%(D)s %(s)s %(m)s "%(U)s" "%(q)s"'
ACCESS_LINE = re.compile(r'^(\d+) (\d{3}) (\S+) "([^"]*)" "([^"]*)"$')


@dataclass(frozen=True)
class WorkerConfig:
    """A gunicorn worker configuration, written ``sync:5`` or ``gthread:2x4`` (workers × threads)."""

    kind: str
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> WorkerConfig:
        kind, _, count = text.partition(":")
        workers, _, threads = count.partition("x")
        if kind not in ("sync", "gthread") or not workers.isdigit() or (threads and not threads.isdigit()):
            raise argparse.ArgumentTypeError(f"worker configuration: sync:N or gthread:NxT, not {text!r}")
        return cls(kind, int(workers), int(threads or 1))

    def __str__(self) -> str:
        return f"{self.kind}:{self.workers}" + (f"x{self.threads}" if self.kind == "gthread" else "")

    def arguments(self) -> list[str]:
        extra = ["--threads", str(self.threads)] if self.kind == "gthread" else []
        return ["--worker-class", self.kind, "--workers", str(self.workers), *extra]


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 (nearest rank) of ``values`` in ms, rounded to 0.1 ms."""
    ordered = sorted(values)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        index = max(0, min(len(ordered) - 1, -(-len(ordered) * q // 100) - 1))
        return round(ordered[int(index)], 1)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99)}


def seconds(text: str) -> int:
    """``60s``, ``2m`` or ``90`` as seconds."""
    match = re.fullmatch(r"(\d+)([sm]?)", text)
    if not match:
        raise argparse.ArgumentTypeError(f"a duration like 60s or 2m, not {text!r}")
    return int(match[1]) * (60 if match[2] == "m" else 1)


def say(message: str) -> None:
    """Progress on stderr (stdout carries only the JSON line)."""
    print(message, file=sys.stderr, flush=True)


def manage(*arguments: str) -> float:
    """Run a management command in a child process (output to stderr); return its wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments], check=True, cwd=ROOT, stdout=sys.stderr.fileno()
    )
    return round(time.perf_counter() - started, 1)


def prepare(users: int, fallback: bool, vacuum: bool = True) -> dict[str, Any]:
    """Migrate, run the compliance and escalation engines if needed, refresh the summaries, make the bench user
    and its sessions; return the URLs, cookies and what was done."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import get_commands
    from django.db import connection
    from django.urls import Resolver404, resolve

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL.")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to use a database whose name does not contain 'bench'.")
    setup: dict[str, Any] = {"migrate_s": manage("migrate", "--noinput", "--verbosity", "0")}

    from accountability.choices import RunMode, RunStatus
    from accountability.models import Action, ComplianceRun
    from households.models import Household
    from tiers.choices import PlaceLevel, Role
    from tiers.models import Place

    households = Household.objects.count()
    if not households:
        sys.exit("No region in this database: run generate_region --scale 1.0 --year 2019 --seed 1 first.")
    # The last finished run of the year must be a full one: bench/compliance.py, on the same database, truncates the
    # violations and ends with a run of five rules only.
    finished = ComplianceRun.objects.filter(year=YEAR, status=RunStatus.SUCCEEDED, mode=RunMode.ALL)
    run = finished.order_by("-finished_at").first()
    if run is None or run.rules:
        say(f"No full compliance run is the last of {YEAR}: running the compliance and escalation engines.")
        setup["check_compliance_s"] = manage("check_compliance", "--year", str(YEAR), "--as-of", AS_OF)
        run = finished.order_by("-finished_at").first()
    if "check_compliance_s" in setup or not Action.objects.filter(year=YEAR).exists():
        setup["compute_escalations_s"] = manage("compute_escalations", "--year", str(YEAR), "--as-of", AS_OF)
    setup["compliance_run"] = f"#{run.pk} as of {run.as_of}" if run else None
    if "refresh_dashboards" in get_commands():
        setup["refresh_dashboards_s"] = manage("refresh_dashboards", "--year", str(YEAR))
    else:
        say("refresh_dashboards does not exist yet: the summaries are not refreshed.")
        setup["refresh_dashboards_s"] = None
    if vacuum:
        setup |= vacuum_summaries()
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    province = Place.objects.get(depth=1)
    prefectures = list(Place.objects.filter(level=PlaceLevel.PREFECTURE).values_list("code", flat=True))
    if fallback:
        urls = {
            "overview_html": "/",
            "overview_json": f"/api/v1/violations/?year={YEAR}",
            "prefectures": [f"/places/{code}/" for code in prefectures],
            "xlsx": None,
        }
    else:
        urls = {
            "overview_html": f"/dashboard/places/{province.code}/?year={YEAR}",
            "overview_json": f"/api/v1/dashboard/places/{province.code}/?year={YEAR}",
            "prefectures": [f"/dashboard/places/{code}/?year={YEAR}" for code in prefectures],
            "xlsx": f"/dashboard/places/{province.code}/?year={YEAR}&format=xlsx&table=children",
        }
    for path in (urls["overview_html"], urls["overview_json"], urls["prefectures"][0]):
        try:
            resolve(path.partition("?")[0])
        except Resolver404:
            sys.exit(f"{path} is not a URL of this tree yet (use --fallback-urls to develop the harness).")
    return {
        "households": households,
        "setup": setup,
        "urls": urls,
        "cookies": sessions_create(province, users, Role.PROVINCIAL_GROUP),
    }


def vacuum_summaries() -> dict[str, Any]:
    """``VACUUM (ANALYZE)`` the tables every refresh rewrites, then ``ANALYZE`` the rest; return the dead rows the
    summaries had and the seconds taken.

    Each compliance run, escalation computation and refresh deletes and re-inserts the year's summary rows; with
    autovacuum off (as on the CI machine's PostgreSQL) the dead rows pile up and every read of a summary scans them.
    The benchmark measures the tables as autovacuum would leave them."""
    from django.db import connection

    from accountability import models

    tables = [getattr(models, name)._meta.db_table for name in ("Summary", "UnitSummary", "ActionSummary", "Coverage")]
    tables = [table for table in tables if table in connection.introspection.table_names()]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = ANY(%s)", [tables]
        )
        dead = {table: {"live": live, "dead": dead} for table, live, dead in cursor.fetchall()}
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        cursor.execute("ANALYZE")
    return {"rows_before_vacuum": dead, "vacuum_analyze_s": round(time.perf_counter() - started, 1)}


def sessions_create(province: Any, count: int, role: str) -> list[str]:
    """The bench user with ``role`` on the province (made once, reused), and ``count`` fresh sessions of it, saved
    the way ``django.contrib.auth.login`` saves them; return their keys."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from tiers.services import role_grant

    user, created = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    role_grant(user=user, role=role, place=province)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for _ in range(count):
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "accountability.auth.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def sessions_delete(keys: list[str]) -> None:
    """Remove the benchmark's sessions."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(config: WorkerConfig, workdir: Path) -> Iterator[tuple[int, Path, int]]:
    """Serve the project with gunicorn on a free loopback port; yield (port, access log, master pid); stop it
    with SIGTERM (graceful) on the way out."""
    port = free_port()
    access, errors = workdir / f"access-{config}.log", workdir / f"error-{config}.log"
    command = [sys.executable, "-m", "gunicorn", "accountability.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += config.arguments() + ["--timeout", "120", "--graceful-timeout", "10", "--chdir", str(ROOT)]
    command += ["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT, "--error-logfile", str(errors)]
    server = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({server.returncode}): {errors.read_text()[-2000:]}")
            try:
                get(port, "/accounts/login/", {})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield port, access, server.pid
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, float, bytes]:
    """One GET on loopback: (status, ms, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, (time.perf_counter() - started) * 1000, body
    finally:
        connection.close()


def smoke(port: int, urls: dict[str, Any], cookie: str) -> dict[str, float]:
    """Every URL once (the xlsx export too), each must answer 200; return their times (ms) of this first call."""
    headers = {"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
    paths = {"overview_html": urls["overview_html"], "overview_json": urls["overview_json"]}
    paths |= {f"prefecture {path}": path for path in urls["prefectures"]}
    if urls["xlsx"]:
        paths["xlsx"] = urls["xlsx"]
    times = {}
    for name, path in paths.items():
        status, ms, body = get(port, path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        if name == "xlsx" and not body.startswith(b"PK"):
            raise RuntimeError(f"GET {path} is not an .xlsx file: {body[:300]!r}")
        times[name] = round(ms, 1)
    return times


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each of these processes (psutil, from the bench extra)."""
    import psutil

    seconds = {}
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = psutil.Process(pid).cpu_times()
            seconds[pid] = times.user + times.system
    return seconds


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy so far (all cores: user, nice, system, irq, softirq)."""
    import psutil

    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


def server_pids(master: int) -> tuple[list[int], list[int]]:
    """gunicorn's master and workers; the PostgreSQL processes working for this database (its sessions and
    autovacuum workers, from ``pg_stat_activity``)."""
    import psutil
    from django.db import connection

    gunicorn = [master, *(child.pid for child in psutil.Process(master).children(recursive=True))]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        postgres = [pid for (pid,) in cursor.fetchall()]
    return gunicorn, postgres


def locust(port: int, plan: dict[str, Any], workdir: Path, users: int, duration: int, tag: str) -> dict[str, Any]:
    """Run locust headless against the server; return its raw requests and its own CPU seconds."""
    out = workdir / f"requests-{tag}.jsonl"
    plan_file = workdir / f"plan-{tag}.json"
    plan_file.write_text(json.dumps(plan | {"out": str(out)}))
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", f"http://127.0.0.1:{port}"]
    command += ["--stop-timeout", "10", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(workdir / f"locust-{tag}.log", "w") as log:
        # -t bounds the run; the timeout is a backstop (subprocess.run kills locust when it expires).
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=os.environ | {"DASHBOARD_BENCH_PLAN": str(plan_file)},
            stdout=log,
            stderr=log,
            timeout=duration + 120,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"locust failed ({done.returncode}): {(workdir / f'locust-{tag}.log').read_text()[-2000:]}")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"rows": rows, "cpu_s": cpu}


def locust_figures(rows: list[list[Any]]) -> dict[str, Any]:
    """Per endpoint (and all): requests, failures, rps, p50/p95/p99 of the client-side times."""
    if not rows:
        return {}
    span = max(start + ms / 1000 for start, _, ms, _, _ in rows) - min(start for start, *_ in rows)
    figures = {}
    for name in (*NAMES, "all"):
        mine = [row for row in rows if name in ("all", row[1])]
        figures[name] = {
            "requests": len(mine),
            "failures": sum(1 for row in mine if not row[4]),
            "rps": round(len(mine) / span, 1),
            **percentiles([row[2] for row in mine]),
        }
    return figures


def gunicorn_figures(access: Path, offset: int, urls: dict[str, Any]) -> dict[str, Any]:
    """Per endpoint: requests, non-2xx and p50/p95/p99 of gunicorn's own request times, from ``offset`` bytes into
    its access log (the measured run only)."""
    names = {urls["overview_html"]: "overview_html", urls["overview_json"]: "overview_json"}
    names |= dict.fromkeys(urls["prefectures"], "prefecture_html")
    times: dict[str, list[float]] = {name: [] for name in (*NAMES, "all")}
    errors: dict[str, int] = dict.fromkeys(times, 0)
    with open(access, "rb") as log:
        log.seek(offset)
        for line in log.read().decode().splitlines():
            match = ACCESS_LINE.match(line)
            if not match:
                continue
            micros, status, _method, path, query = match.groups()
            name = names.get(path + (f"?{query}" if query else ""), "other")
            for key in (name, "all") if name != "other" else ("all",):
                times[key].append(int(micros) / 1000)
                errors[key] += not status.startswith("2")
    return {name: {"requests": len(ms), "non_2xx": errors[name], **percentiles(ms)} for name, ms in times.items()}


def measure(
    config: WorkerConfig, prepared: dict[str, Any], workdir: Path, users: int, duration: int, wait: float
) -> dict[str, Any]:
    """One worker configuration: serve, smoke-check, warm up, measure; return its figures."""
    urls = prepared["urls"]
    plan = {
        "cookies": prepared["cookies"],
        "overview": urls["overview_html"],
        "json": urls["overview_json"],
        "prefectures": urls["prefectures"],
        "wait": wait,
    }
    say(f"[{config}] starting gunicorn")
    with gunicorn(config, workdir) as (port, access, master):
        first = smoke(port, urls, prepared["cookies"][0])
        say(f"[{config}] first calls (ms): {json.dumps(first, ensure_ascii=False)}")
        locust(port, plan, workdir, users, 10, f"{config}-warmup")
        offset = access.stat().st_size
        load = os.getloadavg()[0]
        say(f"[{config}] measuring: {users} users for {duration} s (load average before: {load:.2f})")
        gunicorn_pids, postgres_pids = server_pids(master)
        cpu_before, machine_before = process_cpu(gunicorn_pids + postgres_pids), machine_busy()
        run = locust(port, plan, workdir, users, duration, str(config))
        gunicorn_pids, postgres_pids = server_pids(master)
        cpu_after, machine = process_cpu(gunicorn_pids + postgres_pids), machine_busy() - machine_before
        # A process born during the run counts from zero; one that ended during it is lost.
        used = {pid: cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after}
        time.sleep(0.5)  # the access log is written after the response
        server = gunicorn_figures(access, offset, urls)
    client = locust_figures(run["rows"])
    cpu = {
        "gunicorn": round(sum(t for pid, t in used.items() if pid in gunicorn_pids), 1),
        "postgres": round(sum(t for pid, t in used.items() if pid not in gunicorn_pids), 1),
        "locust": round(run["cpu_s"], 1),
    }
    return {
        "workers": str(config),
        "requests": client["all"]["requests"],
        "failures": client["all"]["failures"],
        "rps": client["all"]["rps"],
        "locust": client,
        "gunicorn": server,
        "cpu_s": cpu
        | {
            "other": round(machine - sum(cpu.values()), 1),
            "machine_busy": round(machine, 1),
            "available": (os.cpu_count() or 1) * duration,
        },
        "first_call_ms": {k: v for k, v in first.items() if not k.startswith("prefecture ")},
        "load_average_before": round(load, 2),
    }


def git_state() -> dict[str, Any]:
    """The commit measured, the files of the tree that differ from it (other than the benchmark's own) and a
    fingerprint of those differences (to tell whether the code changed during the benchmark)."""
    mine = ("bench/", "docs/performance.md", "Makefile", "pyproject.toml")
    excluded = [f":(exclude){path}" for path in mine]

    def git(*arguments: str) -> str:
        try:
            return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True).stdout
        except OSError:
            return ""

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if not line[3:].startswith(mine)]
    diff = git("diff", "HEAD", "--", ".", *excluded) + "".join(
        Path(ROOT / path).read_text(errors="replace") for path in changed if (ROOT / path).is_file()
    )
    fingerprint = hashlib.sha1(diff.encode()).hexdigest()[:12]
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or None, "uncommitted": changed, "tree": fingerprint}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--configs",
        type=lambda text: [WorkerConfig.parse(item) for item in text.split(",")],
        default=[WorkerConfig("sync", 3), WorkerConfig("sync", 5), WorkerConfig("gthread", 2, 4)],
        help="gunicorn worker configurations to compare: sync:N or gthread:NxT, comma-separated (default "
        "sync:3,sync:5,gthread:2x4: cores + 1 and 2 × cores + 1 processes, or 2 processes of 4 threads)",
    )
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--duration", type=seconds, default=60, help="measured run per configuration (default 60s)")
    parser.add_argument("--wait", type=float, default=0.0, help="seconds each user waits between requests (0)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=600,
        help="DB_CONN_MAX_AGE of the server: persistent connections, not recycled during a run (600)",
    )
    parser.add_argument("--fallback-urls", action="store_true", help="measure /, the violations API and /places/")
    parser.add_argument(
        "--no-vacuum", action="store_true", help="measure the summaries with their dead rows (no VACUUM, only ANALYZE)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs and raw requests (printed directory)")
    args = parser.parse_args()

    # The server's environment, also this process's: the sessions are signed with the same SECRET_KEY.
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "accountability.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "DB_CONN_MAX_AGE": str(args.conn_max_age),
        "LOG_LEVEL": "WARNING",
    }
    # A SIGTERM to the harness unwinds like Ctrl-C, so that gunicorn is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    tree = git_state()
    workdir = Path(tempfile.mkdtemp(prefix="dashboard-load-"))
    prepared = prepare(args.users, args.fallback_urls, vacuum=not args.no_vacuum)
    results, keep = [], True
    try:
        for config in args.configs:
            results.append(measure(config, prepared, workdir, args.users, args.duration, args.wait))
            overview = results[-1]["locust"]["overview_html"]
            say(f"[{config}] {results[-1]['rps']} rps, overview p95 {overview['p95']} ms")
        keep = args.keep
    finally:
        sessions_delete(prepared["cookies"])
        if keep:
            say(f"logs and raw requests kept in {workdir}")
        else:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()

    best = min(results, key=lambda r: r["locust"]["overview_html"]["p95"] or float("inf"))
    p95 = best["locust"]["overview_html"]["p95"]
    server_p95 = best["gunicorn"]["overview_html"]["p95"]
    result = {
        "commit": tree["commit"],
        "uncommitted": tree["uncommitted"],
        "code_changed_during_run": git_state() != tree,
        "scale": round(prepared["households"] / 1_000_000, 3),
        "households": prepared["households"],
        "year": YEAR,
        "users": args.users,
        "duration_s": args.duration,
        "wait_s": args.wait,
        "conn_max_age": args.conn_max_age,
        "vacuum": not args.no_vacuum,
        "urls": {k: v for k, v in prepared["urls"].items() if k != "prefectures"}
        | {"prefectures": len(prepared["urls"]["prefectures"])},
        "setup": prepared["setup"],
        "best": best["workers"],
        "requests": best["requests"],
        "failures": sum(r["failures"] for r in results),
        "rps": best["rps"],
        "overview_p95_ms": p95,
        "overview_p95_ms_gunicorn": server_p95,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 is not None and p95 <= TARGET_P95_MS,
        "target_met_gunicorn": server_p95 is not None and server_p95 <= TARGET_P95_MS,
        "configs": results,
    }
    print(json.dumps(result, ensure_ascii=False))
    if result["failures"] or any(r["gunicorn"]["all"]["non_2xx"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()

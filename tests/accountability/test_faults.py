"""Faults (issue 10), with the real services: a Celery worker process killed in the middle of a
compliance run, and the broker unreachable from the web process while people keep working."""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accountability.choices import RunStatus
from accountability.compliance import engine
from accountability.models import ComplianceRun, RuleEvaluation, Violation
from households.models import Visit
from tests.conftest import REQUIRE_SERVICES
from tests.factories import PersonFactory, UserFactory, user_with_role
from tests.households.factories import HouseholdFactory, PairingFactory, VisitFactory
from tiers.choices import Role
from tiers.services import role_grant

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date
RULES = ["R10.2", "R10.3"]


def needs_redis() -> None:
    if not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("REDIS_URL is required for the fault tests")
        pytest.skip("needs REDIS_URL (a real broker); CI sets it")


def wait(predicate: Any, timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def outcome() -> set[tuple]:
    """The violations as a run leaves them (what an uninterrupted run must also leave)."""
    return set(
        Violation.objects.values_list(
            "rule__code", "period_kind", "period_year", "period_index", "subject_key", "status", "required",
            "actual", "shortfall", "severity",
        )
    )  # fmt: skip


@contextlib.contextmanager
def worker_process(queue: str) -> Iterator[subprocess.Popen]:
    """A Celery worker in its own process (prefork, one child), on the test database, consuming ``queue``."""
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "accountability", "worker", "-Q", queue, "-c", "1", "-P", "prefork",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.celery_worker
def test_a_worker_killed_mid_rule_redoes_it_and_finds_what_an_uninterrupted_run_finds(
    transactional_db: None, django_db_serialized_rollback: None, place_tree: Any
) -> None:
    from accountability.tasks import rule_evaluation_task

    needs_redis()
    for n in range(3):
        pairing = PairingFactory(start=D(2019, 1, 1))
        for month in range(1, n + 1):
            VisitFactory(pairing=pairing, date=D(2019, month * 3, 1))
    run = engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 12, 31), rules=RULES)
    evaluations = engine.compliance_run_start(run)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    blocker = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    try:
        with worker_process(queue) as worker:
            # Hold the violations table: the worker's first write of the rule waits on it, mid-rule.
            blocker.cursor().execute(f"LOCK TABLE {Violation._meta.db_table} IN EXCLUSIVE MODE")
            for evaluation in evaluations:
                rule_evaluation_task.apply_async((evaluation.pk,), queue=queue)
            first = evaluations[0]
            wait(lambda: RuleEvaluation.objects.filter(pk=first.pk, status=RunStatus.RUNNING).exists(), what="start")
            cursor = blocker.cursor()
            waiting = wait(
                lambda: (
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    or cursor.fetchall()
                ),
                what="the worker blocked mid-rule",
            )
            (child,) = wait(lambda: children(worker.pid), what="the pool process")
            os.kill(child, signal.SIGKILL)  # the process doing the rule dies, as under the OOM killer
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", ([p for (p,) in waiting],))
            blocker.rollback()  # the table is free again; the dead process's transaction was never committed
            run = wait(
                lambda: ComplianceRun.objects.filter(pk=run.pk, finished_at__isnull=False).first(), what="the run"
            )
    finally:
        blocker.close()
    assert run.status == RunStatus.SUCCEEDED, run.error
    first.refresh_from_db()
    assert (first.status, first.attempts) == (RunStatus.SUCCEEDED, 2)  # redelivered after the kill, and redone
    after_fault = outcome()
    assert after_fault  # the helpers short of visits

    Violation.objects.all().delete()
    again = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 12, 31), rules=RULES)
    )
    assert again.status == RunStatus.SUCCEEDED
    assert outcome() == after_fault


# -- the broker down -----------------------------------------------------------------------------------


@contextlib.contextmanager
def broker_unreachable() -> Iterator[None]:
    """Point this process's Celery app (broker and result backend) at a port nothing listens on, as if
    Redis were down; the shared Redis the other tests use stays up. Restored on exit."""
    from accountability.celery import app

    def point(broker: str, backend: str) -> None:
        # Only references are dropped: kombu's pools are shared per URL, and the real one is reused after.
        app.conf.broker_url, app.conf.result_backend = broker, backend
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    saved = app.conf.broker_url, app.conf.result_backend
    dead = "redis://127.0.0.1:1/0"
    point(dead, dead)
    try:
        yield
    finally:
        point(*saved)


@pytest.mark.celery_worker
def test_with_redis_down_pages_and_logging_work_and_waiting_work_resumes_when_it_returns(
    celery_app_worker: Any, place_tree: Any, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accountability.tasks import requeue_waiting
    from rosters.models import RosterImport
    from tests.rosters.test_workbook import HH, xlsx

    needs_redis()
    settings.MEDIA_ROOT = tmp_path
    village = place_tree["620123101201"]
    helper = PersonFactory(code="P-DOWN", user=UserFactory(username="helper-down"))
    role_grant(user=helper.user, role=Role.HELPER)
    household = HouseholdFactory(code="H-DOWN", village=village)
    PairingFactory(helper=helper, household=household, start=D(2019, 1, 1))
    staff, admin, cadre = Client(), Client(), Client()
    staff.force_login(user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    admin.force_login(UserFactory(username="root-down", is_superuser=True, is_staff=True))
    cadre.force_login(helper.user)

    with broker_unreachable():
        assert staff.get("/").status_code == 200
        assert staff.get(reverse("households:household-detail", args=["H-DOWN"])).status_code == 200
        assert staff.get("/dashboard/").status_code in (200, 302)
        logged = cadre.post(reverse("households:visit-new"), {"household": "H-DOWN", "date": "2019-06-01"})
        assert logged.status_code == 302 and Visit.objects.filter(household=household).exists()
        roster = xlsx({"帮扶户": [HH, ["H-DOWN-2", "李四", "620123101201", 3]]})
        upload = admin.post(
            "/rosters/import/", {"file": SimpleUploadedFile("名册.xlsx", roster), "as_of": "2019-06-01"}
        )
        assert upload.status_code == 302
        record = RosterImport.objects.get()
        assert (record.status, record.task_id) == ("queued", "")  # saved, waiting for the broker
        assert admin.get(upload["Location"]).status_code == 200
        assert admin.get(f"/rosters/imports/{record.pk}/progress.json").json()["status"] == "queued"

    # Redis is back: the beat task sends what waited, and the worker does it.
    assert requeue_waiting.apply().get()["uploads"] == 1
    record = wait(lambda: RosterImport.objects.filter(pk=record.pk, status="finished").first(), what="the preview")
    assert (record.outcome, record.counts["households"]["new"]) == ("previewed", 1)

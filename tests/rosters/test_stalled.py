"""A roster upload never stays "处理中" for ever (issue 17, item 6): the worker holds the upload's advisory
lock while it works, so "running with the lock free" means no live worker is on it. Such an upload is
shown as stalled with a retry button, and ``requeue_waiting`` queues it again; a worker killed mid-import
(a real prefork worker, SIGKILL) is taken over by the redelivered task or, when the whole worker died,
by the next worker once it is requeued. An unexpected error marks the upload failed."""

from __future__ import annotations

import datetime
import os
import signal
import uuid
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from celery import current_app
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from households.models import Household
from rosters import services
from rosters.messages import Msg
from rosters.models import Outcome, RosterImport, Status
from tests.accountability.test_faults import children, needs_redis, wait, worker_process
from tests.factories import UserFactory
from tests.rosters.test_workbook import HH, xlsx
from tiers.locks import lock_key

ROWS = 3000


@pytest.fixture
def eager() -> Any:
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks: PostgreSQL only (SQLite uses the started-at timeout, tested below)")


def workbook(rows: int = 3) -> bytes:
    return xlsx({"帮扶户": [HH] + [[f"HS{i:05d}", "户主", "620123101201", 3] for i in range(rows)]})


def queued(content: bytes) -> RosterImport:
    """An upload waiting for its task (sent by the test, to the queue it chooses)."""
    record = RosterImport(
        file_name="名册.xlsx", sha256="", size=len(content), dry_run=True, as_of=datetime.date(2020, 1, 1),
        status=Status.QUEUED,
    )  # fmt: skip
    record.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
    record.save()
    return record


def other_session() -> Any:
    db = connection.settings_dict
    return psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])


@pytest.mark.django_db
def test_running_without_a_live_worker_is_stalled_shown_and_retried(
    place_tree: Any, settings: Any, tmp_path: Path, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    needs_postgres()
    settings.MEDIA_ROOT = tmp_path
    record = queued(workbook())
    RosterImport.objects.filter(pk=record.pk).update(status=Status.RUNNING, started_at=timezone.now())
    record.refresh_from_db()
    admin = Client()
    admin.force_login(UserFactory(username="root-stalled", is_superuser=True, is_staff=True))

    worker = other_session()  # a live worker on it: its session holds the upload's lock
    try:
        worker.cursor().execute("SELECT pg_advisory_lock(%s)", [lock_key(services.IMPORT_LOCK, record.pk)])
        assert not services.roster_import_stalled(record)
        page = admin.get(f"/rosters/imports/{record.pk}/").content.decode()
        assert str(Msg.STALLED) not in page and "roster-progress" in page
        assert not services.roster_import_retry(record=record)
    finally:
        worker.close()  # the worker dies: PostgreSQL releases its lock

    assert wait(lambda: services.roster_import_stalled(record), timeout=10, what="the lock released")
    page = admin.get(f"/rosters/imports/{record.pk}/").content.decode()
    assert str(Msg.STALLED) in page and f"/rosters/imports/{record.pk}/retry/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/rosters/imports/{record.pk}/retry/", follow=True)
    assert str(Msg.RETRIED) in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.outcome, record.counts["households"]["new"]) == ("finished", "previewed", 3)
    assert not services.roster_import_stalled(record)
    assert str(Msg.NOT_STALLED) in admin.post(f"/rosters/imports/{record.pk}/retry/", follow=True).content.decode()


@pytest.mark.django_db
def test_without_advisory_locks_a_long_running_upload_is_stalled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "sqlite")
    record = RosterImport(status=Status.RUNNING, started_at=timezone.now())
    assert not services.roster_import_stalled(record)
    record.started_at = timezone.now() - services.STALL_AFTER - datetime.timedelta(seconds=1)
    assert services.roster_import_stalled(record)
    record.status = Status.FINISHED
    assert not services.roster_import_stalled(record)


@pytest.mark.django_db
def test_an_unexpected_error_marks_the_upload_failed_not_running(
    place_tree: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = queued(workbook())

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services, "roster_import", broken)
    record = services.roster_import_execute(record.pk)
    assert (record.status, record.outcome) == (Status.FAILED, Outcome.REFUSED)
    assert record.problems == [str(Msg.CRASHED % {"error": "RuntimeError: 磁盘已满"})]
    assert services.roster_import_execute(record.pk).status == Status.FAILED  # done with: not run again


# --- a worker killed mid-import ------------------------------------------------------------------------------


def _block_households(blocker: Any) -> None:
    blocker.cursor().execute(f"LOCK TABLE {Household._meta.db_table} IN EXCLUSIVE MODE")


def _waiting_backends(blocker: Any) -> list[int]:
    cursor = blocker.cursor()
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND wait_event <> 'advisory'"
    )
    return [pid for (pid,) in cursor.fetchall()]


def _release(blocker: Any, waiting: list[int]) -> None:
    cursor = blocker.cursor()
    cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", (waiting,))
    blocker.rollback()


@pytest.mark.celery_worker
def test_a_worker_process_killed_mid_import_is_taken_over_by_the_redelivered_task(
    transactional_db: None,
    django_db_serialized_rollback: None,
    place_tree: Any,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rosters.tasks import roster_import_task

    needs_redis()
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    record = queued(workbook(ROWS))
    queue = f"roster-faults-{uuid.uuid4().hex[:8]}"
    blocker = other_session()
    try:
        with worker_process(queue) as worker:
            _block_households(blocker)  # the worker's first write of households waits on it, mid-import
            roster_import_task.apply_async((record.pk,), queue=queue)
            wait(lambda: RosterImport.objects.filter(pk=record.pk, status=Status.RUNNING).exists(), what="start")
            waiting = wait(lambda: _waiting_backends(blocker), what="the worker blocked mid-import")
            (child,) = wait(lambda: children(worker.pid), what="the pool process")
            os.kill(child, signal.SIGKILL)  # the process doing the import dies, as under the OOM killer
            _release(blocker, waiting)  # its backend goes, and with it the upload's lock
            record = wait(
                lambda: RosterImport.objects.filter(pk=record.pk, status=Status.FINISHED).first(),
                timeout=120,
                what="the redelivered import",
            )
    finally:
        blocker.close()
    assert (record.outcome, record.counts["households"]["new"]) == (Outcome.PREVIEWED, ROWS)
    assert Household.objects.count() == 0  # a preview: nothing written, by the dead worker or the second


@pytest.mark.celery_worker
def test_a_whole_worker_killed_mid_import_leaves_it_stalled_until_requeued(
    celery_app_worker: Any,
    place_tree: Any,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accountability.tasks import requeue_waiting
    from rosters.tasks import roster_import_task

    needs_redis()
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    record = queued(workbook(ROWS))
    queue = f"roster-faults-{uuid.uuid4().hex[:8]}"
    blocker = other_session()
    try:
        with worker_process(queue) as worker:
            _block_households(blocker)
            roster_import_task.apply_async((record.pk,), queue=queue)
            wait(lambda: RosterImport.objects.filter(pk=record.pk, status=Status.RUNNING).exists(), what="start")
            waiting = wait(lambda: _waiting_backends(blocker), what="the worker blocked mid-import")
            os.killpg(worker.pid, signal.SIGKILL)  # the whole worker: nobody is left to redeliver to
            _release(blocker, waiting)
            record.refresh_from_db()
            assert record.status == Status.RUNNING  # what the attack saw: "处理中" with nobody on it
            assert wait(lambda: services.roster_import_stalled(record), what="the lock released")
            admin = Client()
            admin.force_login(UserFactory(username="root-killed", is_superuser=True, is_staff=True))
            assert str(Msg.STALLED) in admin.get(f"/rosters/imports/{record.pk}/").content.decode()
    finally:
        blocker.close()
    assert requeue_waiting.apply().get()["stalled"] == 1  # the beat task queues it again
    record = wait(
        lambda: RosterImport.objects.filter(pk=record.pk, status=Status.FINISHED).first(),
        timeout=120,
        what="the requeued import",
    )
    assert (record.outcome, record.counts["households"]["new"]) == (Outcome.PREVIEWED, ROWS)

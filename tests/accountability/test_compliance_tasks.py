"""A compliance run on a real Celery worker over Redis (CI): one task per rule, idempotent redelivery,
and the beat schedule stored in django-celery-beat."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from accountability.choices import RunMode, RunStatus, ViolationStatus
from accountability.compliance import engine
from accountability.models import ComplianceRun, RuleEvaluation, Violation
from tests.households.factories import PairingFactory, VisitFactory

D = datetime.date


def wait_for(run: ComplianceRun, timeout: float = 60) -> ComplianceRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished_at:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} did not finish: {run.status}")


@pytest.mark.celery_worker
def test_a_run_on_the_worker_evaluates_each_rule_in_its_own_task(celery_app_worker: Any, place_tree: Any) -> None:
    from accountability.tasks import compliance_run_task

    short = PairingFactory()
    VisitFactory(pairing=short, date=D(2019, 5, 1))
    run = engine.compliance_run_create(trigger="user", year=2019, as_of=D(2019, 12, 31), rules=["R10.2", "R10.3"])

    assert compliance_run_task.delay(run.pk).get(timeout=30) == 2  # fanned out: one task per rule

    run = wait_for(run)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [e.rule.code for e in run.evaluations.all()] == ["R10.2", "R10.3"]
    assert {e.status for e in run.evaluations.all()} == {RunStatus.SUCCEEDED}
    row = Violation.objects.get(rule__code="R10.2")
    assert (row.person, row.household, row.actual, row.required, row.run) == (short.helper, short.household, 1, 2, run)
    assert run.counts[ViolationStatus.VIOLATION] == 2  # R10.2 and R10.3 of the one pairing

    # The run's last task enqueued the escalation engine: the helper's 约谈 (E10.1) is proposed.
    from accountability.models import Action

    deadline = time.monotonic() + 30
    while not Action.objects.filter(escalation__code="E10.1").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    action = Action.objects.get(escalation__code="E10.1")
    assert (action.person, action.kind, action.triggers.count()) == (short.helper, "admonish", 2)


@pytest.mark.celery_worker
def test_a_redelivered_rule_task_is_redone_or_skipped_without_duplicates(
    celery_app_worker: Any, place_tree: Any
) -> None:
    from accountability.tasks import rule_evaluation_task

    PairingFactory()
    run = engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 12, 31), rules=["R10.2"])
    (evaluation,) = engine.compliance_run_start(run)
    # A worker died mid-rule: the evaluation was left running; the redelivered task redoes it.
    RuleEvaluation.objects.filter(pk=evaluation.pk).update(status=RunStatus.RUNNING, attempts=1)
    rule_evaluation_task.delay(evaluation.pk).get(timeout=30)
    rule_evaluation_task.delay(evaluation.pk).get(timeout=30)  # delivered once more: a no-op

    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.attempts) == (RunStatus.SUCCEEDED, 2)
    assert Violation.objects.filter(rule__code="R10.2").count() == 1
    assert wait_for(run).status == RunStatus.SUCCEEDED


@pytest.mark.django_db
def test_the_schedule_lives_in_django_celery_beat() -> None:
    from django_celery_beat.models import PeriodicTask

    tasks = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="accountability.tasks.compliance")}
    assert set(tasks) == {"accountability.tasks.compliance_nightly", "accountability.tasks.compliance_closing"}
    assert all(t.enabled and t.crontab is not None for t in tasks.values())
    assert tasks["accountability.tasks.compliance_nightly"].crontab.hour == "2"


@pytest.mark.django_db
def test_scheduled_runs_look_at_this_year_and_last_year_in_january() -> None:
    runs = engine.compliance_runs_schedule(RunMode.NIGHTLY, today=D(2020, 1, 5))
    assert [(r.year, r.as_of, r.trigger, r.mode) for r in runs] == [
        (2019, D(2020, 1, 5), "schedule", "nightly"),
        (2020, D(2020, 1, 5), "schedule", "nightly"),
    ]
    assert [r.year for r in engine.compliance_runs_schedule(RunMode.CLOSING, today=D(2020, 6, 11))] == [2020]


@pytest.mark.django_db
def test_nightly_runs_skip_closed_periods_and_closing_runs_only_close(place_tree: Any) -> None:
    PairingFactory()
    closing = engine.compliance_run_create(trigger="schedule", year=2019, as_of=D(2019, 7, 10), mode=RunMode.CLOSING)
    engine.compliance_run_execute(closing)
    # Closing on 10 July closes the first half, Q2 and June (and earlier): nothing open is touched.
    assert not Violation.objects.filter(status=ViolationStatus.AT_RISK).exists()
    assert Violation.objects.filter(rule__code="R07.3", period_index=6, final=True).exists()
    assert not Violation.objects.filter(rule__code="R10.2").exists()

    nightly = engine.compliance_run_create(trigger="schedule", year=2019, as_of=D(2019, 7, 10), mode=RunMode.NIGHTLY)
    engine.compliance_run_execute(nightly)
    assert Violation.objects.filter(rule__code="R10.2", status=ViolationStatus.AT_RISK).count() == 1
    assert not Violation.objects.filter(run=nightly, rule__code="R07.3", period_index=6).exists()

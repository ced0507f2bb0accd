"""Celery tasks of the project package. Tasks are thin: they take ids and call a service.

A compliance run is split into one task per rule: a worker that dies mid-rule loses that rule's work
only, and the redelivered task (``acks_late`` with ``task_reject_on_worker_lost``) redoes it whole.
Every task is idempotent: a rule already done is skipped, a redone rule writes the same rows.
"""

import datetime
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from accountability.choices import RunMode, RunStatus
from accountability.compliance import engine
from accountability.models import ComplianceRun, RuleEvaluation
from accountability.queueing import send


@shared_task(acks_late=True)
def health_check() -> dict[str, Any]:
    """Prove a worker can reach the database: vendor, catalogue size and the worker's clock."""
    from tiers.models import Rule

    return {
        "database": connection.vendor,
        "rules": Rule.objects.filter(active=True).count(),
        "checked_at": timezone.now().isoformat(),
    }


def compliance_run_enqueue(run: ComplianceRun) -> None:
    """Start ``run`` on the workers once the transaction that created it commits (left pending, for
    ``requeue_waiting``, while the broker is down)."""
    transaction.on_commit(lambda: send(compliance_run_task, run.pk))


@shared_task(acks_late=True)
def compliance_run_task(run_id: int) -> int:
    """Fan a run out: one ``rule_evaluation_task`` per rule not yet done. Returns how many."""
    run = ComplianceRun.objects.get(pk=run_id)
    pending = engine.compliance_run_start(run)
    for evaluation in pending:
        rule_evaluation_task.delay(evaluation.pk)
    if not pending:
        engine.compliance_run_finish_if_done(run)
    return len(pending)


@shared_task(acks_late=True)
def rule_evaluation_task(evaluation_id: int) -> dict[str, int]:
    """Evaluate one rule of a run; the last one to finish closes the run and recomputes the year's
    escalations."""
    evaluation = RuleEvaluation.objects.get(pk=evaluation_id)
    try:
        evaluation = engine.rule_evaluation_execute(evaluation)
    finally:
        with transaction.atomic():
            was_open = ComplianceRun.objects.filter(pk=evaluation.run_id, finished_at__isnull=True).exists()
            run = engine.compliance_run_finish_if_done(evaluation.run)
            if was_open and run.finished_at:
                transaction.on_commit(lambda: escalations_task.delay(run.year))
    return evaluation.counts


@shared_task(acks_late=True)
def escalations_task(year: int) -> dict[str, int]:
    """Recompute the year's actions from its triggers (idempotent; decisions are kept)."""
    from accountability.escalation.engine import escalations_compute

    return escalations_compute(year=year)


def _scheduled(mode: str) -> list[int]:
    with transaction.atomic():
        runs = engine.compliance_runs_schedule(mode)
        for run in runs:
            compliance_run_enqueue(run)
    return [run.pk for run in runs]


@shared_task(acks_late=True)
def compliance_nightly() -> list[int]:
    """Beat, every night: pace warnings for open periods and violations of ended ones, as of today."""
    return _scheduled(RunMode.NIGHTLY)


@shared_task(acks_late=True)
def compliance_closing() -> list[int]:
    """Beat, every day after the nightly run: the final evaluation of each rule's period whose closing
    day has come (after each month, quarter, half and year), which makes its result final."""
    return _scheduled(RunMode.CLOSING)


#: Work older than this that is still waiting was not sent (the broker was down): send it again.
WAITING_AFTER = datetime.timedelta(minutes=10)


@shared_task(acks_late=True)
def requeue_waiting() -> dict[str, int]:
    """Beat, every 5 minutes: send again the work a page could not hand over while Redis was down —
    compliance runs never started, roster uploads without a task — and the roster uploads a dead worker
    left "running" (``rosters.services.roster_imports_recover``). Sending twice is harmless: both tasks
    are idempotent (a rule already done, an upload already finished, is skipped)."""
    from rosters.models import RosterImport, Status
    from rosters.services import roster_imports_recover
    from rosters.tasks import roster_import_task

    cutoff = timezone.now() - WAITING_AFTER
    runs = list(
        ComplianceRun.objects.filter(
            status=RunStatus.PENDING, started_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in runs:
        send(compliance_run_task, pk)
    uploads = list(RosterImport.objects.filter(status=Status.QUEUED, task_id="").values_list("pk", flat=True))
    for pk in uploads:
        if task_id := send(roster_import_task, pk):
            RosterImport.objects.filter(pk=pk, task_id="").update(task_id=task_id)
    return {"runs": len(runs), "uploads": len(uploads), "stalled": roster_imports_recover()}

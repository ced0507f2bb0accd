"""The compliance engine's services: create a run, evaluate one rule of it (the unit of a Celery
task), finish the run. The same code runs in-process (``check_compliance``) and on a worker.

For each rule and each of its periods in the run's year, the period's state on the as-of day decides
what is written (see ``rules.period_state``): an open period gets "at risk" warnings, an ended one
violations that a late record can still cure, a closing one final violations and a closure, and a
closed one is not rewritten: its violations whose figure changed are flagged as late.
"""

from __future__ import annotations

import datetime
import inspect
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accountability.choices import PeriodState, RunMode, RunStatus, RunTrigger, ViolationStatus
from accountability.compliance import sql
from accountability.compliance.rules import Policy, due_date, period_state
from accountability.dashboards.summaries import summaries_refresh
from accountability.messages import Msg
from accountability.models import ComplianceRun, PeriodClosure, RuleEvaluation
from tiers.choices import Period as PeriodKind
from tiers.figures import figure_for, registered
from tiers.locks import advisory_xact_lock
from tiers.models import Rule
from tiers.periods import Period
from tiers.services import policy_value

#: The period states each mode evaluates.
MODE_STATES = {
    RunMode.ALL: {PeriodState.OPEN, PeriodState.ENDED, PeriodState.CLOSING, PeriodState.CLOSED},
    RunMode.NIGHTLY: {PeriodState.OPEN, PeriodState.ENDED},
    RunMode.CLOSING: {PeriodState.CLOSING},
}
Progress = Callable[[RuleEvaluation], None]
#: The advisory lock of one rule's year (``tiers.locks``): two runs evaluating it at once take turns.
COMPLIANCE_LOCK = "compliance"


def policy_load() -> Policy:
    """The policy values as the administrator has set them in the catalogue."""
    defaults = Policy()
    values = {
        name: int(policy_value(name, getattr(defaults, name)))
        for name in Policy.__dataclass_fields__
        if name != "pace_warning_enabled"
    }
    return Policy(**values, pace_warning_enabled=bool(policy_value("pace_warning_enabled", 1)))


def measurable_rules(codes: Iterable[str] = ()) -> QuerySet:
    """Active rules with a registered figure function, optionally only ``codes``."""
    rules = Rule.objects.filter(active=True, code__in=list(registered())).order_by("code")
    return rules.filter(code__in=list(codes)) if codes else rules


def rule_periods(rule: Rule, year: int) -> list[Period]:
    """The periods of ``rule`` in ``year``; a point-in-time rule is checked once a year."""
    kind = PeriodKind.YEAR if rule.period == PeriodKind.POINT else rule.period
    return Period.of_year(kind, year)


def period_label(period: Period) -> str:
    """``2019``, ``2019-H1``, ``2019-Q2``, ``2019-06``: how periods are named in runs, the API and exports."""
    suffix = {PeriodKind.YEAR: "", PeriodKind.HALF: f"-H{period.index}", PeriodKind.QUARTER: f"-Q{period.index}"}
    return f"{period.year}{suffix.get(period.kind, f'-{period.index:02d}')}"


def rule_state(rule: Rule, period: Period, as_of: datetime.date, policy: Policy, *, closed: bool) -> str:
    """The state of ``rule``'s ``period`` on ``as_of``. A point-in-time rule has no pace: it is
    measured on the day, so a failure is a violation at once."""
    state = period_state(period, as_of, deadline=rule.deadline, close_days=policy.period_close_days, closed=closed)
    if rule.period == PeriodKind.POINT and state == PeriodState.OPEN:
        return PeriodState.ENDED
    return state


def _figure(rule: Rule, period: Period, state: str, as_of: datetime.date) -> QuerySet:
    function = figure_for(rule.code)
    if rule.period == PeriodKind.POINT:
        return function(min(as_of, period.end))
    counted = period.cut(as_of) if state == PeriodState.OPEN else period
    if rule.deadline and "deadline" in inspect.signature(function).parameters:
        return function(counted, deadline=due_date(period, rule.deadline))
    return function(counted)


def _planner_settings() -> None:
    """PostgreSQL's JIT spends more time compiling an evaluation's few big statements (over a second
    each at province scale) than it saves; it is switched off for the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _execute(statement: sql.Statement) -> int:
    text, params = statement
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        return max(cursor.rowcount, 0)


def compliance_run_create(
    *,
    trigger: str,
    year: int,
    as_of: datetime.date | None = None,
    rules: Iterable[str] = (),
    mode: str = RunMode.ALL,
    user: Any = None,
    save: bool = True,
) -> ComplianceRun:
    """Record a run to be done: which year, as of which day (default today), which rules (default all).
    With ``save=False`` the run is validated and returned unsaved (a form saves it)."""
    as_of = as_of or timezone.localdate()
    codes = sorted(set(rules))
    if not 2000 <= year <= as_of.year:
        raise ValidationError({"year": Msg.COMPLIANCE_YEAR % {"year": year}})
    unknown = sorted(set(codes) - set(measurable_rules(codes).values_list("code", flat=True)))
    if unknown:
        raise ValidationError({"rules": Msg.COMPLIANCE_UNKNOWN_RULES % {"codes": "、".join(unknown)}})
    kinds = [PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH]
    periods = [period_label(p) for kind in kinds for p in Period.of_year(kind, year) if p.start <= as_of]
    run = ComplianceRun(trigger=trigger, user=user, year=year, as_of=as_of, mode=mode, rules=codes, periods=periods)
    if save:
        run.save()
    return run


def compliance_run_start(run: ComplianceRun) -> list[RuleEvaluation]:
    """Mark the run started and create one evaluation per rule (idempotent: a redelivered start
    creates nothing twice). Returns the evaluations still to do."""
    with transaction.atomic():
        run = ComplianceRun.objects.select_for_update().get(pk=run.pk)
        for rule in measurable_rules(run.rules):
            RuleEvaluation.objects.get_or_create(run=run, rule=rule)
        if run.status == RunStatus.PENDING:
            run.status, run.started_at = RunStatus.RUNNING, timezone.now()
            run.save(update_fields=["status", "started_at"])
    return list(run.evaluations.exclude(status=RunStatus.SUCCEEDED).select_related("rule", "run"))


def rule_evaluate(run: ComplianceRun, rule: Rule, *, now: datetime.datetime | None = None) -> Counter:
    """Evaluate ``rule`` for every period of the run's year, one transaction per period. Idempotent:
    redoing it (a worker died) writes the same rows."""
    policy = policy_load()
    now = now or timezone.now()
    closed = set(
        PeriodClosure.objects.filter(rule=rule, period_year=run.year).values_list("period_kind", "period_index")
    )
    counts: Counter = Counter()
    for period in rule_periods(rule, run.year):
        state = rule_state(rule, period, run.as_of, policy, closed=(rule.period, period.index) in closed)
        if state not in MODE_STATES[run.mode] or (state == PeriodState.OPEN and not policy.pace_warning_enabled):
            continue
        evaluation = sql.Evaluation(
            rule=rule,
            period=period,
            state=state,
            as_of=run.as_of,
            policy=policy,
            run_id=run.pk,
            token=uuid.uuid4().hex,
            now=now,
            figure=_figure(rule, period, state, run.as_of),
        )
        with transaction.atomic():
            advisory_xact_lock(COMPLIANCE_LOCK, rule.pk, run.year)  # two runs at once: one rule's year at a time
            _planner_settings()
            if state == PeriodState.CLOSED:
                counts["late"] += _execute(sql.flag_late(evaluation))
            else:
                for statement in sql.coverage(evaluation):
                    _execute(statement)
                found = _execute(sql.upsert(evaluation))
                counts[ViolationStatus.AT_RISK if state == PeriodState.OPEN else ViolationStatus.VIOLATION] += found
                counts[ViolationStatus.RESOLVED] += _execute(sql.resolve(evaluation))
                if state == PeriodState.CLOSING:
                    _execute(sql.finalise(evaluation))
                    PeriodClosure.objects.get_or_create(
                        rule=rule,
                        period_kind=rule.period,
                        period_year=period.year,
                        period_index=period.index,
                        defaults={"as_of": run.as_of, "closed_at": now, "run": run},
                    )
                    counts["closed"] += 1
        counts["periods"] += 1
    return counts


def rule_evaluation_execute(evaluation: RuleEvaluation) -> RuleEvaluation:
    """Do one rule's work of a run unless it is done already (a redelivered task is a no-op)."""
    with transaction.atomic():
        evaluation = RuleEvaluation.objects.select_for_update().select_related("run", "rule").get(pk=evaluation.pk)
        if evaluation.status == RunStatus.SUCCEEDED:
            return evaluation
        evaluation.status, evaluation.started_at = RunStatus.RUNNING, timezone.now()
        evaluation.attempts += 1
        evaluation.save(update_fields=["status", "started_at", "attempts"])
    try:
        counts = rule_evaluate(evaluation.run, evaluation.rule)
    except Exception as exc:
        evaluation.status, evaluation.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"
        evaluation.finished_at = timezone.now()
        evaluation.save(update_fields=["status", "error", "finished_at"])
        raise
    evaluation.status, evaluation.counts, evaluation.error = RunStatus.SUCCEEDED, dict(counts), ""
    evaluation.finished_at = timezone.now()
    evaluation.save(update_fields=["status", "counts", "error", "finished_at"])
    return evaluation


def compliance_run_finish_if_done(run: ComplianceRun) -> ComplianceRun:
    """Close the run once no evaluation is left to do: sum the counts, set the outcome."""
    with transaction.atomic():
        run = ComplianceRun.objects.select_for_update().get(pk=run.pk)
        evaluations = list(run.evaluations.select_related("rule"))
        if run.finished_at or any(e.status in (RunStatus.PENDING, RunStatus.RUNNING) for e in evaluations):
            return run
        total: Counter = Counter()
        for evaluation in evaluations:
            total.update(evaluation.counts)
        failed = [f"{e.rule.code}: {e.error}" for e in evaluations if e.status == RunStatus.FAILED]
        run.status = RunStatus.FAILED if failed else RunStatus.SUCCEEDED
        run.error = "\n".join(failed)
        run.counts = {**dict(total), "rules": len(evaluations)}
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "counts", "finished_at"])
    summaries_refresh(run.year)
    return run


def compliance_run_execute(run: ComplianceRun, *, progress: Progress | None = None) -> ComplianceRun:
    """Do the whole run in this process, rule after rule (the command; tests; the embedded default)."""
    for evaluation in compliance_run_start(run):
        try:
            evaluation = rule_evaluation_execute(evaluation)
        except Exception:  # recorded on the evaluation; the other rules still run
            evaluation.refresh_from_db()
        if progress:
            progress(evaluation)
    return compliance_run_finish_if_done(run)


def scheduled_years(today: datetime.date, policy: Policy) -> list[int]:
    """Years a scheduled run looks at: this one, and last year while its last periods may still close."""
    years = [today.year]
    if today < datetime.date(today.year, 1, 1) + datetime.timedelta(days=policy.period_close_days + 31):
        years.insert(0, today.year - 1)
    return years


def compliance_runs_schedule(mode: str, today: datetime.date | None = None) -> list[ComplianceRun]:
    """Create the scheduled runs of ``mode`` for today (the beat tasks enqueue them)."""
    today = today or timezone.localdate()
    return [
        compliance_run_create(trigger=RunTrigger.SCHEDULE, year=year, as_of=today, mode=mode)
        for year in scheduled_years(today, policy_load())
    ]

"""The set-based statements of one rule × period evaluation, for PostgreSQL and SQLite.

A figure function returns a queryset with one row per subject. It is wrapped, not fetched: one
``INSERT … SELECT … ON CONFLICT DO UPDATE`` computes the pro-rated minimum, the pace and the severity
of every subject in the database and writes the failing ones, so only counts come back to Python
(at province scale, millions of subjects never cross the wire). Then one ``UPDATE`` resolves the
rows this evaluation did not touch. The arithmetic is that of ``rules.py``, in integers.

The engine's own values (ids, dates, choice values, a hex token) are written as literals by
``literal``; the only bound parameters are the figure query's own, so their order is the figure's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import IntegerField, QuerySet, Value
from django.db.models.expressions import BaseExpression, Col
from django.db.models.sql import Query
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.where import WhereNode

from accountability.choices import PeriodState, ViolationStatus
from accountability.compliance.rules import Policy, due_date, previous_period
from accountability.compliance.subjects import SUBJECTS, key_sql, place_join
from accountability.models import Coverage, Violation
from tiers.choices import Period as PeriodKind
from tiers.models import Rule
from tiers.periods import Period

TABLE = Violation._meta.db_table
COVERAGE = Coverage._meta.db_table
Statement = tuple[str, list[Any]]


def literal(value: Any) -> str:
    """A SQL literal of an engine value (int, bool, date, datetime or str) for this backend."""
    postgres = connection.vendor == "postgresql"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        text = str(connection.ops.adapt_datetimefield_value(value))
        return f"CAST('{text}' AS timestamptz)" if postgres else f"'{text}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value:%Y-%m-%d}'" if postgres else f"'{value:%Y-%m-%d}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


def _days(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (SQL date expressions)."""
    if connection.vendor == "postgresql":
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


#: Keeps PostgreSQL from pushing the outer conditions into the figure's grouped query, where each
#: condition on ``figure`` would evaluate the figure's correlated count a second time per subject.
_FENCE = " OFFSET 0"


def _least(*args: str) -> str:
    return f"{'LEAST' if connection.vendor == 'postgresql' else 'MIN'}({', '.join(args)})"


@dataclass
class Evaluation:
    """One rule × period evaluation: what is evaluated, as of when, in which state, by which run."""

    rule: Rule
    period: Period
    state: str
    as_of: datetime.date
    policy: Policy
    run_id: int
    token: str
    now: datetime.datetime
    figure: QuerySet

    @property
    def kind(self) -> str:
        return self.rule.period

    @property
    def due(self) -> datetime.date:
        return due_date(self.period, self.rule.deadline)

    def period_key(self, alias: str, period: Period | None = None) -> str:
        """Rows of this rule and ``period`` (default: the evaluated one) in table ``alias``."""
        period = period or self.period
        return (
            f"{alias}.rule_id = {literal(self.rule.pk)} AND {alias}.period_kind = {literal(self.kind)} "
            f"AND {alias}.period_year = {literal(period.year)} AND {alias}.period_index = {literal(period.index)}"
        )


def _aliases(*nodes: Any) -> set[str]:
    """Table aliases the columns of ``nodes`` (expressions or WHERE trees, and their parts) refer to."""
    found: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, Col):
            found.add(node.alias)
        elif isinstance(node, WhereNode):
            stack.extend(node.children)
        elif isinstance(node, BaseExpression) and not isinstance(node, Query):
            stack.extend(part for part in node.get_source_expressions() if part is not None)
    return found


def _unmeasured(figure: QuerySet) -> QuerySet:
    """The figure's subjects without the figure: its ``figure`` annotation (a correlated count, or an
    aggregate over a join of millions of records) replaced by 0, and the outer joins only it used
    dropped. Only the subjects and their days are left, which is all that counting the subjects
    checked needs (a figure has one row per subject, so dropping the joins of its aggregate keeps
    the rows)."""
    query = figure.order_by()
    q = query.query
    measured = q.annotations["figure"]
    q.annotations["figure"] = Value(0, output_field=IntegerField())
    q._annotation_select_cache = None
    group_by = q.group_by if isinstance(q.group_by, tuple) else ()
    used = _aliases(q.where, *q.annotations.values(), *q.select, *group_by)
    for alias in list(used):  # and the joins those go through
        while (join := q.alias_map.get(alias)) is not None and getattr(join, "parent_alias", None):
            alias = join.parent_alias
            used.add(alias)
    for alias in _aliases(measured) - used:
        if getattr(q.alias_map.get(alias), "join_type", None) == LOUTER:
            q.alias_refcount[alias] = 0
    return query


def subjects(ev: Evaluation, *, measured: bool = True) -> Statement:
    """Every subject of the figure with its key, assigned, span and elapsed days and pro-rated minimum
    (``measured=False``: without computing the figure itself, see ``_unmeasured``)."""
    query = ev.figure.order_by() if measured else _unmeasured(ev.figure)
    sql, params = query.query.sql_with_params()
    columns = set(query.query.values_select) | set(query.query.annotation_select)
    start = "f.assigned_from" if "assigned_from" in columns else literal(ev.period.start)
    end = "f.assigned_to" if "assigned_to" in columns else literal(ev.period.end)
    minimum = str(ev.rule.minimum)
    if ev.rule.minimum_by_rank and "rank" in columns:
        cases = " ".join(f"WHEN {literal(rank)} THEN {int(n)}" for rank, n in ev.rule.minimum_by_rank.items())
        minimum = f"CASE f.rank {cases} ELSE {ev.rule.minimum} END"
    due, as_of = literal(ev.due), literal(ev.as_of)
    inner = (
        f"SELECT f.*, {key_sql(SUBJECTS[ev.rule.subject_kind])} AS c_key, {minimum} AS c_minimum, "
        "CAST(f.figure AS INTEGER) AS c_measured, "
        f"{_days(end, start)} + 1 AS c_assigned, "
        f"{_days(_least(end, due), start)} + 1 AS c_span, "
        f"{_days(_least(end, as_of), start)} + 1 AS c_elapsed, "
        f"{start} AS c_from, {end} AS c_to "
        f"FROM ({sql}{_FENCE if connection.vendor == 'postgresql' else ''}) f"
    )
    days = ev.period.days
    required = "h.c_minimum"
    if ev.rule.pro_rated:
        required = (
            f"CASE WHEN h.c_assigned < {days} "
            f"THEN (h.c_minimum * h.c_assigned + {days - 1}) / {days} ELSE h.c_minimum END"
        )
    return f"SELECT h.*, {required} AS c_required FROM ({inner}) h", list(params)


def _checked(ev: Evaluation) -> str:
    """Subjects the rule applies to: assigned long enough; for a deadline rule, in force on the day."""
    conditions = ["1 = 1"]
    if ev.rule.pro_rated:
        conditions.append(f"g.c_assigned >= {min(ev.policy.pro_rate_min_days, ev.period.days)}")
    if ev.rule.deadline and ev.kind != PeriodKind.POINT:
        due = literal(ev.due)
        conditions.append(f"g.c_from <= {due} AND g.c_to >= {due}")
    return " AND ".join(conditions)


def _previous_violated(ev: Evaluation, back: int) -> str:
    """The same subject violated the same rule in each of the ``back`` periods before this one."""
    tests, period = ["1 = 1"], ev.period
    for _ in range(back):
        period = previous_period(period, ev.kind)
        tests.append(
            f"EXISTS (SELECT 1 FROM {TABLE} v WHERE {ev.period_key('v', period)} "
            f"AND v.subject_key = g.c_key AND v.status = {literal(ViolationStatus.VIOLATION.value)})"
        )
    return " AND ".join(tests)


def _severity(ev: Evaluation) -> str:
    policy = ev.policy
    three = _previous_violated(ev, policy.severity_3_consecutive_periods - 1)
    two = _previous_violated(ev, policy.severity_2_consecutive_periods - 1)
    return (
        f"CASE WHEN g.c_measured * 100 < g.c_required * {policy.severity_3_below_percent} OR ({three}) THEN 3 "
        f"WHEN g.c_measured * 100 < g.c_required * {policy.severity_2_below_percent} OR ({two}) THEN 2 ELSE 1 END"
    )


COLUMNS = (
    "rule_id, period_kind, period_year, period_index, period_start, period_end, subject_kind, subject_key, "
    "person_id, unit_id, place_id, household_id, membership_id, status, required, actual, shortfall, "
    "severity, assigned_days, checked_on, final, late, late_actual, evaluation, run_id, first_run_id, "
    "created_at, updated_at, resolved_at"
)


def upsert(ev: Evaluation) -> Statement:
    """INSERT the failing subjects of the period (violations; at-risk warnings while it is open),
    updating an earlier evaluation's rows unless they are final."""
    subject = SUBJECTS[ev.rule.subject_kind]
    at_risk = ev.state == PeriodState.OPEN
    status = ViolationStatus.AT_RISK if at_risk else ViolationStatus.VIOLATION
    values = ", ".join(
        [
            literal(ev.rule.pk),
            literal(ev.kind),
            literal(ev.period.year),
            literal(ev.period.index),
            literal(ev.period.start),
            literal(ev.period.end),
            literal(ev.rule.subject_kind),
            "g.c_key",
            subject.person,
            subject.unit,
            subject.place,
            subject.household,
            subject.membership,
            literal(status.value),
            "g.c_required",
            "g.c_measured",
            "g.c_required - g.c_measured",
            "NULL" if at_risk else _severity(ev),
            "g.c_assigned",
            literal(ev.as_of),
            literal(ev.state == PeriodState.CLOSING),
            literal(False),
            "NULL",
            literal(ev.token),
            literal(ev.run_id),
            literal(ev.run_id),
            literal(ev.now),
            literal(ev.now),
            "NULL",
        ]
    )
    failing = "g.c_measured < g.c_required"
    if at_risk:
        failing += " AND g.c_measured * g.c_span < g.c_required * g.c_elapsed"
    updated = [
        "status", "required", "actual", "shortfall", "severity", "assigned_days", "checked_on", "final",
        "evaluation", "run_id", "updated_at", "person_id", "unit_id", "place_id",
    ]  # fmt: skip
    source, params = subjects(ev)
    sql = (
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {values} FROM ({source}) g "
        f"WHERE {_checked(ev)} AND {failing} "
        "ON CONFLICT (rule_id, period_kind, period_year, period_index, subject_key) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in updated)
        + f", resolved_at = NULL WHERE {TABLE}.final = {literal(False)}"
    )
    return sql, params


def resolve(ev: Evaluation) -> Statement:
    """Rows of this rule and period that this evaluation did not write: cured, or caught up."""
    sql = (
        f"UPDATE {TABLE} SET status = {literal(ViolationStatus.RESOLVED.value)}, resolved_at = {literal(ev.now)}, "
        f"updated_at = {literal(ev.now)}, checked_on = {literal(ev.as_of)}, run_id = {literal(ev.run_id)}, "
        f"evaluation = {literal(ev.token)} "
        f"WHERE {ev.period_key(TABLE)} AND final = {literal(False)} AND evaluation <> {literal(ev.token)} "
        f"AND status <> {literal(ViolationStatus.RESOLVED.value)}"
    )
    return sql, []


def finalise(ev: Evaluation) -> Statement:
    """Make every row of this rule and period final (the closing evaluation)."""
    return f"UPDATE {TABLE} SET final = {literal(True)} WHERE {ev.period_key(TABLE)} AND final = {literal(False)}", []


def flag_late(ev: Evaluation) -> Statement:
    """In a closed period, flag the violations whose figure has changed since closing (late records),
    with the figure as it is now. The closed result itself is not rewritten."""
    changed = f"(g.c_measured <> {TABLE}.actual)"
    source, params = subjects(ev)
    sql = (
        f"UPDATE {TABLE} SET late = {changed}, late_actual = CASE WHEN {changed} THEN g.c_measured END, "
        f"updated_at = {literal(ev.now)} FROM ({source}) g "
        f"WHERE {ev.period_key(TABLE)} AND {TABLE}.subject_key = g.c_key "
        f"AND {TABLE}.status = {literal(ViolationStatus.VIOLATION.value)} AND {TABLE}.late <> {changed}"
    )
    return sql, params


def _coverage_insert(ev: Evaluation, checked: str) -> str:
    """INSERT the count of subjects per place of ``checked`` (rows with a ``c_place``)."""
    return (
        f"INSERT INTO {COVERAGE} (rule_id, period_kind, period_year, period_index, due, place_id, checked, open) "
        f"SELECT {literal(ev.rule.pk)}, {literal(ev.kind)}, {literal(ev.period.year)}, {literal(ev.period.index)}, "
        f"{literal(ev.due)}, c.c_place, COUNT(*), {literal(ev.state == PeriodState.OPEN)} "
        f"FROM {checked} c WHERE c.c_place IS NOT NULL GROUP BY c.c_place"
    )


def coverage(ev: Evaluation) -> list[Statement]:
    """Replace the period's coverage: how many subjects the rule checked, per subject place (the
    compliance rate's denominator, which the violations alone do not give)."""
    key = (
        f"rule_id = {literal(ev.rule.pk)} AND period_kind = {literal(ev.kind)} "
        f"AND period_year = {literal(ev.period.year)} AND period_index = {literal(ev.period.index)}"
    )
    source, params = subjects(ev, measured=False)
    join, place = place_join(SUBJECTS[ev.rule.subject_kind])
    checked = f"(SELECT {place} AS c_place FROM ({source}) g {join} WHERE {_checked(ev)})"
    return [(f"DELETE FROM {COVERAGE} WHERE {key}", []), (_coverage_insert(ev, checked), list(params))]

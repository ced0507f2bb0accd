"""Refresh the dashboards' summaries of a year: set-based, rolled up the organisation tree in SQL.

Each subject sits at one place (its violation's ``place``: the village of a household or team, the
county of a county duty, the seat of a unit). A place's row sums its own subjects and those of every
place below it, so the rows of one place answer "how is this part of the province doing" without
touching a violation. Both refreshes delete the year's rows and insert them again in one
transaction: idempotent, and readers see the old rows until the new ones are committed. Two refreshes
of one year serialise on an advisory lock (PostgreSQL), so the second never inserts beside the first's rows.
"""

from __future__ import annotations

from django.db import connection, transaction

from accountability.choices import ActionStatus, ViolationStatus
from accountability.compliance.sql import literal
from accountability.models import Action, ActionSummary, Coverage, Summary, UnitSummary, Violation
from tiers.locks import advisory_xact_lock
from tiers.models import Place

PLACE = Place._meta.db_table


def _ancestors(source: str) -> str:
    """Join rows of ``source`` (with a ``place_id``) to the place and each of its ancestors as ``a``."""
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, Place.MAX_DEPTH + 1))
    return (
        f"FROM ({source}) s JOIN {PLACE} p ON p.id = s.place_id "
        f"JOIN ({depths}) d ON d.n <= p.depth "
        f"JOIN {PLACE} a ON a.path = SUBSTR(p.path, 1, d.n * {Place.steplen})"
    )


def summaries_refresh(year: int) -> int:
    """Recompute the year's ``Summary`` rows (from coverage and violations) and ``UnitSummary`` rows (from
    violations); return how many ``Summary`` rows."""
    y = literal(year)
    violation, at_risk = literal(ViolationStatus.VIOLATION.value), literal(ViolationStatus.AT_RISK.value)
    true = literal(True)
    source = (
        "SELECT rule_id, period_kind, period_index, due, place_id, "
        f"CASE WHEN open = {true} THEN 0 ELSE checked END AS checked, 0 AS violations, 0 AS severe, "
        f"CASE WHEN open = {true} THEN checked ELSE 0 END AS checked_open, 0 AS at_risk "
        f"FROM {Coverage._meta.db_table} WHERE period_year = {y} "
        "UNION ALL "
        "SELECT rule_id, period_kind, period_index, MIN(period_end), place_id, 0, "
        f"SUM(CASE WHEN status = {violation} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN status = {violation} AND severity = 3 THEN 1 ELSE 0 END), 0, "
        f"SUM(CASE WHEN status = {at_risk} THEN 1 ELSE 0 END) "
        f"FROM {Violation._meta.db_table} WHERE period_year = {y} AND place_id IS NOT NULL "
        f"AND status IN ({violation}, {at_risk}) GROUP BY rule_id, period_kind, period_index, place_id"
    )
    insert = (
        f"INSERT INTO {Summary._meta.db_table} (year, place_id, depth, rule_id, period_kind, period_index, due, "
        "checked, violations, severe, checked_open, at_risk) "
        f"SELECT {y}, a.id, a.depth, s.rule_id, s.period_kind, s.period_index, MIN(s.due), SUM(s.checked), "
        "SUM(s.violations), SUM(s.severe), SUM(s.checked_open), SUM(s.at_risk) "
        f"{_ancestors(source)} GROUP BY a.id, a.depth, s.rule_id, s.period_kind, s.period_index"
    )
    units = (
        "SELECT unit_id, place_id, "
        f"SUM(CASE WHEN status = {violation} THEN 1 ELSE 0 END) AS violations, "
        f"SUM(CASE WHEN status = {violation} AND severity = 3 THEN 1 ELSE 0 END) AS severe, "
        f"SUM(CASE WHEN status = {at_risk} THEN 1 ELSE 0 END) AS at_risk "
        f"FROM {Violation._meta.db_table} WHERE period_year = {y} AND place_id IS NOT NULL "
        f"AND unit_id IS NOT NULL AND status IN ({violation}, {at_risk}) GROUP BY unit_id, place_id"
    )
    insert_units = (
        f"INSERT INTO {UnitSummary._meta.db_table} (year, place_id, depth, unit_id, violations, severe, at_risk) "
        f"SELECT {y}, a.id, a.depth, s.unit_id, SUM(s.violations), SUM(s.severe), SUM(s.at_risk) "
        f"{_ancestors(units)} GROUP BY a.id, a.depth, s.unit_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        advisory_xact_lock("summaries", year)
        Summary.objects.filter(year=year).delete()
        UnitSummary.objects.filter(year=year).delete()
        cursor.execute(insert)
        written = cursor.rowcount
        cursor.execute(insert_units)
        return written


def action_summaries_refresh(year: int) -> int:
    """Recompute the year's ``ActionSummary`` rows from the actions; return how many."""
    y = literal(year)
    source = (
        f"SELECT place_id, kind, status, COUNT(*) AS n FROM {Action._meta.db_table} "
        f"WHERE year = {y} AND place_id IS NOT NULL AND status <> {literal(ActionStatus.WITHDRAWN.value)} "
        "GROUP BY place_id, kind, status"
    )
    insert = (
        f"INSERT INTO {ActionSummary._meta.db_table} (year, place_id, depth, kind, status, count) "
        f"SELECT {y}, a.id, a.depth, s.kind, s.status, SUM(s.n) {_ancestors(source)} "
        "GROUP BY a.id, a.depth, s.kind, s.status"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        advisory_xact_lock("action_summaries", year)
        ActionSummary.objects.filter(year=year).delete()
        cursor.execute(insert)
        return cursor.rowcount

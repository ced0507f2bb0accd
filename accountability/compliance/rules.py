"""The arithmetic of a check, as pure functions: when a period is open, ended or closed, the minimum a
subject must reach (pro-rated), whether it is behind pace, and how severe a shortfall is.

The engine evaluates the same arithmetic in SQL over the whole province (``sql.py``); a test checks
the two agree value for value. These functions are the readable statement of the policy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accountability.choices import PeriodState
from tiers.choices import Period as PeriodKind
from tiers.periods import Period


@dataclass(frozen=True)
class Policy:
    """The policy values (spec: **policy**, editable in the catalogue) an evaluation uses."""

    pro_rate_min_days: int = 30
    severity_2_below_percent: int = 75
    severity_3_below_percent: int = 50
    severity_2_consecutive_periods: int = 2
    severity_3_consecutive_periods: int = 3
    period_close_days: int = 10
    pace_warning_enabled: bool = True


def due_date(period: Period, deadline: str = "") -> datetime.date:
    """The day by which a period's minimum must be reached: the rule's deadline (``"03-31"``) in the
    period's year when it has one, else the period's last day."""
    if deadline:
        month, day = (int(part) for part in deadline.split("-"))
        return min(datetime.date(period.year, month, day), period.end)
    return period.end


def period_state(
    period: Period, as_of: datetime.date, *, deadline: str = "", close_days: int = 10, closed: bool = False
) -> str:
    """Where a rule's period stands at the end of ``as_of``.

    Not started before its first day; open until its due day; ended (violations, still curable by late
    records) from the due day; closing ``close_days`` days after it (the final evaluation, which makes
    the result final); closed once a closure has been recorded.
    """
    if closed:
        return PeriodState.CLOSED
    if as_of < period.start:
        return PeriodState.NOT_STARTED
    due = due_date(period, deadline)
    if as_of < due:
        return PeriodState.OPEN
    if as_of < due + datetime.timedelta(days=close_days):
        return PeriodState.ENDED
    return PeriodState.CLOSING


def is_checked(assigned_days: int, period_days: int, *, pro_rated: bool, min_days: int) -> bool:
    """A subject assigned for under ``min_days`` of a period (or under the whole of a shorter period)
    is not checked for it when the rule is pro-rated."""
    return not pro_rated or assigned_days >= min(min_days, period_days)


def required_minimum(minimum: int, assigned_days: int, period_days: int, *, pro_rated: bool) -> int:
    """The minimum scaled by the share of the period the subject was assigned, rounded up."""
    if not pro_rated or assigned_days >= period_days:
        return minimum
    return -(-minimum * assigned_days // period_days)


def behind_pace(actual: int, required: int, elapsed_days: int, assigned_days: int) -> bool:
    """Behind the straight line from 0 on the first assigned day to ``required`` on the last:
    ``actual < required × elapsed / assigned``, in integers."""
    return actual < required and actual * assigned_days < required * elapsed_days


def severity(actual: int, required: int, consecutive: int, policy: Policy) -> int:
    """1 at or above 75 % of the minimum; 2 below 75 % or when the previous period was violated too;
    3 below 50 % or on the third consecutive period (``consecutive`` counts this one)."""
    if (
        actual * 100 < required * policy.severity_3_below_percent
        or consecutive >= policy.severity_3_consecutive_periods
    ):
        return 3
    if (
        actual * 100 < required * policy.severity_2_below_percent
        or consecutive >= policy.severity_2_consecutive_periods
    ):
        return 2
    return 1


def previous_period(period: Period, kind: str) -> Period:
    """The period before ``period`` of the same kind (Q1 2019 → Q4 2018; a point rule: last year)."""
    if kind == PeriodKind.POINT or period.index == 1:
        last = Period.of_year(period.kind, period.year - 1)[-1]
        return Period(period.kind, last.year, last.index)
    return Period(period.kind, period.year, period.index - 1)

"""The arithmetic of a check, without a database: states, pro-rating, pace, severity, previous period."""

from __future__ import annotations

import datetime

import pytest

from accountability.choices import PeriodState
from accountability.compliance.rules import (
    Policy,
    behind_pace,
    due_date,
    is_checked,
    period_state,
    previous_period,
    required_minimum,
    severity,
)
from tiers.periods import Period

D = datetime.date
POLICY = Policy()


@pytest.mark.parametrize(
    ("as_of", "state"),
    [
        (D(2019, 3, 31), PeriodState.NOT_STARTED),
        (D(2019, 4, 1), PeriodState.OPEN),
        (D(2019, 6, 29), PeriodState.OPEN),
        (D(2019, 6, 30), PeriodState.ENDED),  # the evaluation is at the end of the as-of day
        (D(2019, 7, 9), PeriodState.ENDED),
        (D(2019, 7, 10), PeriodState.CLOSING),  # 10 days after the end (policy period_close_days)
        (D(2026, 1, 1), PeriodState.CLOSING),
    ],
)
def test_period_state_of_a_quarter(as_of: datetime.date, state: str) -> None:
    assert period_state(Period("quarter", 2019, 2), as_of, close_days=10) == state


def test_a_closed_period_stays_closed_and_a_deadline_ends_the_period_early() -> None:
    assert period_state(Period("year", 2019), D(2019, 5, 1), closed=True) == PeriodState.CLOSED
    assert due_date(Period("year", 2019), "03-31") == D(2019, 3, 31)
    assert period_state(Period("year", 2019), D(2019, 3, 30), deadline="03-31") == PeriodState.OPEN
    assert period_state(Period("year", 2019), D(2019, 3, 31), deadline="03-31") == PeriodState.ENDED
    assert period_state(Period("year", 2019), D(2019, 4, 10), deadline="03-31", close_days=10) == PeriodState.CLOSING


@pytest.mark.parametrize(
    ("minimum", "assigned", "days", "required"),
    [
        (220, 365, 365, 220),
        (220, 184, 365, 111),  # joined 1 July: 220 × 184 / 365 = 110.9, rounded up
        (160, 184, 365, 81),  # 80.7 → 81
        (2, 92, 365, 1),  # a household paired on 1 October: 0.5 → 1
        (5, 30, 365, 1),
        (1, 31, 31, 1),
    ],
)
def test_required_minimum_is_pro_rated_and_rounded_up(minimum: int, assigned: int, days: int, required: int) -> None:
    assert required_minimum(minimum, assigned, days, pro_rated=True) == required
    assert required_minimum(minimum, assigned, days, pro_rated=False) == minimum


def test_subjects_assigned_under_thirty_days_are_not_checked() -> None:
    assert not is_checked(29, 365, pro_rated=True, min_days=30)
    assert is_checked(30, 365, pro_rated=True, min_days=30)
    assert is_checked(28, 28, pro_rated=True, min_days=30)  # the whole of February
    assert is_checked(1, 365, pro_rated=False, min_days=30)


def test_pace_is_the_straight_line_to_the_minimum() -> None:
    # 1 July 2019 is day 182 of 365: the pace to 220 days is 109.7 days.
    assert behind_pace(109, 220, 182, 365)
    assert not behind_pace(110, 220, 182, 365)
    assert not behind_pace(220, 220, 365, 365)
    assert behind_pace(0, 1, 1, 365)  # nothing yet: behind any straight line
    assert not behind_pace(0, 220, 0, 365)  # not yet assigned


@pytest.mark.parametrize(
    ("actual", "required", "consecutive", "level"),
    [
        (219, 220, 1, 1),  # 99.5 %
        (165, 220, 1, 1),  # exactly 75 %
        (164, 220, 1, 2),  # 74.5 %
        (110, 220, 1, 2),  # exactly 50 %
        (109, 220, 1, 3),  # 49.5 %
        (0, 1, 1, 3),
        (219, 220, 2, 2),  # violated the previous period too
        (219, 220, 3, 3),  # third consecutive period
    ],
)
def test_severity_ladder(actual: int, required: int, consecutive: int, level: int) -> None:
    assert severity(actual, required, consecutive, POLICY) == level


def test_previous_period_crosses_the_year() -> None:
    assert previous_period(Period("quarter", 2019, 1), "quarter") == Period("quarter", 2018, 4)
    assert previous_period(Period("month", 2019, 7), "month") == Period("month", 2019, 6)
    assert previous_period(Period("year", 2019), "point") == Period("year", 2018)

"""Figures of R09.1, R09.2, R05.5, R05.6 and R07.4: hand-worked cases, one query each, and the registry."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.villagecorps.factories import (
    FollowUpVisitFactory,
    InsuranceCoverFactory,
    MembershipFactory,
    TeamFactory,
    TrainingDayFactory,
)
from tiers.figures import figure_for
from tiers.periods import Period
from villagecorps import figures
from villagecorps.choices import DayKind
from villagecorps.models import DutyDay, Membership

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = Period("year", 2019)
Q3 = Period("quarter", 2019, 3)


def by_membership(rows: Any) -> dict[int, dict[str, Any]]:
    """Rows of a per-membership figure keyed by membership id; each membership appears once."""
    rows = list(rows)
    keyed = {row["membership_id"]: row for row in rows}
    assert len(keyed) == len(rows)
    return keyed


def days(value: Any) -> int:
    """A number of days from ``assigned_days``/``covered_days`` (a timedelta on SQLite and PostgreSQL)."""
    assert isinstance(value, datetime.timedelta)
    return value.days


def run(fn: Any, period: Period, django_assert_num_queries: Any) -> dict[int, dict[str, Any]]:
    """The figure's rows, fetched in exactly one query."""
    with django_assert_num_queries(1):
        rows = list(fn(period))
    return by_membership(rows)


def record(membership: Membership, first: datetime.date, kinds: list[tuple[str, int]]) -> datetime.date:
    """Consecutive duty days from ``first``: ``kinds`` lists (kind, number of days). Returns the next free day."""
    day, rows = first, []
    for kind, count in kinds:
        for _ in range(count):
            rows.append(DutyDay(membership=membership, person=membership.person, date=day, kind=kind))
            day += datetime.timedelta(days=1)
    DutyDay.objects.bulk_create(rows)
    return day


@pytest.mark.parametrize("code", ["R09.1", "R09.2", "R05.5", "R05.6", "R07.4"])
def test_registry(code):
    expected = {
        "R09.1": figures.duty_days,
        "R09.2": figures.nights,
        "R05.5": figures.follow_up_visits,
        "R05.6": figures.insurance_cover,
        "R07.4": figures.training_days,
    }
    assert figure_for(code) is expected[code]


# --- R09.1 duty days and R09.2 nights ----------------------------------------------------------------

MIX = [
    (DayKind.IN_VILLAGE_NIGHT, 150),
    (DayKind.IN_VILLAGE, 50),
    (DayKind.OFFICIAL_TRIP, 10),
    (DayKind.MEETING, 5),
    (DayKind.TRAINING, 5),
    (DayKind.LEAVE, 10),
    (DayKind.OTHER, 7),
]


@pytest.fixture
def stationed(place_tree: Any) -> dict[str, Membership]:
    """All year: the mix above (237 days from 1 January) plus days in 2018 and 2020 that do not count.
    From 1 July: 20 nights, 10 in the village, 10 on leave. 1 July 2018 – 31 March 2019: 30 nights in
    2018, 40 in 2019. Only leave and other: 30 days. Ended in 2018: not a subject."""
    team = TeamFactory(village=place_tree["620122101201"], start=D(2018, 1, 1))
    all_year = MembershipFactory(team=team, start=D(2018, 6, 1))
    record(all_year, D(2019, 1, 1), MIX)
    record(all_year, D(2018, 12, 1), [(DayKind.IN_VILLAGE_NIGHT, 31)])
    record(all_year, D(2020, 1, 1), [(DayKind.IN_VILLAGE_NIGHT, 3)])
    joined_july = MembershipFactory(team=team, start=D(2019, 7, 1))
    record(joined_july, D(2019, 7, 1), [(DayKind.IN_VILLAGE_NIGHT, 20), (DayKind.IN_VILLAGE, 10), (DayKind.LEAVE, 10)])
    partial = MembershipFactory(team=team, start=D(2018, 7, 1), end=D(2019, 3, 31))
    record(partial, D(2018, 12, 2), [(DayKind.IN_VILLAGE_NIGHT, 30)])
    record(partial, D(2019, 1, 1), [(DayKind.IN_VILLAGE_NIGHT, 40)])
    no_duty = MembershipFactory(team=team, start=D(2019, 1, 1))
    record(no_duty, D(2019, 2, 1), [(DayKind.LEAVE, 20), (DayKind.OTHER, 10)])
    MembershipFactory(team=team, start=D(2018, 1, 1), end=D(2018, 12, 31))
    return {"all_year": all_year, "joined_july": joined_july, "partial": partial, "no_duty": no_duty}


def test_duty_days_count_the_five_duty_kinds(stationed, django_assert_num_queries):
    rows = run(figures.duty_days, YEAR, django_assert_num_queries)

    got = {name: (rows[m.pk]["figure"], days(rows[m.pk]["assigned_days"])) for name, m in stationed.items()}
    assert got == {
        "all_year": (150 + 50 + 10 + 5 + 5, 365),  # 220: leave and other never count
        "joined_july": (30, 184),  # 1 July – 31 December
        "partial": (40, 31 + 28 + 31),  # 1 January – 31 March; the 2018 days are another year's
        "no_duty": (0, 365),
    }
    assert {row["period_days"] for row in rows.values()} == {365}
    assert len(rows) == 4  # the membership that ended in 2018 is not a subject


def test_nights_count_only_days_living_in_the_village(stationed, django_assert_num_queries):
    rows = run(figures.nights, YEAR, django_assert_num_queries)

    got = {name: (rows[m.pk]["figure"], days(rows[m.pk]["assigned_days"])) for name, m in stationed.items()}
    assert got == {"all_year": (150, 365), "joined_july": (20, 184), "partial": (40, 90), "no_duty": (0, 365)}


def test_nights_never_exceed_duty_days(stationed):
    duty = by_membership(figures.duty_days(YEAR))
    nights = by_membership(figures.nights(YEAR))
    assert all(nights[pk]["figure"] <= duty[pk]["figure"] for pk in duty)


def test_rows_say_whose_subject_it_is(stationed):
    m = stationed["all_year"]
    row = by_membership(figures.duty_days(YEAR))[m.pk]
    assert (row["person_id"], row["team_id"], row["dispatching_unit_id"]) == (
        m.person_id,
        m.team_id,
        m.dispatching_unit_id,
    )


def test_a_rotation_makes_two_subjects_counting_their_own_days(place_tree, django_assert_num_queries):
    first = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]), end=D(2019, 6, 30))
    second = MembershipFactory(
        team=TeamFactory(village=place_tree["620123101201"]), person=first.person, start=D(2019, 7, 1)
    )
    record(first, D(2019, 6, 1), [(DayKind.IN_VILLAGE_NIGHT, 30)])
    record(second, D(2019, 7, 1), [(DayKind.IN_VILLAGE, 12)])

    rows = run(figures.duty_days, YEAR, django_assert_num_queries)
    assert {pk: (row["figure"], days(row["assigned_days"])) for pk, row in rows.items()} == {
        first.pk: (30, 181),
        second.pk: (12, 184),
    }


def test_a_quarter_counts_its_own_days(stationed, django_assert_num_queries):
    rows = run(figures.duty_days, Period("quarter", 2019, 1), django_assert_num_queries)
    # All year: 90 days from 1 January: 90 nights. Partial: 31 March is its last day.
    assert rows[stationed["all_year"].pk]["figure"] == 90
    assert rows[stationed["partial"].pk]["figure"] == 40
    assert stationed["joined_july"].pk not in rows


# --- R05.5 follow-up visits -----------------------------------------------------------------------------


def test_follow_up_visits_per_quarter(place_tree, django_assert_num_queries):
    visited = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]))
    not_visited = MembershipFactory(team=visited.team)
    FollowUpVisitFactory(membership=visited, date=D(2019, 8, 15))
    FollowUpVisitFactory(membership=visited, date=D(2019, 6, 30))  # the second quarter
    FollowUpVisitFactory(membership=not_visited, date=D(2019, 10, 1))  # the fourth quarter

    rows = run(figures.follow_up_visits, Q3, django_assert_num_queries)
    assert {pk: (row["figure"], days(row["assigned_days"]), row["period_days"]) for pk, row in rows.items()} == {
        visited.pk: (1, 92, 92),
        not_visited.pk: (0, 92, 92),
    }


def test_two_follow_ups_in_a_quarter_count_two(place_tree, django_assert_num_queries):
    m = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]), start=D(2019, 8, 1))
    FollowUpVisitFactory(membership=m, date=D(2019, 8, 15))
    FollowUpVisitFactory(membership=m, date=D(2019, 9, 30))

    rows = run(figures.follow_up_visits, Q3, django_assert_num_queries)
    assert (rows[m.pk]["figure"], days(rows[m.pk]["assigned_days"])) == (2, 61)


# --- R05.6 insurance cover ------------------------------------------------------------------------------


def covered(place_tree: Any, membership: dict[str, Any], covers: list[tuple[Any, Any]]) -> Membership:
    m = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]), **membership)
    for start, end in covers:
        InsuranceCoverFactory(membership=m, start=start, end=end)
    return m


def test_insurance_cover(place_tree, django_assert_num_queries):
    cases = {
        # name: (membership dates, covers, expected (figure, covered_days, assigned_days))
        "whole_membership": ({"start": D(2019, 3, 1)}, [(D(2019, 3, 1), None)], (1, 306, 306)),
        "whole_closed": (
            {"start": D(2019, 3, 1), "end": D(2019, 10, 31)},
            [(D(2019, 3, 1), D(2019, 10, 31))],
            (1, 245, 245),
        ),
        "ends_june_open_member": ({"start": D(2018, 1, 1)}, [(D(2018, 1, 1), D(2019, 6, 30))], (0, 181, 365)),
        "ends_june_closed_member": (
            {"start": D(2018, 1, 1), "end": D(2020, 6, 30)},
            [(D(2018, 1, 1), D(2019, 6, 30))],
            (0, 181, 365),
        ),
        "two_consecutive": (
            {"start": D(2018, 1, 1)},
            [(D(2018, 1, 1), D(2019, 6, 30)), (D(2019, 7, 1), D(2020, 6, 30))],
            (1, 365, 365),
        ),
        "a_gap_of_a_day": (
            {"start": D(2018, 1, 1)},
            [(D(2018, 1, 1), D(2019, 6, 30)), (D(2019, 7, 2), None)],
            (0, 364, 365),
        ),
        "beyond_the_membership": (
            {"start": D(2019, 1, 1), "end": D(2019, 9, 30)},
            [(D(2018, 1, 1), D(2020, 12, 31))],
            (1, 273, 273),
        ),
        "a_stale_cover_before_the_membership": (
            {"start": D(2019, 7, 1)},
            [(D(2019, 1, 1), D(2019, 3, 31)), (D(2019, 7, 1), None)],
            (1, 184, 184),
        ),
        "none": ({"start": D(2019, 1, 1)}, [], (0, 0, 365)),
    }
    made = {name: covered(place_tree, membership, covers) for name, (membership, covers, _) in cases.items()}

    rows = run(figures.insurance_cover, YEAR, django_assert_num_queries)
    got = {
        name: (rows[m.pk]["figure"], days(rows[m.pk]["covered_days"]), days(rows[m.pk]["assigned_days"]))
        for name, m in made.items()
    }
    assert got == {name: expected for name, (_, _, expected) in cases.items()}


# --- R07.4 rotation training ----------------------------------------------------------------------------


def test_training_days_in_the_county_of_the_team(place_tree, django_assert_num_queries):
    county = place_tree["620122"]
    trained = MembershipFactory(team=TeamFactory(village=place_tree["620122101202"]))
    for day in range(1, 6):
        TrainingDayFactory(person=trained.person, county=county, date=D(2019, 4, day))
    TrainingDayFactory(person=trained.person, county=place_tree["620123"], date=D(2019, 5, 1))  # another county
    TrainingDayFactory(person=trained.person, county=county, date=D(2018, 12, 31))  # another year
    untrained = MembershipFactory(team=trained.team)
    TrainingDayFactory(county=county, date=D(2019, 4, 1))  # someone else
    elsewhere = MembershipFactory(team=TeamFactory(village=place_tree["620521101201"]))
    TrainingDayFactory(person=elsewhere.person, county=county, date=D(2019, 4, 1))  # not their team's county

    rows = run(figures.training_days, YEAR, django_assert_num_queries)
    got = {pk: (row["figure"], row["county_id"], days(row["assigned_days"])) for pk, row in rows.items()}
    assert got == {
        trained.pk: (5, county.pk, 365),
        untrained.pk: (0, county.pk, 365),
        elsewhere.pk: (0, place_tree["620521"].pk, 365),
    }

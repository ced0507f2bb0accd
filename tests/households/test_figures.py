"""Figures of R05.3 and R10.1–R10.3: hand-worked cases, one query each, and the registry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from households import figures, services
from tests import factories
from tests.households.factories import DeedFactory, PairingFactory, PlanFactory, VisitFactory
from tiers.choices import Rank, Role
from tiers.figures import figure_for
from tiers.models import AssistanceAssignment
from tiers.periods import Period

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = Period("year", 2019)
Q1 = Period("quarter", 2019, 1)
Q4 = Period("quarter", 2019, 4)


def by_subject(rows: Any) -> dict[tuple[int, int], dict[str, Any]]:
    """Rows of a per-pairing figure keyed by (helper id, household id); each subject appears once."""
    rows = list(rows)
    keyed = {(row["helper_id"], row["household_id"]): row for row in rows}
    assert len(keyed) == len(rows)
    return keyed


def days(row: dict[str, Any]) -> int:
    """``assigned_days`` as a number of days (a timedelta on SQLite and on PostgreSQL)."""
    assert isinstance(row["assigned_days"], datetime.timedelta)
    return row["assigned_days"].days


# --- R10.2 visits and R10.3 deeds: the same counting ------------------------------------------------

RECORDS = [
    pytest.param(figures.visits_per_pairing, VisitFactory, id="R10.2-visits"),
    pytest.param(figures.deeds_per_pairing, DeedFactory, id="R10.3-deeds"),
]


@pytest.fixture
def year_of_records(place_tree: Any) -> Callable[[Any], dict[str, Any]]:
    """Helper A: household 1 all year (2 records in 2019, 1 in 2018), household 2 from 1 October (none)."""

    def make(record_factory: Any) -> dict[str, Any]:
        helper_a = factories.PersonFactory(name="甲")
        all_year = PairingFactory(helper=helper_a, start=D(2018, 5, 1))
        from_october = PairingFactory(helper=helper_a, start=D(2019, 10, 1))
        for day in (D(2019, 3, 5), D(2019, 11, 20), D(2018, 12, 30)):
            record_factory(pairing=all_year, date=day)
        return {"a": helper_a, "h1": all_year.household, "h2": from_october.household}

    return make


@pytest.mark.parametrize(("figure_fn", "record_factory"), RECORDS)
def test_year_counts_records_of_the_year_only_with_the_days_assigned(year_of_records, figure_fn, record_factory):
    w = year_of_records(record_factory)
    rows = by_subject(figure_fn(YEAR))

    assert set(rows) == {(w["a"].pk, w["h1"].pk), (w["a"].pk, w["h2"].pk)}
    all_year, from_october = rows[w["a"].pk, w["h1"].pk], rows[w["a"].pk, w["h2"].pk]
    assert (all_year["figure"], days(all_year), all_year["period_days"]) == (2, 365, 365)
    # No record at all: 0, not None; paired 1 Oct–31 Dec is 31 + 30 + 31 days.
    assert (from_october["figure"], days(from_october), from_october["period_days"]) == (0, 92, 365)


@pytest.mark.parametrize(("figure_fn", "record_factory"), RECORDS)
def test_quarters(year_of_records, figure_fn, record_factory):
    w = year_of_records(record_factory)

    q4 = by_subject(figure_fn(Q4))
    assert {key: (row["figure"], days(row), row["period_days"]) for key, row in q4.items()} == {
        (w["a"].pk, w["h1"].pk): (1, 92, 92),  # the 20 November record
        (w["a"].pk, w["h2"].pk): (0, 92, 92),
    }
    q1 = by_subject(figure_fn(Q1))
    assert {key: (row["figure"], days(row), row["period_days"]) for key, row in q1.items()} == {
        (w["a"].pk, w["h1"].pk): (1, 90, 90),  # household 2 is not paired yet in Q1
    }


HANDOVER_LOGS = [
    pytest.param(figures.visits_per_pairing, VisitFactory, services.visit_log, {}, id="R10.2-visits"),
    pytest.param(
        figures.deeds_per_pairing, DeedFactory, services.deed_log, {"description": "修缮房屋"}, id="R10.3-deeds"
    ),
]


@pytest.mark.parametrize(("figure_fn", "record_factory", "log", "fields"), HANDOVER_LOGS)
def test_a_handover_makes_two_subjects_and_records_count_for_their_own_helper(
    place_tree, user_with_role, figure_fn, record_factory, log, fields
):
    old = PairingFactory(start=D(2018, 6, 1), end=D(2019, 3, 31))
    household = old.household
    new = PairingFactory(household=household, start=D(2019, 4, 1))
    record_factory(pairing=old, date=D(2019, 2, 1))
    # A township clerk enters a record on 1 May: it is the paired (new) helper's.
    clerk = user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"])
    entered = log(user=clerk, household=household, date=D(2019, 5, 1), **fields)
    assert entered.helper == new.helper and entered.entered_by == clerk

    rows = by_subject(figure_fn(YEAR))
    assert {key: (row["figure"], days(row)) for key, row in rows.items()} == {
        (old.helper_id, household.pk): (1, 90),  # 1 January – 31 March
        (new.helper_id, household.pk): (1, 275),  # 1 April – 31 December
    }
    assert set(by_subject(figure_fn(Q4))) == {(new.helper_id, household.pk)}


def test_records_of_another_helper_or_household_do_not_count(place_tree):
    mine = PairingFactory(start=D(2019, 1, 1))
    theirs = PairingFactory(start=D(2019, 1, 1))  # another helper, another household
    VisitFactory(pairing=mine, date=D(2019, 5, 1))
    for day in (D(2019, 5, 1), D(2019, 6, 1), D(2019, 7, 1)):
        VisitFactory(pairing=theirs, date=day)

    rows = by_subject(figures.visits_per_pairing(YEAR))
    assert rows[mine.helper_id, mine.household_id]["figure"] == 1
    assert rows[theirs.helper_id, theirs.household_id]["figure"] == 3


def test_two_spells_with_the_same_household_are_one_subject_with_the_days_summed(place_tree):
    first = PairingFactory(start=D(2019, 1, 1), end=D(2019, 1, 31))
    PairingFactory(helper=first.helper, household=first.household, start=D(2019, 12, 1))
    VisitFactory(pairing=first, date=D(2019, 1, 15))
    VisitFactory(pairing=first, date=D(2019, 12, 15))  # in the second spell

    rows = by_subject(figures.visits_per_pairing(YEAR))
    assert {key: (row["figure"], days(row)) for key, row in rows.items()} == {
        (first.helper_id, first.household_id): (2, 31 + 31)
    }


def test_pairings_outside_the_period_are_not_subjects(place_tree):
    PairingFactory(start=D(2018, 1, 1), end=D(2018, 12, 31))
    PairingFactory(start=D(2020, 1, 1))
    assert list(figures.visits_per_pairing(YEAR)) == []


# --- R10.1 plans -----------------------------------------------------------------------------------


@pytest.fixture
def plans(place_tree: Any) -> dict[str, Any]:
    """Three households paired all year with one plan revision each, dated around the deadline."""
    made = {}
    for name, day in (("on_deadline", D(2019, 3, 31)), ("day_after", D(2019, 4, 1)), ("december", D(2018, 12, 20))):
        pairing = PairingFactory(start=D(2018, 1, 1))
        PlanFactory(pairing=pairing, date=day, year=2019)
        made[name] = (pairing.helper_id, pairing.household_id)
    first_day = PairingFactory(start=D(2018, 1, 1))
    PlanFactory(pairing=first_day, date=D(2019, 1, 1))
    made["new_year"] = (first_day.helper_id, first_day.household_id)
    return made


def test_plan_counts_from_1_january_to_31_march(plans):
    """Documented choice: a revision for the year counts when dated 1 January – the deadline of that year,
    so a plan dated in December for the next year does not (it was not revised at the start of the year)."""
    rows = by_subject(figures.plans_revised_per_pairing(YEAR))
    figure_of = {name: rows[key]["figure"] for name, key in plans.items()}
    assert figure_of == {"on_deadline": 1, "day_after": 0, "december": 0, "new_year": 1}
    assert {days(row) for row in rows.values()} == {365}


def test_plan_deadline_parameter(plans):
    rows = by_subject(figures.plans_revised_per_pairing(YEAR, deadline=D(2019, 4, 30)))
    assert rows[plans["day_after"]]["figure"] == 1
    assert rows[plans["on_deadline"]]["figure"] == 1
    rows = by_subject(figures.plans_revised_per_pairing(YEAR, deadline=D(2019, 3, 30)))
    assert rows[plans["on_deadline"]]["figure"] == 0
    assert rows[plans["new_year"]]["figure"] == 1


def test_plan_of_the_previous_helper_counts_for_them_only(place_tree):
    old = PairingFactory(start=D(2018, 1, 1), end=D(2019, 2, 28))
    new = PairingFactory(household=old.household, start=D(2019, 3, 1))
    PlanFactory(pairing=old, date=D(2019, 1, 10))

    rows = by_subject(figures.plans_revised_per_pairing(YEAR))
    assert rows[old.helper_id, old.household_id]["figure"] == 1
    assert rows[new.helper_id, new.household_id]["figure"] == 0
    assert (days(rows[old.helper_id, old.household_id]), days(rows[new.helper_id, new.household_id])) == (59, 306)


# --- R05.3 households per cadre --------------------------------------------------------------------

ON = D(2019, 9, 1)


@pytest.fixture
def cadres(place_tree: Any) -> dict[str, Any]:
    village = place_tree["620122101201"]
    assisting = factories.UnitFactory(name="帮扶单位")
    AssistanceAssignment.objects.create(unit=assisting, village=village, start=D(2018, 1, 1))
    not_assisting = factories.UnitFactory(name="未承担帮扶任务的单位")
    ended = factories.UnitFactory(name="帮扶已结束的单位")
    AssistanceAssignment.objects.create(unit=ended, village=village, start=D(2018, 1, 1), end=D(2019, 6, 30))
    later = factories.UnitFactory(name="之后才帮扶的单位")
    AssistanceAssignment.objects.create(unit=later, village=village, start=D(2019, 10, 1))

    bureau = factories.PersonFactory(unit=assisting, rank=Rank.BUREAU)
    for _ in range(3):
        PairingFactory(helper=bureau, start=D(2019, 1, 1))
    PairingFactory(helper=bureau, start=D(2018, 1, 1), end=D(2019, 6, 30))  # ended
    PairingFactory(helper=bureau, start=D(2019, 9, 2))  # not yet
    division = factories.PersonFactory(unit=assisting, rank=Rank.DIVISION)
    PairingFactory(helper=division, start=D(2019, 9, 1))
    PairingFactory(helper=division, start=D(2019, 1, 1), end=D(2019, 9, 1))  # its last day is counted
    unpaired = factories.PersonFactory(unit=assisting, rank=Rank.SECTION_AND_BELOW)
    outsiders = [factories.PersonFactory(unit=unit) for unit in (not_assisting, ended, later)]
    for person in outsiders:
        PairingFactory(helper=person, start=D(2019, 1, 1))
    return {"bureau": bureau, "division": division, "unpaired": unpaired, "outsiders": outsiders}


def test_households_per_cadre_counts_current_pairings_of_assisting_units_cadres(cadres):
    rows = {row["id"]: row for row in figures.households_per_cadre(ON)}

    assert set(rows) == {cadres["bureau"].pk, cadres["division"].pk, cadres["unpaired"].pk}
    assert (rows[cadres["bureau"].pk]["figure"], rows[cadres["bureau"].pk]["rank"]) == (3, Rank.BUREAU)
    assert (rows[cadres["division"].pk]["figure"], rows[cadres["division"].pk]["rank"]) == (2, Rank.DIVISION)
    assert rows[cadres["unpaired"].pk]["figure"] == 0
    assert rows[cadres["bureau"].pk]["unit_id"] == cadres["bureau"].unit_id


def test_households_per_cadre_on_another_date(cadres):
    rows = {row["id"]: row["figure"] for row in figures.households_per_cadre(D(2019, 9, 2))}
    assert rows[cadres["bureau"].pk] == 4  # the pairing starting on 2 September now counts
    assert rows[cadres["division"].pk] == 1  # the one that ended on 1 September no longer does


# --- one query each, whatever the number of subjects ----------------------------------------------


@pytest.mark.parametrize(
    ("figure_fn", "arg", "expected"),
    [
        (figures.visits_per_pairing, YEAR, [0] * 15 + [1] * 15),
        (figures.deeds_per_pairing, YEAR, [0] * 15 + [1] * 15),
        (figures.plans_revised_per_pairing, YEAR, [0] * 15 + [1] * 15),
        (figures.households_per_cadre, ON, [1] * 30),
    ],
)
def test_each_figure_is_one_query(place_tree, django_assert_num_queries, figure_fn, arg, expected):
    unit = factories.UnitFactory()
    AssistanceAssignment.objects.create(unit=unit, village=place_tree["620122101201"], start=D(2018, 1, 1))
    pairings = [PairingFactory(helper=factories.PersonFactory(unit=unit), start=D(2019, 1, 1)) for _ in range(30)]
    for pairing in pairings[::2]:
        VisitFactory(pairing=pairing, date=D(2019, 4, 1))
        DeedFactory(pairing=pairing, date=D(2019, 4, 1))
        PlanFactory(pairing=pairing, date=D(2019, 2, 1))

    with django_assert_num_queries(1):
        rows = list(figure_fn(arg))

    assert sorted(row["figure"] for row in rows) == expected


# --- the registry ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "fn"),
    [
        ("R05.3", figures.households_per_cadre),
        ("R10.1", figures.plans_revised_per_pairing),
        ("R10.2", figures.visits_per_pairing),
        ("R10.3", figures.deeds_per_pairing),
    ],
)
def test_registry(rule, fn):
    assert figure_for(rule) is fn

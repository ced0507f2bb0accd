"""The compliance engine on the database, with cases worked by hand from the spec: boundaries
(219/220 days, 159/160 nights), pro-rated joiners, empty months, severity, pace, deadlines,
point-in-time rules, idempotency, late records and closing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from accountability.choices import RunStatus, ViolationStatus
from accountability.compliance import engine
from accountability.compliance.rules import required_minimum
from accountability.models import ComplianceRun, PeriodClosure, Violation
from households.models import Visit
from tests.factories import PersonFactory
from tests.households.factories import PairingFactory, PlanFactory, VisitFactory
from tests.villagecorps.factories import MembershipFactory
from tiers.choices import PlaceLevel, Rank
from tiers.models import DutyRecord, DutyRecordKind, Place
from villagecorps.choices import DayKind
from villagecorps.models import DutyDay, Membership

pytestmark = pytest.mark.django_db

D = datetime.date
AT_RISK, VIOLATION, RESOLVED = ViolationStatus.AT_RISK, ViolationStatus.VIOLATION, ViolationStatus.RESOLVED


def check(year: int, as_of: datetime.date, *rules: str) -> ComplianceRun:
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=year, as_of=as_of, rules=rules)
    )
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def days(membership: Membership, first: datetime.date, *kinds: tuple[str, int]) -> datetime.date:
    """Consecutive duty days from ``first``: (kind, number of days) … Returns the next free day."""
    day, rows = first, []
    for kind, count in kinds:
        for _ in range(count):
            rows.append(DutyDay(membership=membership, person=membership.person, date=day, kind=kind))
            day += datetime.timedelta(days=1)
    DutyDay.objects.bulk_create(rows)
    return day


def of(rule: str, **filters: Any) -> dict[Any, Violation]:
    return {v.subject_key: v for v in Violation.objects.filter(rule__code=rule, **filters)}


def snapshot() -> list[tuple]:
    fields = ["rule__code", "period_kind", "period_year", "period_index", "subject_key", "status", "required"]
    fields += ["actual", "shortfall", "severity", "assigned_days", "final", "late", "late_actual", "person", "place"]
    return list(Violation.objects.order_by("rule__code", "period_index", "subject_key").values_list(*fields))


# --- R09.1 / R09.2: 220 days, 160 nights ----------------------------------------------------------


def test_219_days_and_159_nights_fail_220_and_160_pass(place_tree: Any) -> None:
    short, enough = MembershipFactory(), MembershipFactory()
    days(short, D(2019, 1, 1), (DayKind.IN_VILLAGE_NIGHT, 159), (DayKind.OFFICIAL_TRIP, 60), (DayKind.LEAVE, 20))
    days(enough, D(2019, 1, 1), (DayKind.IN_VILLAGE_NIGHT, 160), (DayKind.MEETING, 60), (DayKind.LEAVE, 20))

    check(2019, D(2019, 12, 31), "R09.1", "R09.2")

    (duty,) = of("R09.1").values()
    assert (duty.membership, duty.person, duty.unit) == (short, short.person, short.dispatching_unit)
    assert (duty.required, duty.actual, duty.shortfall, duty.severity) == (220, 219, 1, 1)
    assert (duty.status, duty.period_kind, duty.period_start, duty.period_end) == (
        VIOLATION,
        "year",
        D(2019, 1, 1),
        D(2019, 12, 31),
    )
    assert duty.place == short.team.village
    (night,) = of("R09.2").values()
    assert (night.membership, night.required, night.actual, night.severity) == (short, 160, 159, 1)


def test_a_joiner_is_pro_rated_and_one_under_thirty_days_is_not_checked(place_tree: Any) -> None:
    july = MembershipFactory(start=D(2019, 7, 1))  # 184 days: 220 → 111, 160 → 81
    on_time = MembershipFactory(start=D(2019, 7, 1))
    december = MembershipFactory(start=D(2019, 12, 3))  # 29 days: not checked
    days(july, D(2019, 7, 1), (DayKind.IN_VILLAGE_NIGHT, 80), (DayKind.IN_VILLAGE, 30))  # 110 days, 80 nights
    days(on_time, D(2019, 7, 1), (DayKind.IN_VILLAGE_NIGHT, 81), (DayKind.IN_VILLAGE, 30))  # 111, 81

    check(2019, D(2019, 12, 31), "R09.1", "R09.2")

    duty, nights = of("R09.1"), of("R09.2")
    assert set(duty) == set(nights) == {str(july.pk)}
    assert (duty[str(july.pk)].required, duty[str(july.pk)].actual, duty[str(july.pk)].assigned_days) == (111, 110, 184)
    assert (nights[str(july.pk)].required, nights[str(july.pk)].actual) == (81, 80)
    assert str(december.pk) not in duty


@pytest.mark.parametrize("start", [D(2019, 1, 1), D(2019, 2, 28), D(2019, 6, 15), D(2019, 10, 1), D(2019, 12, 2)])
def test_the_engine_pro_rates_as_the_policy_function_does(place_tree: Any, start: datetime.date) -> None:
    membership = MembershipFactory(start=start)
    check(2019, D(2019, 12, 31), "R09.1")
    assigned = (D(2019, 12, 31) - start).days + 1
    (row,) = of("R09.1").values()
    assert (row.assigned_days, row.required) == (assigned, required_minimum(220, assigned, 365, pro_rated=True))
    assert row.membership == membership


def test_severity_rises_with_the_shortfall_and_with_repetition(place_tree: Any) -> None:
    levels = {}
    for count in (165, 164, 110, 109):
        m = MembershipFactory(start=D(2019, 1, 1))
        days(m, D(2019, 1, 1), (DayKind.IN_VILLAGE, count))
        levels[str(m.pk)] = count
    again = MembershipFactory(start=D(2018, 1, 1))
    days(again, D(2018, 1, 1), (DayKind.IN_VILLAGE, 200))
    days(again, D(2019, 1, 1), (DayKind.IN_VILLAGE, 219))

    check(2018, D(2018, 12, 31), "R09.1")
    check(2019, D(2019, 12, 31), "R09.1")

    rows = of("R09.1", period_year=2019)
    assert {levels[k]: rows[k].severity for k in levels} == {165: 1, 164: 2, 110: 2, 109: 3}
    assert rows[str(again.pk)].actual == 219 and rows[str(again.pk)].severity == 2  # 99.5 %, but twice in a row


# --- pace warnings ---------------------------------------------------------------------------------


def test_an_open_period_gives_at_risk_warnings_counting_records_up_to_the_as_of_day(place_tree: Any) -> None:
    behind, on_pace = MembershipFactory(), MembershipFactory()
    # 1 July is day 182 of 365: the straight line to 220 stands at 109.7 days.
    days(behind, D(2019, 1, 1), (DayKind.IN_VILLAGE_NIGHT, 109), (DayKind.LEAVE, 73), (DayKind.IN_VILLAGE_NIGHT, 150))
    days(on_pace, D(2019, 1, 1), (DayKind.IN_VILLAGE_NIGHT, 110))

    check(2019, D(2019, 7, 1), "R09.1")

    rows = of("R09.1")
    assert set(rows) == {str(behind.pk)}
    warning = rows[str(behind.pk)]
    assert (warning.status, warning.severity, warning.actual, warning.required) == (AT_RISK, None, 109, 220)
    assert not warning.final

    check(2019, D(2019, 12, 31), "R09.1")  # the year has ended: the 150 later days count, 259 ≥ 220
    assert of("R09.1")[str(behind.pk)].status == RESOLVED
    assert str(on_pace.pk) in of("R09.1") and of("R09.1")[str(on_pace.pk)].status == VIOLATION  # 110 < 220


def test_an_empty_month_is_a_violation_and_the_open_month_a_warning(place_tree: Any, django_user_model: Any) -> None:
    county = place_tree["620123"]
    kind = DutyRecordKind.objects.get(rules__code="R07.3")
    for month in (1, 2, 4):
        record = DutyRecord.objects.create(date=D(2019, month, 10), place=county, title="总队长会议")
        record.kinds.add(kind)

    check(2019, D(2019, 5, 20), "R07.3")

    rows = {(v.period_index, v.subject_key): v for v in Violation.objects.filter(rule__code="R07.3")}
    mine = {index: v for (index, key), v in rows.items() if key == str(county.pk)}
    assert set(mine) == {3, 5}
    assert (mine[3].status, mine[3].required, mine[3].actual, mine[3].severity) == (VIOLATION, 1, 0, 3)
    assert mine[5].status == AT_RISK  # May is open: 20 of 31 days gone, no meeting yet
    other = Place.objects.get(code="620122")
    assert {i for (i, key) in rows if key == str(other.pk)} == {1, 2, 3, 4, 5}


# --- deadlines, ranks, point-in-time rules ----------------------------------------------------------


def test_plan_revision_by_31_march_applies_to_pairings_in_force_then(place_tree: Any) -> None:
    late_plan, on_time, paired_in_may = PairingFactory(), PairingFactory(), PairingFactory(start=D(2019, 5, 1))
    PlanFactory(pairing=late_plan, date=D(2019, 4, 15))
    PlanFactory(pairing=on_time, date=D(2019, 3, 31))

    check(2019, D(2019, 3, 1), "R10.1")
    warnings = of("R10.1")
    assert {v.household for v in warnings.values()} == {late_plan.household, on_time.household}
    assert {v.status for v in warnings.values()} == {AT_RISK}

    check(2019, D(2019, 6, 30), "R10.1")  # past the deadline: a violation though the year is open
    rows = of("R10.1")
    key = f"{late_plan.helper_id}-{late_plan.household_id}"
    assert rows[key].status == VIOLATION and rows[key].actual == 0
    assert rows[f"{on_time.helper_id}-{on_time.household_id}"].status == RESOLVED
    assert f"{paired_in_may.helper_id}-{paired_in_may.household_id}" not in rows


def test_households_per_cadre_depend_on_rank(place_tree: Any) -> None:
    from tests.factories import UnitFactory
    from tiers.models import AssistanceAssignment

    unit = UnitFactory()
    AssistanceAssignment.objects.create(unit=unit, village=place_tree["620123101201"], start=D(2019, 1, 1))
    bureau = PersonFactory(unit=unit, rank=Rank.BUREAU)
    division = PersonFactory(unit=unit, rank=Rank.DIVISION)
    for person in (bureau, bureau, division, division):
        PairingFactory(helper=person)

    check(2019, D(2019, 6, 30), "R05.3")

    rows = of("R05.3")
    assert set(rows) == {str(bureau.pk)}
    assert (rows[str(bureau.pk)].required, rows[str(bureau.pk)].actual, rows[str(bureau.pk)].status) == (
        3,
        2,
        VIOLATION,
    )
    assert rows[str(bureau.pk)].period_kind == "point"


def test_a_county_without_a_village_work_group_is_a_violation_at_once(place_tree: Any) -> None:
    check(2019, D(2019, 2, 1), "R07.1")
    counties = set(Place.objects.filter(level=PlaceLevel.COUNTY).values_list("pk", flat=True))
    rows = of("R07.1")
    assert {int(k) for k in rows} == counties
    assert {(v.status, v.required, v.actual, v.checked_on) for v in rows.values()} == {(VIOLATION, 1, 0, D(2019, 2, 1))}


# --- idempotency, late records, closing --------------------------------------------------------------


def test_running_twice_gives_the_same_rows(place_tree: Any) -> None:
    for n in range(3):
        pairing = PairingFactory()
        for day in range(n):
            VisitFactory(pairing=pairing, date=D(2019, 5, 1 + day))
    m = MembershipFactory()
    days(m, D(2019, 1, 1), (DayKind.IN_VILLAGE_NIGHT, 100))

    check(2019, D(2019, 12, 31))
    first = snapshot()
    check(2019, D(2019, 12, 31))
    assert snapshot() == first
    assert Violation.objects.filter(rule__code="R10.2").count() == 2


def test_a_late_record_cures_before_closing_and_is_flagged_after(place_tree: Any) -> None:
    cured, flagged = PairingFactory(), PairingFactory()
    for pairing in (cured, flagged):
        VisitFactory(pairing=pairing, date=D(2019, 3, 1))
    key = f"{cured.helper_id}-{cured.household_id}"
    flagged_key = f"{flagged.helper_id}-{flagged.household_id}"

    check(2019, D(2019, 12, 31), "R10.2")
    assert {k: v.status for k, v in of("R10.2").items()} == {key: VIOLATION, flagged_key: VIOLATION}

    VisitFactory(pairing=cured, date=D(2019, 12, 20))  # entered in January, within the 10 days
    check(2020, D(2020, 1, 5), "R10.2") and check(2019, D(2020, 1, 5), "R10.2")
    rows = of("R10.2", period_year=2019)
    assert rows[key].status == RESOLVED and rows[key].resolved_at is not None
    assert rows[flagged_key].status == VIOLATION and not rows[flagged_key].final

    closing = check(2019, D(2020, 1, 10), "R10.2")  # the closing day: the final evaluation
    assert PeriodClosure.objects.get(rule__code="R10.2", period_year=2019).run == closing
    assert all(v.final for v in of("R10.2", period_year=2019).values())

    VisitFactory(pairing=flagged, date=D(2019, 12, 28))  # entered after the period closed
    check(2019, D(2020, 2, 1), "R10.2")
    row = of("R10.2", period_year=2019)[flagged_key]
    assert (row.status, row.actual, row.final, row.late, row.late_actual) == (VIOLATION, 1, True, True, 2)
    assert Visit.objects.filter(helper=flagged.helper).count() == 2


def test_a_run_records_its_trigger_periods_counts_and_duration(place_tree: Any) -> None:
    PairingFactory()  # no visit by 30 June: behind the line to 2 visits
    VisitFactory(pairing=PairingFactory())  # one visit by 30 June: on pace
    run = check(2019, D(2019, 6, 30), "R10.2", "R07.3")
    assert (run.trigger, run.year, run.as_of, run.rules) == ("command", 2019, D(2019, 6, 30), ["R07.3", "R10.2"])
    assert "2019-Q2" in run.periods and "2019-07" not in run.periods
    assert run.counts["rules"] == 2 and run.counts[AT_RISK] == 1 and run.counts[VIOLATION] == 6 * 4
    assert run.duration is not None and run.evaluations.filter(status=RunStatus.SUCCEEDED).count() == 2
    assert set(Violation.objects.values_list("run", flat=True)) == {run.pk}


def test_unknown_rules_and_years_are_refused() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="R99.9"):
        engine.compliance_run_create(trigger="command", year=2019, rules=["R99.9"])
    with pytest.raises(ValidationError, match="1999"):
        engine.compliance_run_create(trigger="command", year=1999)

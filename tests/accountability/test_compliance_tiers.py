"""Hand-worked cases of the rules of tiers 2–8 and the unit duties, through the engine: each subject's
required and actual, the period it fails, severity, and a record that cures it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from accountability.choices import RunStatus, ViolationStatus
from accountability.compliance import engine
from accountability.models import Violation
from tests.factories import PersonFactory, UnitFactory
from tests.households.factories import DeedFactory, PairingFactory
from tests.villagecorps.factories import (
    FollowUpVisitFactory,
    InsuranceCoverFactory,
    MembershipFactory,
    TrainingDayFactory,
    county_of,
)
from tiers.choices import PostTitle
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    DutyRecordKind,
    GroupLeaderAssignment,
    Post,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JAN1 = D(2019, 1, 1)
YEAR_END = D(2019, 12, 31)
VIOLATION, RESOLVED = ViolationStatus.VIOLATION, ViolationStatus.RESOLVED


def check(*rules: str, as_of: datetime.date = YEAR_END) -> None:
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=as_of, rules=rules)
    )
    assert run.status == RunStatus.SUCCEEDED, run.error


def log(rule: str, day: datetime.date, **subject: Any) -> DutyRecord:
    record = DutyRecord.objects.create(date=day, title=f"{rule} 记录", **subject)
    record.kinds.add(DutyRecordKind.objects.filter(rules__code=rule).first())
    return record


def rows(rule: str, **filters: Any) -> dict[tuple[int, str], Violation]:
    return {(v.period_index, v.subject_key): v for v in Violation.objects.filter(rule__code=rule, **filters)}


def figures(v: Violation) -> tuple[str, int, int, int | None]:
    return v.status, v.required, v.actual, v.severity


@pytest.fixture
def lead(place_tree: Any) -> Any:
    """A provincial unit leading county 620122's group, assisting one of its villages, with a principal
    leader who is also the county's contact leader."""
    unit = UnitFactory(code="LEAD", name="组长单位")
    county = place_tree["620122"]
    GroupLeaderAssignment.objects.create(unit=unit, county=county, start=JAN1)
    AssistanceAssignment.objects.create(unit=unit, village=place_tree["620122101201"], start=JAN1)
    chief = PersonFactory(unit=unit)
    Post.objects.create(person=chief, title=PostTitle.PRINCIPAL, unit=unit, start=JAN1)
    ContactLeaderAssignment.objects.create(person=chief, county=county, start=JAN1)
    return {"unit": unit, "county": county, "chief": chief}


def test_r02_1_the_contact_leader_presides_one_meeting_a_year(lead: Any) -> None:
    key = f"{lead['chief'].pk}-{lead['county'].pk}"
    check("R02.1")
    (v,) = rows("R02.1").values()
    assert v.subject_key == key and figures(v) == (VIOLATION, 1, 0, 3)
    assert (v.person, v.place) == (lead["chief"], lead["county"])

    log("R02.1", D(2019, 11, 5), person=lead["chief"], place=lead["county"])
    check("R02.1")
    assert rows("R02.1")[(1, key)].status == RESOLVED


def test_r03_1_and_r03_2_are_half_yearly_for_the_group_leader_unit(lead: Any) -> None:
    log("R03.1", D(2019, 3, 1), unit=lead["unit"], place=lead["county"])
    check("R03.1", "R03.2")
    key = f"{lead['unit'].pk}-{lead['county'].pk}"
    assert set(rows("R03.1")) == {(2, key)}  # the second half had no joint meeting
    assert set(rows("R03.2")) == {(1, key), (2, key)}
    assert rows("R03.2")[(2, key)].severity == 3


def test_r05_1_three_studies_of_four_is_severity_one(lead: Any) -> None:
    for month in (2, 5, 8):
        log("R05.1", D(2019, month, 1), unit=lead["unit"])
    check("R05.1")
    (v,) = rows("R05.1").values()
    assert (v.unit, figures(v)) == (lead["unit"], (VIOLATION, 4, 3, 1))  # exactly 75 %


def test_r06_1_a_prefecture_misses_the_fourth_quarter(place_tree: Any) -> None:
    lanzhou, tianshui = place_tree["620100"], place_tree["620500"]
    for month in (2, 5, 8):
        log("R06.1", D(2019, month, 1), place=lanzhou)
    for month in (2, 5, 8, 11):
        log("R06.1", D(2019, month, 1), place=tianshui)
    check("R06.1")
    assert set(rows("R06.1")) == {(4, str(lanzhou.pk))}


def test_r07_2_one_meeting_of_two_is_severity_two(place_tree: Any) -> None:
    county = place_tree["620123"]
    log("R07.2", D(2019, 4, 1), place=county)
    check("R07.2")
    assert figures(rows("R07.2")[(1, str(county.pk))]) == (VIOLATION, 2, 1, 2)  # exactly 50 %


def test_r08_1_a_township_needs_a_team_head_on_the_day(place_tree: Any) -> None:
    township = place_tree["620122101"]
    head = PersonFactory(unit=UnitFactory(place=place_tree["620122"]))
    Post.objects.create(person=head, title=PostTitle.TOWNSHIP_TEAM_HEAD, place=township, start=D(2019, 6, 1))
    check("R08.1", as_of=D(2019, 5, 1))
    assert str(township.pk) in {key for _, key in rows("R08.1")}
    check("R08.1", as_of=D(2019, 6, 1))
    assert rows("R08.1")[(1, str(township.pk))].status == RESOLVED
    assert len(rows("R08.1", status=VIOLATION)) == 3  # the other three townships


def test_r05_5_follow_ups_each_quarter_pro_rated_for_a_late_joiner(place_tree: Any) -> None:
    whole = MembershipFactory()
    for month in (2, 5, 8):
        FollowUpVisitFactory(membership=whole, date=D(2019, month, 10))
    joiner = MembershipFactory(start=D(2019, 11, 15))  # 47 days of Q4: checked, ceil(1 × 47 / 92) = 1
    december = MembershipFactory(start=D(2019, 12, 5))  # 27 days: not checked
    check("R05.5")
    found = rows("R05.5")
    assert set(found) == {(4, str(whole.pk)), (4, str(joiner.pk))}
    assert (found[(4, str(joiner.pk))].required, found[(4, str(joiner.pk))].assigned_days) == (1, 47)
    assert found[(4, str(whole.pk))].unit == whole.dispatching_unit
    assert str(december.pk) not in {key for _, key in found}


def test_r05_6_insurance_must_cover_the_whole_stationing(place_tree: Any) -> None:
    half, covered = MembershipFactory(), MembershipFactory()
    InsuranceCoverFactory(membership=half, start=JAN1, end=D(2019, 6, 30))
    InsuranceCoverFactory(membership=covered, start=D(2018, 7, 1), end=D(2020, 6, 30))
    check("R05.6")
    assert {key: figures(v) for (_, key), v in rows("R05.6").items()} == {str(half.pk): (VIOLATION, 1, 0, 3)}


def test_r07_4_four_training_days_of_five(place_tree: Any) -> None:
    member = MembershipFactory()
    county = county_of(member.team.village)
    for day in range(1, 5):
        TrainingDayFactory(person=member.person, county=county, date=D(2019, 3, day))
    check("R07.4")
    (v,) = rows("R07.4").values()
    assert (v.membership, v.place, figures(v)) == (member, county, (VIOLATION, 5, 4, 1))


def test_r10_3_a_deed_a_year_pro_rated_from_october(place_tree: Any) -> None:
    none, done = PairingFactory(), PairingFactory()
    DeedFactory(pairing=done, date=D(2019, 9, 1))
    october = PairingFactory(start=D(2019, 10, 1))  # 92 days: ceil(1 × 92 / 365) = 1
    check("R10.3")
    found = {key: v for (_, key), v in rows("R10.3").items()}
    assert set(found) == {f"{p.helper_id}-{p.household_id}" for p in (none, october)}
    assert found[f"{october.helper_id}-{october.household_id}"].assigned_days == 92

"""The records counted for a violation (its evidence): each rule lists exactly what its figure counted.
Violations come from running the real engine on hand-made records."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from accountability.choices import RunStatus, ViolationStatus
from accountability.compliance import engine
from accountability.compliance.evidence import MAX_RECORDS, NO_RECORDS, evidence_records, registered
from accountability.models import Violation
from tests import factories
from tests.households.factories import DeedFactory, HouseholdFactory, PairingFactory, PlanFactory, VisitFactory
from tests.villagecorps.factories import (
    DutyDayFactory,
    FollowUpVisitFactory,
    InsuranceCoverFactory,
    MembershipFactory,
    TeamFactory,
    TrainingDayFactory,
)
from tiers.choices import PostTitle
from tiers.figures import registered as registered_figures
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    DutyRecordKind,
    Place,
    Post,
)
from villagecorps.choices import DayKind

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR_END = D(2019, 12, 31)


def check(*rules: str, as_of: datetime.date = YEAR_END) -> None:
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=as_of, rules=rules)
    )
    assert run.status == RunStatus.SUCCEEDED, run.error


def violation(rule: str, **links: Any) -> Violation:
    return Violation.objects.select_related("rule").get(rule__code=rule, **links)


#: Whoever sees the whole province: every counted record is listed, none is hidden.
def everyone() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="evidence-root", defaults={"is_superuser": True})[0]


def records(v: Violation) -> list[dict[str, Any]]:
    rows, truncated, hidden = evidence_records(v, user=everyone())
    assert not truncated and not hidden
    return rows


def ids(v: Violation) -> list[tuple[str, int]]:
    return [(row["type"], row["id"]) for row in records(v)]


def record(rule: str, day: datetime.date, **about: Any) -> DutyRecord:
    """A duty record of the first kind that counts for ``rule``."""
    made = DutyRecord.objects.create(date=day, title=f"{rule} 记录", **about)
    made.kinds.add(DutyRecordKind.objects.filter(rules__code=rule).order_by("code").first())
    return made


def test_every_rule_with_a_figure_has_evidence_or_counts_no_records():
    figures = set(registered_figures())
    assert set(registered()) | NO_RECORDS == figures
    assert not set(registered()) & NO_RECORDS


# --- households -----------------------------------------------------------------------------------


def test_r10_2_visits_of_the_helper_to_the_household_in_the_year(place_tree):
    pairing = PairingFactory(start=D(2018, 6, 1))
    counted = VisitFactory(pairing=pairing, date=D(2019, 5, 6))
    VisitFactory(pairing=pairing, date=D(2018, 12, 30))  # last year
    elsewhere = PairingFactory(helper=pairing.helper, start=D(2019, 1, 1))
    VisitFactory(pairing=elsewhere, date=D(2019, 5, 7))  # another household
    check("R10.2")

    v = violation("R10.2", household=pairing.household)
    assert v.actual == 1
    (row,) = records(v)
    assert row == {
        "type": "visit",
        "id": counted.pk,
        "date": D(2019, 5, 6),
        "summary": str(counted),
        "entered_at": counted.entered_at,
        "late": False,
    }


def test_r10_3_a_resolved_violation_lists_the_deed_that_cured_it(place_tree):
    pairing = PairingFactory()
    check("R10.3")
    v = violation("R10.3", household=pairing.household)
    assert (v.status, records(v)) == (ViolationStatus.VIOLATION, [])

    deed = DeedFactory(pairing=pairing, date=D(2019, 11, 2))
    check("R10.3")
    v.refresh_from_db()
    assert v.status == ViolationStatus.RESOLVED
    assert ids(v) == [("deed", deed.pk)]


def test_r10_1_plans_count_up_to_the_deadline(place_tree):
    pairing = PairingFactory()
    late = PlanFactory(pairing=pairing, date=D(2019, 4, 15))
    check("R10.1", as_of=D(2019, 4, 5))  # due on 31 March: ended, closed on 10 April
    v = violation("R10.1", household=pairing.household)
    assert (v.actual, records(v)) == (0, [])

    on_time = PlanFactory(pairing=pairing, date=D(2019, 3, 31))
    check("R10.1", as_of=D(2019, 4, 5))
    v.refresh_from_db()
    assert v.status == ViolationStatus.RESOLVED
    assert ids(v) == [("plan", on_time.pk)]
    assert late.pk not in {row["id"] for row in records(v)}


def test_r05_3_the_pairings_in_force_on_the_day_checked(place_tree):
    cadre = factories.PersonFactory()
    AssistanceAssignment.objects.create(unit=cadre.unit, village=place_tree["620122101201"], start=D(2019, 1, 1))
    current = PairingFactory(helper=cadre, start=D(2019, 2, 1))
    PairingFactory(helper=cadre, start=D(2019, 1, 1), end=D(2019, 6, 30))  # ended before the day
    check("R05.3")
    v = violation("R05.3", person=cadre)
    assert (v.actual, v.required) == (1, 2)
    (row,) = records(v)
    assert (row["type"], row["id"], row["date"], row["entered_at"]) == ("pairing", current.pk, D(2019, 2, 1), None)


# --- villagecorps ---------------------------------------------------------------------------------


@pytest.fixture
def stationed(place_tree: Any) -> Any:
    """A cadre stationed since December 2018 in a 620122 village: 5 nights, 3 days without a night, 2
    days of leave in 2019 and a night in 2018; follow-ups in Q1 only; insured for the first half; 2 training
    days with the county and 1 with another county."""
    membership = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]), start=D(2018, 12, 1))
    days = [(D(2018, 12, 31), DayKind.IN_VILLAGE_NIGHT)]
    days += [(D(2019, 4, d), DayKind.IN_VILLAGE_NIGHT) for d in range(1, 6)]
    days += [(D(2019, 4, d), DayKind.IN_VILLAGE) for d in range(6, 9)]
    days += [(D(2019, 4, d), DayKind.LEAVE) for d in range(9, 11)]
    made = {day: DutyDayFactory(membership=membership, date=day, kind=kind) for day, kind in days}
    FollowUpVisitFactory(membership=membership, date=D(2019, 2, 1))
    cover = InsuranceCoverFactory(membership=membership, start=D(2019, 1, 1), end=D(2019, 6, 30))
    person = membership.person
    training = [TrainingDayFactory(person=person, county=place_tree["620122"], date=D(2019, 3, d)) for d in (1, 2)]
    TrainingDayFactory(person=person, county=place_tree["620123"], date=D(2019, 3, 3))
    return {"membership": membership, "days": made, "cover": cover, "training": training}


def test_r09_1_duty_days_and_r09_2_nights(stationed):
    check("R09.1", "R09.2")
    membership, days = stationed["membership"], stationed["days"]
    duty, nights = violation("R09.1", membership=membership), violation("R09.2", membership=membership)
    assert (duty.actual, nights.actual) == (8, 5)
    assert [row["date"] for row in records(duty)] == [D(2019, 4, d) for d in range(1, 9)]
    assert [row["id"] for row in records(nights)] == [days[D(2019, 4, d)].pk for d in range(1, 6)]
    first = records(duty)[0]
    assert first["type"] == "duty_day"
    assert first["entered_at"] == days[D(2019, 4, 1)].recorded_at
    assert first["summary"] == str(days[D(2019, 4, 1)])


def test_r05_5_follow_ups_of_the_quarter(stationed):
    check("R05.5")
    membership = stationed["membership"]
    assert not Violation.objects.filter(rule__code="R05.5", period_index=1).exists()
    q4 = violation("R05.5", membership=membership, period_index=4)  # ended, not yet closed
    assert records(q4) == []
    visit = FollowUpVisitFactory(membership=membership, date=D(2019, 12, 30))
    check("R05.5")
    q4.refresh_from_db()
    assert q4.status == ViolationStatus.RESOLVED
    assert ids(q4) == [("follow_up_visit", visit.pk)]


def test_r05_6_the_covers_overlapping_the_year(stationed):
    check("R05.6")
    v = violation("R05.6", membership=stationed["membership"])
    (row,) = records(v)
    assert (row["type"], row["id"], row["date"]) == ("insurance_cover", stationed["cover"].pk, D(2019, 1, 1))


def test_r07_4_training_days_with_the_county(stationed):
    check("R07.4")
    v = violation("R07.4", membership=stationed["membership"])
    assert v.actual == 2
    assert ids(v) == [("training_day", t.pk) for t in stationed["training"]]


# --- tiers 2–8: duty records ----------------------------------------------------------------------


def test_r07_3_the_county_meetings_of_the_month(place_tree):
    county = place_tree["620122"]
    record("R07.3", D(2019, 3, 5), place=place_tree["620123"])  # another county
    record("R07.2", D(2019, 3, 6), place=county)  # another kind
    check("R07.3", as_of=D(2019, 4, 5))  # March has ended, not yet closed
    march = violation("R07.3", place=county, period_index=3)
    assert records(march) == []

    held = record("R07.3", D(2019, 3, 20), place=county)
    check("R07.3", as_of=D(2019, 4, 5))
    march.refresh_from_db()
    assert march.status == ViolationStatus.RESOLVED
    assert ids(march) == [("duty_record", held.pk)]
    assert records(march)[0]["entered_at"] == held.entered_at


def test_a_record_of_two_kinds_is_listed_once(place_tree):
    county = place_tree["620122"]
    joint = record("R07.2", D(2019, 5, 5), place=county)
    joint.kinds.add(DutyRecordKind.objects.filter(rules__code="R07.3").first())
    joint.kinds.add(*DutyRecordKind.objects.filter(rules__code="R07.2"))
    check("R07.2")
    v = violation("R07.2", place=county)
    assert (v.actual, ids(v)) == (1, [("duty_record", joint.pk)])


def test_r02_1_r05_1_and_r05_2(place_tree):
    county, village = place_tree["620122"], place_tree["620122101201"]
    leader = factories.PersonFactory()
    ContactLeaderAssignment.objects.create(person=leader, county=county, start=D(2019, 1, 1))
    record("R02.1", D(2019, 6, 1), person=leader, place=place_tree["620123"])  # another county
    unit = factories.UnitFactory()
    AssistanceAssignment.objects.create(unit=unit, village=village, start=D(2019, 1, 1))
    study = record("R05.1", D(2019, 6, 2), unit=unit)
    record("R05.1", D(2019, 6, 3), unit=factories.UnitFactory())
    head = factories.PersonFactory(unit=unit)
    Post.objects.create(person=head, title=PostTitle.PRINCIPAL, unit=unit, start=D(2019, 1, 1))
    visit = record("R05.2", D(2019, 6, 4), person=head, place=village)
    record("R05.2", D(2019, 6, 5), person=head, place=place_tree["620122101202"])  # a village not assisted
    check("R02.1", "R05.1", "R05.2")

    assert records(violation("R02.1", person=leader)) == []
    assert ids(violation("R05.1", unit=unit)) == [("duty_record", study.pk)]
    assert ids(violation("R05.2", person=head)) == [("duty_record", visit.pk)]


def test_structure_checks_count_no_records(place_tree):
    check("R07.1", "R08.1")
    county = violation("R07.1", place=place_tree["620122"])
    assert evidence_records(county, user=everyone()) == ([], False, 0)


def test_at_most_200_records(place_tree):
    pairing = PairingFactory(start=D(2018, 1, 1))
    membership = MembershipFactory(person=pairing.helper, start=D(2019, 1, 1))
    day = D(2019, 1, 1)
    for _ in range(MAX_RECORDS + 5):
        DutyDayFactory(membership=membership, date=day, kind=DayKind.IN_VILLAGE)
        day += datetime.timedelta(days=1)
    check("R09.2")  # no nights: a violation; then R09.1 with 205 days of 220
    check("R09.1")
    v = violation("R09.1", membership=membership)
    rows, truncated, hidden = evidence_records(v, user=everyone())
    assert (len(rows), truncated, hidden, v.actual) == (MAX_RECORDS, True, 0, MAX_RECORDS + 5)
    assert rows[0]["date"] == D(2019, 1, 1)


# --- every violation: the records listed are the figure ----------------------------------------------


def test_for_every_violation_the_records_listed_are_as_many_as_counted(place_tree, stationed):
    """A small province with a bit of everything: every violation of every counting rule lists exactly
    ``actual`` records."""
    county, village = place_tree["620122"], place_tree["620122101201"]
    pairing = PairingFactory(household=HouseholdFactory(village=village))
    VisitFactory(pairing=pairing, date=D(2019, 3, 1))
    AssistanceAssignment.objects.create(unit=pairing.helper.unit, village=village, start=D(2019, 1, 1))
    for rule, day in (("R07.2", D(2019, 2, 1)), ("R07.3", D(2019, 2, 2)), ("R07.3", D(2019, 2, 3))):
        record(rule, day, place=county)
    record("R06.1", D(2019, 2, 4), place=Place.objects.get(code="620100"))
    record("R08.2", D(2019, 2, 5), place=place_tree["620122101"])
    record("R05.1", D(2019, 2, 6), unit=pairing.helper.unit)
    check()

    counting = Violation.objects.exclude(rule__code__in=[*NO_RECORDS, "R05.6"]).exclude(status=ViolationStatus.RESOLVED)
    assert counting.filter(actual__gt=0).count() >= 6
    for v in counting.select_related("rule"):
        assert len(records(v)) == v.actual, (v.rule.code, v.subject_key, v.period_index)

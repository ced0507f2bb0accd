"""The escalation engine with cases worked by hand from spec §4: severity ladders, joint liability
across units, 不称职 → dispatching unit capped, an incident → five bodies ineligible, recomputation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from accountability.choices import ActionStatus, CaseKind, RatingGrade
from accountability.compliance import engine as compliance
from accountability.escalation.engine import escalations_compute
from accountability.models import Action, ActionDecision, Case, Incident, Rating
from tests.factories import PersonFactory, UnitFactory
from tests.households.factories import PairingFactory, VisitFactory
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import PostTitle, UnitKind
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    DutyRecordKind,
    GroupLeaderAssignment,
    Post,
)
from villagecorps.choices import DayKind, MemberRole
from villagecorps.models import DutyDay

pytestmark = pytest.mark.django_db

D = datetime.date
JAN1 = D(2019, 1, 1)
CLOSED = D(2020, 2, 1)  # every period of 2019 has closed


def evaluate(*rules: str, as_of: datetime.date = CLOSED) -> None:
    compliance.compliance_run_execute(
        compliance.compliance_run_create(trigger="command", year=2019, as_of=as_of, rules=rules)
    )


def actions(code: str, **filters: Any) -> list[Action]:
    return list(
        Action.objects.filter(escalation__code=code, **filters).order_by("kind", "bearer", "slot", "subject_key")
    )


def targets(action: Action) -> dict[str, str]:
    return {t.person.name: t.role for t in action.targets.select_related("person")}


def post(person: Any, title: str, **where: Any) -> None:
    Post.objects.create(person=person, title=title, start=JAN1, **where)


@pytest.fixture
def county(place_tree: Any) -> dict[str, Any]:
    """County 620122 (兰州市) with its party secretary, deputy (总队长), township party secretary, a
    provincial group-leader unit and contact leader, and a provincial unit assisting village 201."""
    t = place_tree
    county, township, village = t["620122"], t["620122101"], t["620122101201"]
    local = UnitFactory(kind=UnitKind.COUNTY_UNIT, place=county, name="县委办")
    secretary, deputy, township_secretary = (
        PersonFactory(unit=local, name=n) for n in ("县委书记", "副书记", "乡党委书记")
    )
    post(secretary, PostTitle.PARTY_SECRETARY, place=county)
    post(deputy, PostTitle.DEPUTY, place=county)
    post(deputy, PostTitle.COUNTY_TEAM_HEAD, place=county)
    post(township_secretary, PostTitle.PARTY_SECRETARY, place=township)
    gl = UnitFactory(name="组长单位")
    GroupLeaderAssignment.objects.create(unit=gl, county=county, start=JAN1)
    contact = PersonFactory(unit=gl, name="联系领导")
    ContactLeaderAssignment.objects.create(person=contact, county=county, start=JAN1)
    helping = UnitFactory(name="帮扶单位")
    AssistanceAssignment.objects.create(unit=helping, village=village, start=JAN1)
    for unit, prefix in ((gl, "组长单位"), (helping, "帮扶单位")):
        post(PersonFactory(unit=unit, name=f"{prefix}一把手"), PostTitle.PRINCIPAL, unit=unit)
        post(PersonFactory(unit=unit, name=f"{prefix}分管领导"), PostTitle.DEPUTY, unit=unit)
    return {"county": county, "township": township, "village": village, "gl": gl, "helping": helping, "tree": t}


def studies(unit: Any, count: int) -> None:
    kind = DutyRecordKind.objects.filter(rules__code="R05.1").first()
    for month in range(1, count + 1):
        DutyRecord.objects.create(date=D(2019, month, 5), unit=unit, title="党委研究帮扶工作").kinds.add(kind)


@pytest.mark.parametrize(
    ("held", "severity", "convenor"),
    [(3, 1, "组长单位：组长单位"), (2, 2, "省级联系包抓领导：联系领导"), (1, 3, "省脱贫攻坚帮扶工作协调领导小组")],
)
def test_e05_1_the_convenor_rises_with_severity(county: Any, held: int, severity: int, convenor: str) -> None:
    studies(county["helping"], held)  # R05.1 needs 4: 3 is 75 % (1), 2 is 50 % (2), 1 is 25 % (3)
    evaluate("R05.1")
    escalations_compute(year=2019, as_of=D(2020, 2, 1))

    (action,) = actions("E05.1")
    assert (action.unit, action.kind, action.severity, action.convenor_name) == (
        county["helping"],
        "admonish",
        severity,
        convenor,
    )
    assert targets(action) == {"帮扶单位一把手": "主要负责同志", "帮扶单位分管领导": "分管负责同志"}
    (trigger,) = action.triggers.all()
    assert trigger.violation.rule.code == "R05.1" and trigger.summary == f"R05.1 2019年：应达到 4，实际 {held}"


def stationed(county: Any, nights: int, **kw: Any) -> Any:
    team = TeamFactory(village=county["village"])
    leader = MembershipFactory(team=team, role=MemberRole.FIRST_SECRETARY_LEADER, person=PersonFactory(name="队长"))
    member = MembershipFactory(team=team, person=PersonFactory(name="队员", unit=county["helping"]), **kw)
    for m, count in ((leader, 240), (member, nights)):
        DutyDay.objects.bulk_create(
            DutyDay(
                membership=m, person=m.person, date=JAN1 + datetime.timedelta(days=i), kind=DayKind.IN_VILLAGE_NIGHT
            )
            for i in range(count)
        )
    return member


def test_one_member_not_living_in_the_village_reaches_member_county_and_township(county: Any) -> None:
    member = stationed(county, 219)  # 219 days, all nights: R09.1 fails at 99.5 % (severity 1), R09.2 passes
    evaluate("R09.1", "R09.2")
    escalations_compute(year=2019, as_of=D(2020, 2, 1))

    (e09,) = actions("E09.1")
    assert (e09.membership, e09.person, e09.unit, e09.severity) == (member, member.person, county["helping"], 1)
    assert e09.convenor_name == "县620122脱贫攻坚帮扶工作协调领导小组"
    assert targets(e09) == {"队长": "工作队队长", "队员": "当事人"}
    (e07,) = actions("E07.1")  # 驻村不住村 in the county: severity 1 → the prefecture's leading group
    assert (e07.place, e07.convenor_name) == (county["county"], "兰州市脱贫攻坚帮扶工作协调领导小组")
    assert targets(e07) == {"县委书记": "主要负责同志", "副书记": "分管负责同志、总队长"}
    (e08,) = actions("E08.1")
    assert (e08.place, e08.convenor_name) == (county["township"], "县620122主要负责同志：县委书记")
    assert targets(e08) == {"乡党委书记": "党委书记"}


def test_an_incident_in_an_assisted_village_makes_five_bodies_ineligible(county: Any) -> None:
    Incident.objects.create(village=county["village"], date=D(2019, 8, 1), description="危房倒塌致人受伤，造成不良影响")
    escalations_compute(year=2019, as_of=D(2020, 2, 1))

    bans = {(a.escalation.code, a.subject_name) for a in Action.objects.filter(kind="award_ban")}
    assert bans == {
        ("E03.2", "组长单位"),
        ("E05.2", "帮扶单位"),
        ("E06.2", "兰州市"),
        ("E07.2", "县620122"),
        ("E08.2", "乡620122101"),
    }
    (cap,) = actions("E05.2", kind="assessment_cap")
    assert cap.unit == county["helping"] and cap.joint_liability
    assert actions("E03.2")[0].joint_liability
    assert {t.summary[:6] for a in Action.objects.all() for t in a.triggers.all()} == {"重大涉贫事件"}


def test_an_incompetent_stationed_cadre_caps_the_dispatching_unit(county: Any) -> None:
    member = stationed(county, 240)
    Rating.objects.create(person=member.person, year=2019, grade=RatingGrade.INCOMPETENT)
    escalations_compute(year=2019, as_of=D(2020, 2, 1))

    got = {(a.kind, a.bearer, a.subject_name, a.convenor_name) for a in actions("E09.2")}
    assert got == {
        ("award_ban", "team", member.team.name, ""),
        ("award_ban", "team_leader", "队长", ""),
        ("award_ban", "member", "队员", ""),
        ("promotion_ban", "team_leader", "队长", ""),
        ("promotion_ban", "member", "队员", ""),
        ("assessment_cap", "dispatching_unit", "帮扶单位", ""),
        ("admonish", "dispatching_unit", "帮扶单位", "组长单位：组长单位"),
        ("admonish", "dispatching_unit", "帮扶单位", "县620122脱贫攻坚帮扶工作协调领导小组"),
        ("replacement", "member", "队员", ""),
    }
    talk = actions("E09.2", kind="admonish")[0]
    assert targets(talk) == {"帮扶单位一把手": "单位负责同志"} and talk.joint_liability


def test_an_incident_due_to_a_helper_reaches_their_unit_leader(county: Any) -> None:
    pairing = PairingFactory(
        helper=PersonFactory(unit=county["helping"], name="帮扶人"), household__village=county["village"]
    )
    Incident.objects.create(
        village=county["village"], date=D(2019, 9, 1), description="帮扶不实", person=pairing.helper
    )
    escalations_compute(year=2019, as_of=D(2020, 2, 1))

    got = {(a.kind, a.subject_name, a.convenor_name) for a in actions("E10.2")}
    assert got == {
        ("award_ban", "帮扶人", ""),
        ("promotion_ban", "帮扶人", ""),
        ("admonish", "帮扶单位", "组长单位：组长单位"),
    }


def test_falsification_by_a_county(county: Any) -> None:
    Case.objects.create(
        kind=CaseKind.FALSIFICATION,
        date=D(2019, 10, 1),
        inspection="省级交叉考核",
        description="虚报脱贫数据",
        place=county["county"],
    )
    escalations_compute(year=2019, as_of=D(2020, 2, 1))
    assert {(a.escalation.code, a.subject_name) for a in Action.objects.all()} == {
        ("E07.2", "县620122"),
        ("E06.2", "兰州市"),
    }


def test_helpers_admonished_by_their_own_unit_and_recomputation_keeps_decisions(county: Any) -> None:
    helper = PersonFactory(unit=county["helping"], name="帮扶人")
    cured, kept = (
        PairingFactory(helper=helper),
        PairingFactory(helper=PersonFactory(unit=county["helping"], name="另一人")),
    )
    evaluate("R10.2", as_of=D(2020, 1, 2))  # ended, not yet closed: a late visit can still cure it
    escalations_compute(year=2019, as_of=D(2020, 2, 1))
    first = {a.subject_name: a for a in actions("E10.1")}
    assert set(first) == {"帮扶人", "另一人"}
    assert first["帮扶人"].convenor_name == "所在单位：帮扶单位" and targets(first["帮扶人"]) == {
        "帮扶人": "帮扶责任人"
    }

    Action.objects.filter(pk=first["另一人"].pk).update(
        status=ActionStatus.HELD, held_on=D(2020, 1, 20), minutes="已约谈"
    )
    assert escalations_compute(year=2019, as_of=D(2020, 2, 1)) == {"kept": 1, "decided": 1, "actions": 2, "triggers": 2}
    assert Action.objects.count() == 2  # never duplicated

    # The violation goes away (in the data, before closing): the proposed action is withdrawn, the held one stays.
    for day in (3, 4):
        VisitFactory(pairing=cured, date=D(2019, 6, day))
    VisitFactory(pairing=kept, date=D(2019, 6, 3))
    VisitFactory(pairing=kept, date=D(2019, 6, 4))
    evaluate("R10.2", as_of=D(2020, 1, 2))
    result = escalations_compute(year=2019, as_of=D(2020, 2, 1))
    assert result["withdrawn"] == 1
    after = {a.subject_name: a for a in actions("E10.1")}
    assert after["帮扶人"].status == ActionStatus.WITHDRAWN
    assert (after["另一人"].status, after["另一人"].triggers_gone) == (ActionStatus.HELD, True)
    decision = ActionDecision.objects.get(action=after["帮扶人"])
    assert (decision.from_status, decision.to_status, decision.user) == ("proposed", "withdrawn", None)


def test_e03_1_a_group_leader_unit_without_its_half_yearly_meetings(county: Any) -> None:
    evaluate("R03.1")
    escalations_compute(year=2019, as_of=CLOSED)
    (action,) = actions("E03.1")
    assert (action.unit, action.convenor_name, action.severity) == (county["gl"], "省脱贫攻坚帮扶工作协调领导小组", 3)
    assert targets(action) == {"组长单位一把手": "主要负责同志", "组长单位分管领导": "分管负责同志"}
    assert sorted(t.summary for t in action.triggers.all()) == [
        "R03.1 2019年上半年：应达到 1，实际 0",
        "R03.1 2019年下半年：应达到 1，实际 0",
    ]


def test_e04_1_a_reviewers_finding_on_a_lead_unit(county: Any) -> None:
    from tiers.models import Duty, Finding

    lead = UnitFactory(name="牵头单位")
    post(PersonFactory(unit=lead, name="牵头单位负责人"), PostTitle.PRINCIPAL, unit=lead)
    Finding.objects.create(
        duty=Duty.objects.get(code="D04.1"), unit=lead, period_start=JAN1, period_end=D(2019, 12, 31),
        result="failed", evidence="对归口单位缺乏有效督导",
    )  # fmt: skip
    escalations_compute(year=2019, as_of=CLOSED)
    (action,) = actions("E04.1")
    assert (action.unit, action.severity, action.convenor_name) == (lead, 1, "省脱贫攻坚帮扶工作协调领导小组")
    assert targets(action) == {"牵头单位负责人": "单位负责同志"}
    assert action.triggers.get().finding.evidence == "对归口单位缺乏有效督导"


def test_e06_1_a_prefecture_without_quarterly_studies(county: Any) -> None:
    evaluate("R06.1")
    escalations_compute(year=2019, as_of=CLOSED)
    places = {a.subject_name for a in actions("E06.1")}
    assert places == {"兰州市", "天水市"}
    assert {a.triggers.count() for a in actions("E06.1")} == {4}  # four empty quarters each


def test_e00_1_serious_consequences_are_referred(county: Any) -> None:
    Case.objects.create(
        kind=CaseKind.SERIOUS, date=D(2019, 11, 1), inspection="脱贫攻坚专项巡视", description="返贫致贫，造成严重后果",
        unit=county["helping"],
    )  # fmt: skip
    escalations_compute(year=2019, as_of=CLOSED)
    (action,) = actions("E00.1")
    assert (action.kind, action.unit, action.convenor_name) == ("referral", county["helping"], "审核人决定")


def test_e09_2_an_incident_caused_by_a_team_and_its_member(county: Any) -> None:
    member = stationed(county, 240)
    Incident.objects.create(
        village=county["village"], date=D(2019, 7, 1), description="工作失误引发群体上访", team=member.team,
        person=member.person,
    )  # fmt: skip
    escalations_compute(year=2019, as_of=CLOSED)
    assert ("replacement", "队员") in {(a.kind, a.subject_name) for a in actions("E09.2")}
    assert ("assessment_cap", "帮扶单位") in {(a.kind, a.subject_name) for a in actions("E09.2")}

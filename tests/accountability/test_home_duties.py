"""The home page's own duties (issue 8): each user's duties for the current period and their standing,
next deadlines first. Expected values are worked by hand from the spec (responsibility-list.md §3:
minimums, pro-rating, pace) — not by calling the functions under test.

Pace, by hand: on 1 July 2019 (day 182 of 365) the straight line to 2 visits stands at 2 × 182 / 365
= 0.997, so one visit is on pace and none is behind; on 2 July (day 183) it stands at 1.003, so one
visit is behind.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability.dashboards.duties import Standing, own_duties
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.households.factories import DeedFactory, HouseholdFactory, PairingFactory, PlanFactory, VisitFactory
from tests.villagecorps.factories import MembershipFactory
from tiers import services
from tiers.choices import Role
from tiers.models import AssistanceAssignment, DutyRecord, DutyRecordKind, Place
from villagecorps.choices import DayKind
from villagecorps.models import DutyDay, Membership

pytestmark = pytest.mark.django_db

D = datetime.date
MISSED, BEHIND, ON_PACE, MET, NOT_APPLICABLE = (
    Standing.MISSED,
    Standing.BEHIND,
    Standing.ON_PACE,
    Standing.MET,
    Standing.NOT_APPLICABLE,
)
NO_SCOPE = "您的账号尚未被授予任何辖区或单位。请联系系统管理员。"


def helper_login(user_with_role: Any, **person: Any) -> tuple[Any, Any]:
    """A helper: a person linked to a login holding the helper role."""
    user = UserFactory()
    linked = PersonFactory(user=user, **person)
    services.role_grant(user=user, role=Role.HELPER)
    return user, linked


def rows(duties: list) -> list[tuple]:
    return [(d.rule_code, d.subject, d.actual, d.required, d.standing) for d in duties]


def page_rows(client: Any) -> list[tuple[str, str, str, str]]:
    """(rule, subject, actual / required, standing) of each duty row of the home page, in order."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    pattern = re.compile(
        r'data-rule="(?P<rule>[^"]+)".*?data-label="对象">(?P<subject>[^<]*)</td>.*?'
        r'class="figure">(?P<figure>[^<]*)</td>.*?class="standing standing-[a-z_]+">(?P<standing>[^<]*)<',
        re.S,
    )
    return [(m["rule"], m["subject"], m["figure"].strip(), m["standing"]) for m in pattern.finditer(html)]


@pytest.fixture
def two_households(place_tree: Any, user_with_role: Any) -> dict[str, Any]:
    """A helper paired with A and B all 2019, and another helper paired with C.

    A: visits 1 Feb and 1 May, plan revised 1 March, no deed.
    B: visits on 1 June and 1 September, no plan, a deed on 2 June.
    C (the other helper's): a visit, a plan and a deed.
    """
    user, person = helper_login(user_with_role)
    a = PairingFactory(helper=person, household=HouseholdFactory(head_name="甲"), start=D(2019, 1, 1))
    b = PairingFactory(helper=person, household=HouseholdFactory(head_name="乙"), start=D(2019, 1, 1))
    VisitFactory(pairing=a, date=D(2019, 2, 1))
    VisitFactory(pairing=a, date=D(2019, 5, 1))
    PlanFactory(pairing=a, date=D(2019, 3, 1))
    VisitFactory(pairing=b, date=D(2019, 6, 1))
    DeedFactory(pairing=b, date=D(2019, 6, 2))
    VisitFactory(pairing=b, date=D(2019, 9, 1))  # counts only from its day on
    other = PairingFactory(household=HouseholdFactory(head_name="丙"), start=D(2019, 1, 1))
    VisitFactory(pairing=other, date=D(2019, 2, 1))
    PlanFactory(pairing=other, date=D(2019, 2, 1))
    DeedFactory(pairing=other, date=D(2019, 2, 1))
    return {"user": user, "person": person, "a": str(a.household), "b": str(b.household), "c": str(other.household)}


# --- a helper ------------------------------------------------------------------------------------


def test_a_helper_sees_each_household_standing_unmet_first_by_deadline(two_households: dict[str, Any]) -> None:
    a, b = two_households["a"], two_households["b"]

    duties = own_duties(user=two_households["user"], on=D(2019, 7, 1))

    assert rows(duties) == [
        # unmet, by due date: R10.1 was due 31 March (missed), then the year's rules due 31 December,
        # behind before on pace
        ("R10.1", b, 0, 1, MISSED),
        ("R10.3", a, 0, 1, BEHIND),  # no deed: 0 < 1 × 182 / 365
        ("R10.2", b, 1, 2, ON_PACE),  # 1 × 365 ≥ 2 × 182
        # then the rest by due date
        ("R10.1", a, 1, 1, MET),
        ("R10.2", a, 2, 2, MET),
        ("R10.3", b, 1, 1, MET),
    ]
    assert {d.period_label for d in duties} == {"2019"}
    assert [d.due for d in duties] == [D(2019, 3, 31)] + [D(2019, 12, 31)] * 2 + [D(2019, 3, 31)] + [
        D(2019, 12, 31)
    ] * 2


def test_one_visit_of_two_falls_behind_the_day_after_the_line_passes_one(two_households: dict[str, Any]) -> None:
    b = two_households["b"]
    standing = {
        on: {(d.rule_code, d.subject): d for d in own_duties(user=two_households["user"], on=on)}[("R10.2", b)]
        for on in (D(2019, 7, 1), D(2019, 7, 2))
    }
    assert (standing[D(2019, 7, 1)].actual, standing[D(2019, 7, 1)].standing) == (1, ON_PACE)
    assert (standing[D(2019, 7, 2)].actual, standing[D(2019, 7, 2)].required, standing[D(2019, 7, 2)].standing) == (
        1,
        2,
        BEHIND,
    )


def test_the_home_page_shows_the_helper_rows_in_order_and_never_another_helper_household(
    two_households: dict[str, Any], client: Any, today_is: Any
) -> None:
    a, b, c = two_households["a"], two_households["b"], two_households["c"]
    today_is(D(2019, 7, 2))
    client.force_login(two_households["user"])

    assert page_rows(client) == [
        ("R10.1", b, "0 / 1 次", "未完成"),
        ("R10.2", b, "1 / 2 次", "进度滞后"),  # 2 July: behind; ties on 31 Dec go by rule code
        ("R10.3", a, "0 / 1 件", "进度滞后"),
        ("R10.1", a, "1 / 1 次", "已完成"),
        ("R10.2", a, "2 / 2 次", "已完成"),
        ("R10.3", b, "1 / 1 件", "已完成"),
    ]
    page = client.get(reverse("home")).content.decode()
    assert c not in page and "丙" not in page
    assert "2019年3月31日" in page and "2019年12月31日" in page
    assert "我的本期责任" in page
    assert NO_SCOPE not in page


def test_the_other_helper_sees_only_their_own_household(two_households: dict[str, Any], client: Any) -> None:
    other = PairingFactory._meta.model.objects.get(household__head_name="丙").helper
    other.user = UserFactory()
    other.save(update_fields=["user"])

    duties = own_duties(user=other.user, on=D(2019, 7, 1))

    c = two_households["c"]
    assert rows(duties) == [("R10.2", c, 1, 2, ON_PACE), ("R10.1", c, 1, 1, MET), ("R10.3", c, 1, 1, MET)]


def test_pro_rated_and_too_short_pairings_at_the_end_of_the_year(place_tree: Any, user_with_role: Any) -> None:
    user, person = helper_login(user_with_role)
    whole = PairingFactory(helper=person, household=HouseholdFactory(head_name="全年"), start=D(2019, 1, 1))
    october = PairingFactory(helper=person, household=HouseholdFactory(head_name="十月"), start=D(2019, 10, 1))
    december = PairingFactory(helper=person, household=HouseholdFactory(head_name="腊月"), start=D(2019, 12, 10))
    VisitFactory(pairing=whole, date=D(2019, 4, 1))
    VisitFactory(pairing=october, date=D(2019, 11, 1))

    # 31 December is the due day: the year has ended (the engine's "ended" state), so 1 of 2 is missed.
    duties = {(d.rule_code, d.subject): d for d in own_duties(user=user, on=D(2019, 12, 31))}

    assert (duties["R10.2", str(whole.household)].required, duties["R10.2", str(whole.household)].standing) == (
        2,
        MISSED,
    )
    # October–December: 92 days, 2 × 92 / 365 = 0.50, rounded up to 1; one visit meets it.
    assert (duties["R10.2", str(october.household)].actual, duties["R10.2", str(october.household)].required) == (1, 1)
    assert duties["R10.2", str(october.household)].standing == MET
    # 10–31 December: 22 days, under the 30-day policy: not checked.
    assert duties["R10.2", str(december.household)].standing == NOT_APPLICABLE
    # R10.1 checks only pairings in force on its deadline (31 March): the October one owes no plan.
    assert duties["R10.1", str(october.household)].standing == NOT_APPLICABLE
    assert duties["R10.1", str(whole.household)].standing == MISSED


def test_one_figure_query_per_rule_however_many_households(two_households: dict[str, Any]) -> None:
    user, person = two_households["user"], two_households["person"]
    with CaptureQueriesContext(connection) as two:
        assert len(own_duties(user=user, on=D(2019, 7, 1))) == 6
    for name in ("丁", "戊", "己"):
        pairing = PairingFactory(helper=person, household=HouseholdFactory(head_name=name), start=D(2019, 1, 1))
        VisitFactory(pairing=pairing, date=D(2019, 3, 1))
    with CaptureQueriesContext(connection) as five:
        assert len(own_duties(user=user, on=D(2019, 7, 1))) == 15
    assert len(five) == len(two)


# --- a stationed cadre ---------------------------------------------------------------------------


def test_a_stationed_cadre_sees_duty_days_and_nights(place_tree: Any, client: Any, today_is: Any) -> None:
    user = UserFactory()
    membership: Membership = MembershipFactory(start=D(2019, 1, 1), person=PersonFactory(user=user))
    day, days = D(2019, 1, 1), []
    for kind, count in ((DayKind.IN_VILLAGE_NIGHT, 79), (DayKind.IN_VILLAGE, 51)):
        for _ in range(count):
            days.append(DutyDay(membership=membership, person=membership.person, date=day, kind=kind))
            day += datetime.timedelta(days=1)
    DutyDay.objects.bulk_create(days)

    duties = {d.rule_code: d for d in own_duties(user=user, on=D(2019, 7, 1))}

    # 130 duty days of 220: 130 × 365 = 47 450 ≥ 220 × 182 = 40 040, on pace.
    assert (duties["R09.1"].actual, duties["R09.1"].required, duties["R09.1"].standing) == (130, 220, ON_PACE)
    # 79 nights of 160: 79 × 365 = 28 835 < 160 × 182 = 29 120, behind.
    assert (duties["R09.2"].actual, duties["R09.2"].required, duties["R09.2"].standing) == (79, 160, BEHIND)
    assert duties["R09.1"].subject == duties["R09.2"].subject == membership.team.name
    assert duties["R05.5"].period_label == "2019-Q3"  # the quarter containing the day
    assert set(duties) <= {"R09.1", "R09.2", "R05.5", "R05.6", "R07.4"}

    today_is(D(2019, 7, 1))
    client.force_login(user)
    shown = {rule: (figure, standing) for rule, _subject, figure, standing in page_rows(client)}
    assert shown["R09.1"] == ("130 / 220 天", "进度正常")
    assert shown["R09.2"] == ("79 / 160 天", "进度滞后")


# --- staff of a place, a unit liaison --------------------------------------------------------------


def _record(rule: str, day: datetime.date, **where: Any) -> None:
    record = DutyRecord.objects.create(date=day, title=f"{rule} 记录", **where)
    record.kinds.add(DutyRecordKind.objects.get(rules__code=rule))


def test_county_staff_see_the_county_rules(place_tree: Any, client: Any, user_with_role: Any, today_is: Any) -> None:
    county, other = place_tree["620123"], place_tree["620122"]
    _record("R07.2", D(2019, 3, 1), place=county)  # 1 of 2 promotion meetings
    _record("R07.3", D(2019, 4, 10), place=county)  # April's meeting: May has none yet
    _record("R07.3", D(2019, 5, 10), place=other)
    user = user_with_role(Role.COUNTY_STAFF, place=county)

    duties = own_duties(user=user, on=D(2019, 5, 20))

    assert rows(duties) == [
        ("R07.3", "县620123", 0, 1, BEHIND),  # May: due 31 May; 0 < 1 × 20 / 31
        ("R07.1", "县620123", 0, 1, MISSED),  # no 驻村工作领导小组: a point-in-time rule fails at once
        ("R07.2", "县620123", 1, 2, ON_PACE),  # 1 × 365 ≥ 2 × 140
    ]
    assert [d.period_label for d in duties] == ["2019-05", "2019", "2019"]

    today_is(D(2019, 5, 20))
    client.force_login(user)
    assert [row[0] for row in page_rows(client)] == ["R07.3", "R07.1", "R07.2"]
    page = client.get(reverse("home")).content.decode()
    assert "县620123" in page and "县620122" not in page  # the scope cards are still there, and only those


def test_a_unit_liaison_sees_the_unit_rules(place_tree: Any, user_with_role: Any) -> None:
    unit, other = UnitFactory(), UnitFactory()
    AssistanceAssignment.objects.create(unit=unit, village=place_tree["620123101201"], start=D(2018, 1, 1))
    AssistanceAssignment.objects.create(unit=other, village=place_tree["620123101202"], start=D(2018, 1, 1))
    _record("R05.1", D(2019, 3, 1), unit=unit)
    user = user_with_role(Role.UNIT_LIAISON, unit=unit)

    duties = own_duties(user=user, on=D(2019, 7, 1))

    assert rows(duties) == [
        ("R03.3", f"{unit.name} · 县620123", 0, 1, BEHIND),  # a provincial unit assisting in the county
        ("R05.1", unit.name, 1, 4, BEHIND),  # 1 × 365 < 4 × 182
        ("R05.4", unit.name, 0, 1, BEHIND),
    ]


# --- no scope --------------------------------------------------------------------------------------


def test_a_user_with_no_person_and_no_grant_sees_the_no_scope_message(place_tree: Any, client: Any) -> None:
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        assert own_duties(user=user, on=D(2019, 7, 1)) == []
    assert len(queries) == 2  # the person and the grants: no figure is computed

    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert NO_SCOPE in page
    assert "我的本期责任" not in page


def test_a_user_with_a_grant_but_no_duties_sees_the_scope_and_a_note(
    place_tree: Any, client: Any, user_with_role: Any
) -> None:
    client.force_login(user_with_role(Role.PROVINCIAL_GROUP, place=Place.objects.get(code="620000")))
    page = client.get(reverse("home")).content.decode()
    assert "甘肃省" in page and NO_SCOPE not in page
    assert "本期没有需要您本人、本级或本单位履行的频次责任。" in page

"""Models of the villagecorps app: validation of teams, memberships and records, and scoping."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories
from tests.villagecorps.factories import (
    DutyDayFactory,
    FollowUpVisitFactory,
    InsuranceCoverFactory,
    MembershipFactory,
    TeamFactory,
    TrainingDayFactory,
)
from tiers.choices import Role
from tiers.messages import Msg as TierMsg
from villagecorps.choices import DayKind, MemberRole
from villagecorps.messages import Msg
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay

pytestmark = pytest.mark.django_db

D = datetime.date


def errors_of(obj: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


# --- Team.clean ------------------------------------------------------------------------------------------


def team(place_tree: Any, code: str = "620122101201", **fields: Any) -> Team:
    values = {"village": place_tree[code], "name": "新工作队", "start": D(2019, 1, 1)}
    values.update(fields)
    return Team(**values)


def test_a_valid_team(place_tree):
    t = team(place_tree)
    t.full_clean()
    t.save()
    assert str(t) == "新工作队"


@pytest.mark.parametrize("code", ["620122101", "620122", "620100", "620000"])
def test_a_team_is_stationed_in_a_village(place_tree, code):
    assert errors_of(team(place_tree, code)) == {"village": ["工作队所驻地必须是村级行政区划。"]}


def test_team_dates_in_order(place_tree):
    assert errors_of(team(place_tree, end=D(2018, 12, 31))) == {"end": [str(TierMsg.DATES_ORDER)]}


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (D(2019, 6, 30), None, True),  # the old team's last day
        (D(2018, 1, 1), D(2018, 12, 31), True),  # inside the old team
        (D(2017, 1, 1), D(2018, 1, 1), True),  # ends on its first day
        (D(2019, 7, 1), None, False),  # the day after
        (D(2017, 1, 1), D(2017, 12, 31), False),  # before it
    ],
)
def test_one_team_at_a_time_in_a_village(place_tree, start, end, overlaps):
    TeamFactory(village=place_tree["620122101201"], name="老工作队", start=D(2018, 1, 1), end=D(2019, 6, 30))
    new = team(place_tree, start=start, end=end)
    if overlaps:
        assert errors_of(new) == {"__all__": ["该村在这段时间已有驻村帮扶工作队（老工作队）。"]}
    else:
        new.full_clean()


def test_an_open_team_blocks_later_teams_and_other_villages_are_free(place_tree):
    old = TeamFactory(village=place_tree["620122101201"], name="老工作队", start=D(2018, 1, 1))
    assert errors_of(team(place_tree, start=D(2025, 1, 1))) == {"__all__": [Msg.TEAM_OVERLAP % {"other": "老工作队"}]}
    team(place_tree, "620122101202", start=D(2018, 1, 1)).full_clean()
    old.full_clean()  # the team itself is not an overlap


# --- Membership.clean --------------------------------------------------------------------------------------


def test_membership_str_and_validation(place_tree):
    t = TeamFactory(village=place_tree["620122101201"], name="一村工作队", start=D(2019, 1, 1))
    person = factories.PersonFactory(name="张三")
    m = Membership(team=t, person=person, role=MemberRole.FIRST_SECRETARY, dispatching_unit=person.unit)
    m.start = D(2018, 12, 31)
    assert errors_of(m) == {"start": ["驻村时间必须在工作队存续期间（2019-01-01 起）。"]}
    m.start = D(2019, 1, 1)
    m.full_clean()
    m.save()
    assert str(m) == "张三（一村工作队 第一书记）"
    other = Membership(team=t, person=person, dispatching_unit=person.unit, start=D(2019, 5, 1))
    assert errors_of(other) == {"__all__": ["张三 在这段时间已在 一村工作队 驻村，同一人不能同时驻两个村。"]}


def test_membership_dates_are_enforced_by_the_database(place_tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(start=D(2019, 5, 1), end=D(2019, 4, 30))


# --- DutyDay, FollowUpVisit ----------------------------------------------------------------------------


def test_duty_day_inside_its_membership(place_tree):
    m = MembershipFactory(person=factories.PersonFactory(name="张三"), start=D(2019, 3, 1), end=D(2019, 9, 30))
    day = DutyDay(membership=m, person=m.person, date=D(2019, 2, 28), kind=DayKind.IN_VILLAGE)
    assert errors_of(day) == {"date": ["2019-02-28 不在 张三 的驻村期间（2019-03-01 至 2019-09-30）。"]}
    day.date = D(2019, 3, 1)
    day.full_clean()
    day.save()
    assert str(day) == "2019-03-01 张三 在村工作未住村"


def test_duty_day_not_in_the_future(place_tree):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    m = MembershipFactory()
    day = DutyDay(membership=m, person=m.person, date=tomorrow, kind=DayKind.IN_VILLAGE)
    assert errors_of(day) == {"date": [Msg.FUTURE_DATE % {"today": f"{timezone.localdate():%Y-%m-%d}"}]}


def test_one_duty_day_per_person_and_day(place_tree):
    day = DutyDayFactory(date=D(2019, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyDayFactory(membership=day.membership, date=D(2019, 3, 1), kind=DayKind.LEAVE)


def test_follow_up_visit(place_tree):
    m = MembershipFactory(person=factories.PersonFactory(name="张三"))
    visit = FollowUpVisit(membership=m, date=timezone.localdate() + datetime.timedelta(days=1), visitors="处长")
    assert list(errors_of(visit)) == ["date"]
    visit.date = D(2019, 8, 1)
    visit.full_clean()
    assert str(visit) == "2019-08-01 回访 张三"


# --- InsuranceCover ------------------------------------------------------------------------------------------


@pytest.fixture
def covered(place_tree) -> Membership:
    m = MembershipFactory(person=factories.PersonFactory(name="张三"), start=D(2019, 1, 1))
    InsuranceCoverFactory(membership=m, start=D(2019, 1, 1), end=D(2019, 12, 31))
    return m


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2019, 12, 31), D(2020, 12, 30)), (D(2018, 6, 1), D(2019, 1, 1)), (D(2019, 3, 1), None), (D(2018, 1, 1), None)],
)
def test_covers_of_one_membership_do_not_overlap(covered, start, end):
    cover = InsuranceCover(membership=covered, start=start, end=end)
    assert errors_of(cover) == {"__all__": ["该驻村干部在这段时间已有保险记录（张三 2019-01-01—2019-12-31）。"]}


def test_consecutive_covers_and_covers_of_others_are_fine(covered):
    InsuranceCover(membership=covered, start=D(2020, 1, 1), end=None).full_clean()
    InsuranceCover(membership=MembershipFactory(), start=D(2019, 1, 1), end=D(2019, 12, 31)).full_clean()
    existing = InsuranceCover.objects.get()
    existing.full_clean()  # not an overlap of itself
    assert str(InsuranceCover(membership=covered, start=D(2020, 1, 1))) == "张三 2020-01-01—"


def test_cover_dates_in_order(covered):
    cover = InsuranceCover(membership=covered, start=D(2021, 1, 1), end=D(2020, 12, 31))
    assert errors_of(cover) == {"end": [str(TierMsg.DATES_ORDER)]}


# --- TrainingDay ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["620122101201", "620122101", "620100", "620000"])
def test_training_is_held_by_a_county(place_tree, code):
    training = TrainingDay(county=place_tree[code], person=factories.PersonFactory(), date=D(2019, 3, 1), topic="轮训")
    assert errors_of(training) == {"county": ["轮训所在县必须是县（市、区）级行政区划。"]}


def test_a_valid_training_day(place_tree):
    person = factories.PersonFactory(name="张三")
    training = TrainingDay(county=place_tree["620122"], person=person, date=D(2019, 3, 1), topic="产业政策")
    training.full_clean()
    assert str(training) == "2019-03-01 张三 产业政策"
    training.date = timezone.localdate() + datetime.timedelta(days=1)
    assert list(errors_of(training)) == ["date"]


# --- scope ---------------------------------------------------------------------------------------------------


@pytest.fixture
def world(place_tree, user_with_role) -> dict[str, Any]:
    """Team 1 in village 620122101201: A and B from unit 1, C from unit 2. Team 2 in village 620122101202 (the
    same township): D from unit 1. Team 3 in village 620123101201 (another county): E from unit 2. One duty
    day, follow-up, cover and training day each for A, C and E."""
    unit_1, unit_2 = factories.UnitFactory(), factories.UnitFactory()
    member_user = factories.UserFactory(password=None)
    teams = {
        "t1": TeamFactory(village=place_tree["620122101201"]),
        "t2": TeamFactory(village=place_tree["620122101202"]),
        "t3": TeamFactory(village=place_tree["620123101201"]),
    }
    people = {
        "a": factories.PersonFactory(unit=unit_1, user=member_user),
        "b": factories.PersonFactory(unit=unit_1),
        "c": factories.PersonFactory(unit=unit_2),
        "d": factories.PersonFactory(unit=unit_1),
        "e": factories.PersonFactory(unit=unit_2),
    }
    placed = {"a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t3"}
    members = {name: MembershipFactory(team=teams[placed[name]], person=people[name]) for name in placed}
    for name in ("a", "c", "e"):
        m = members[name]
        DutyDayFactory(membership=m, date=D(2019, 3, 1))
        FollowUpVisitFactory(membership=m, date=D(2019, 3, 1))
        InsuranceCoverFactory(membership=m)
        county = place_tree["620123" if name == "e" else "620122"]
        TrainingDayFactory(person=m.person, county=county, date=D(2019, 3, 1))
    users = {
        "leader": user_with_role(Role.TEAM_LEADER, place=place_tree["620122101201"], password=None),
        "liaison": user_with_role(Role.UNIT_LIAISON, unit=unit_1, password=None),
        "clerk": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], password=None),
        "member": member_user,
        "county": user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], password=None),
    }
    return {"teams": teams, "members": members, "users": users}


def names(world: dict[str, Any], kind: str, rows: Any) -> set[str]:
    by_pk = {obj.pk: name for name, obj in world[kind].items()}
    rows = list(rows)
    assert len(rows) == len({row.pk for row in rows})  # no row twice
    return {by_pk[row.pk] for row in rows}


def member_names(world: dict[str, Any], rows: Any) -> set[str]:
    by_person = {m.person_id: name for name, m in world["members"].items()}
    rows = list(rows)
    assert len(rows) == len({row.pk for row in rows})
    return {by_person[row.person_id] for row in rows}


SCOPE = {
    # user: (teams, memberships, people whose records are seen)
    "leader": ({"t1"}, {"a", "b", "c"}, {"a", "c"}),
    # The unit's liaison sees the cadres it dispatched (and their teams), not the others of those teams.
    "liaison": ({"t1", "t2"}, {"a", "b", "d"}, {"a"}),
    "clerk": ({"t1", "t2"}, {"a", "b", "c", "d"}, {"a", "c"}),
    "member": ({"t1"}, {"a"}, {"a"}),
    "county": ({"t3"}, {"e"}, {"e"}),
}


@pytest.mark.parametrize("user", list(SCOPE))
def test_scope_of_teams_memberships_and_records(world, user):
    u = world["users"][user]
    teams, memberships, records = SCOPE[user]

    assert names(world, "teams", Team.objects.visible_to(u)) == teams
    assert names(world, "members", Membership.objects.visible_to(u)) == memberships
    assert member_names(world, DutyDay.objects.visible_to(u)) == records
    assert {v.membership.person_id for v in FollowUpVisit.objects.visible_to(u)} == {
        world["members"][n].person_id for n in records
    }
    assert {c.membership.person_id for c in InsuranceCover.objects.visible_to(u)} == {
        world["members"][n].person_id for n in records
    }


def test_scope_of_training_days(world):
    seen = {user: member_names(world, TrainingDay.objects.visible_to(u)) for user, u in world["users"].items()}
    assert seen == {
        "leader": {"a", "c"},  # the cadres stationed in the leader's village
        "liaison": {"a"},  # the unit's own cadres
        "clerk": {"a", "c"},  # the cadres stationed in the clerk's township
        "member": {"a"},
        "county": {"e"},
    }


def test_nobody_and_everybody(world):
    assert not Team.objects.visible_to(AnonymousUser()).exists()
    assert not DutyDay.objects.visible_to(factories.UserFactory(password=None)).exists()
    admin = factories.UserFactory(is_superuser=True, password=None)
    assert Membership.objects.visible_to(admin).count() == 5
    inactive = world["users"]["clerk"]
    inactive.is_active = False
    assert not Membership.objects.visible_to(inactive).exists()

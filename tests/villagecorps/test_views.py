"""The villagecorps pages through the test client: the week grid, a cadre's own days, the year card,
the team calendar, the county view and who sees what.

The world (county 620123, township 620123101): team 一村工作队 in village 201 with 王队长 (第一书记兼
队长, a user holding team_leader on the village), 张驻村 (a user with no role) and 李驻村 (joined on
1 April 2024, dispatched by unit UB); team 二村工作队 in village 202 with 赵驻村 (UB); and team 外县工作队
in county 620521 with 孙驻村. A unit liaison of UB, a township clerk of 620123101 and a county clerk of
620123. "Today" is pinned to Friday 14 June 2024, so the week of 10 June has two future days. Refusals
are compared with the ``Msg`` constants formatted as the user reads them, and each checks that
nothing was written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from tests import factories
from tiers.choices import Role
from tiers.models import Person
from tiers.scope import scope_kinds_clear
from tiers.services import role_grant
from villagecorps import selectors, services
from villagecorps.choices import DayKind, DaySource, MemberRole
from villagecorps.messages import Msg
from villagecorps.models import DutyDay, Membership, Team

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2024, 6, 14)  # a Friday
WEEK = D(2024, 6, 10)  # its Monday
TEAM_START = D(2023, 1, 1)
LI_START = D(2024, 4, 1)
NIGHT, VILLAGE, TRIP, MEETING, TRAINING, LEAVE, OTHER = (k.value for k in DayKind)


def zh(message: Any, **params: Any) -> str:
    """A message as a Chinese reader sees it, with its placeholders filled."""
    with translation.override("zh-hans"):
        text = str(message)
    return text % params if params else text


def iso(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


@pytest.fixture(autouse=True)
def pinned_today(today_is: Any) -> datetime.date:
    """``timezone.localdate()`` answers TODAY."""
    return today_is(TODAY)


@pytest.fixture(autouse=True)
def _restore_language() -> Any:
    """Requests activate a language in this thread; do not leak it into other tests."""
    previous = translation.get_language()
    yield
    translation.activate(previous) if previous else translation.deactivate()


@dataclass
class World:
    tree: factories.Tree
    t1: Team
    t2: Team
    t3: Team
    wang: Membership
    zhang: Membership
    li: Membership
    zhao: Membership
    sun: Membership
    unit_a: Any
    unit_b: Any
    leader: Any
    liaison: Any
    clerk: Any
    county_clerk: Any

    @property
    def zhang_user(self) -> Any:
        return self.zhang.person.user


def cadre(code: str, name: str, unit: Any, *, login: bool = False) -> Person:
    user = factories.UserFactory(username=code.lower(), password=None) if login else None
    return factories.PersonFactory(code=code, name=name, unit=unit, user=user)


def station(
    team: Team, person: Person, unit: Any, start: datetime.date = TEAM_START, role: str = MemberRole.MEMBER, **kw: Any
) -> Membership:
    return services.membership_create(team=team, person=person, dispatching_unit=unit, start=start, role=role, **kw)


@pytest.fixture
def world(place_tree: factories.Tree) -> World:
    t = place_tree
    unit_a = factories.UnitFactory(code="UA", name="省直单位甲", place=t.province)
    unit_b = factories.UnitFactory(code="UB", name="省直单位乙", place=t.province)
    t1 = services.team_create(village=t["620123101201"], name="一村工作队", start=TEAM_START)
    t2 = services.team_create(village=t["620123101202"], name="二村工作队", start=TEAM_START)
    t3 = services.team_create(village=t["620521101201"], name="外县工作队", start=TEAM_START)
    wang = station(t1, cadre("P1", "王队长", unit_a, login=True), unit_a, role=MemberRole.FIRST_SECRETARY_LEADER)
    zhang = station(t1, cadre("P2", "张驻村", unit_a, login=True), unit_a, role=MemberRole.MEMBER)
    li = station(t1, cadre("P3", "李驻村", unit_b), unit_b, start=LI_START, role=MemberRole.MEMBER)
    zhao = station(t2, cadre("P4", "赵驻村", unit_b), unit_b, role=MemberRole.MEMBER)
    sun = station(t3, cadre("P5", "孙驻村", unit_a), unit_a, role=MemberRole.MEMBER)
    leader = wang.person.user
    role_grant(user=leader, role=Role.TEAM_LEADER, place=t["620123101201"])
    liaison = factories.user_with_role(Role.UNIT_LIAISON, unit=unit_b, username="liaison", password=None)
    clerk = factories.user_with_role(Role.TOWNSHIP_STAFF, place=t["620123101"], username="clerk", password=None)
    county_clerk = factories.user_with_role(Role.COUNTY_STAFF, place=t["620123"], username="county", password=None)
    return World(t, t1, t2, t3, wang, zhang, li, zhao, sun, unit_a, unit_b, leader, liaison, clerk, county_clerk)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def week_url(team: Team, start: datetime.date = WEEK) -> str:
    return f"{reverse('villagecorps:team-week', args=[team.pk])}?start={iso(start)}"


def cell(m: Membership, day: datetime.date) -> str:
    return f"d-{m.pk}-{iso(day)}"


def days_of(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]


def select_tag(html: str, name: str) -> str:
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no cell {name}"
    return match.group(0)


def page_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_errors(response: Any) -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        return {name: list(messages) for name, messages in response.context["form"].errors.items()}


PAST_DAYS = days_of(WEEK, TODAY)  # Monday to Friday: the week's days that can be entered


# --- the week grid ---------------------------------------------------------------------------------


def test_week_grid_shows_members_by_days_with_future_and_outside_cells_disabled(world: World) -> None:
    # 周驻村 joins on Wednesday: Monday and Tuesday are outside the membership
    zhou = station(world.t1, cadre("P6", "周驻村", world.unit_a), world.unit_a, start=D(2024, 6, 12))
    services.duty_day_record(user=world.leader, person=world.zhang.person, day=D(2024, 6, 11), kind=TRIP)

    response = client_for(world.leader).get(week_url(world.t1, D(2024, 6, 13)))  # any day picks its week

    assert response.status_code == 200
    grid = response.context["grid"]
    assert (grid.start, grid.end) == (WEEK, D(2024, 6, 16))
    assert [row.membership.person.name for row in grid.rows] == ["王队长", "张驻村", "李驻村", "周驻村"]
    assert all(len(row.cells) == 7 for row in grid.rows)
    disabled = {(row.membership.person.name, c.day.day) for row in grid.rows for c in row.cells if c.disabled}
    future = {(name, day) for name in ("王队长", "张驻村", "李驻村", "周驻村") for day in (15, 16)}
    assert disabled == future | {("周驻村", 10), ("周驻村", 11)}

    html = response.content.decode()
    assert "disabled" in select_tag(html, cell(world.zhang, D(2024, 6, 15)))
    assert "disabled" in select_tag(html, cell(zhou, D(2024, 6, 11)))
    assert "disabled" not in select_tag(html, cell(zhou, D(2024, 6, 12)))
    assert "disabled" not in select_tag(html, cell(world.li, TODAY))
    # an unrecorded cell offers "未记录" and every kind, short label shown and the full one in title
    assert '<option value="" data-short="—" title="未记录" selected>未记录</option>' in html
    assert f'<option value="{NIGHT}" title="在村工作并住村">住村</option>' in html
    # the recorded day is selected, and cannot be blanked from the grid
    recorded = html.split(f'name="{cell(world.zhang, D(2024, 6, 11))}"')[1].split("</select>")[0]
    assert f'<option value="{TRIP}" title="因公出差" selected>出差</option>' in recorded
    assert 'value=""' not in recorded
    # the enhancement is a file, never an inline script; prev/next weeks (next: only up to this week)
    assert re.search(r'<script src="[^"]*js/week-grid\.js"', html)
    assert "<script>" not in html
    assert f"?start={iso(D(2024, 6, 3))}" in html
    assert f"?start={iso(D(2024, 6, 17))}" not in html


def test_week_grid_defaults_to_the_current_week(world: World) -> None:
    response = client_for(world.leader).get(reverse("villagecorps:team-week", args=[world.t1.pk]))

    assert response.context["grid"].start == WEEK


def test_week_grid_post_saves_the_whole_week(world: World) -> None:
    kinds = [NIGHT, NIGHT, VILLAGE, MEETING, LEAVE]
    data = {
        cell(m, day): kind
        for m in (world.wang, world.zhang, world.li)
        for day, kind in zip(PAST_DAYS, kinds, strict=True)
    }
    data[cell(world.wang, D(2024, 6, 14))] = ""  # left unrecorded

    response = client_for(world.leader).post(week_url(world.t1), data, follow=True)

    assert response.redirect_chain == [(week_url(world.t1), 302)]
    assert page_messages(response) == ["已确认本周考勤（14 天）"]
    days = DutyDay.objects.order_by("person__code", "date")
    assert days.count() == 14
    assert {(d.source, d.recorded_by) for d in days} == {(DaySource.GRID, world.leader)}
    assert {d.membership for d in days} == {world.wang, world.zhang, world.li}
    zhang = list(days.filter(person=world.zhang.person).values_list("date", "kind"))
    assert zhang == list(zip(PAST_DAYS, kinds, strict=True))
    assert not days.filter(person=world.wang.person, date=TODAY).exists()
    # the grid now shows what was saved
    grid = response.context["grid"]
    assert [c.kind for c in grid.rows[1].cells] == [*kinds, "", ""]


def test_reposting_a_changed_cell_replaces_the_day_and_history_keeps_the_old_kind(world: World) -> None:
    client = client_for(world.leader)
    data = {cell(m, day): NIGHT for m in (world.zhang, world.li) for day in PAST_DAYS}
    client.post(week_url(world.t1), data, follow=True)
    changed = D(2024, 6, 12)

    response = client.post(week_url(world.t1), data | {cell(world.zhang, changed): LEAVE}, follow=True)

    assert page_messages(response) == ["已确认本周考勤（10 天）"]
    day = DutyDay.objects.get(person=world.zhang.person, date=changed)
    assert day.kind == LEAVE
    assert DutyDay.objects.count() == 10
    assert [h.kind for h in day.history.order_by("history_date")] == [NIGHT, LEAVE]
    # the days that did not change were not written again
    unchanged = DutyDay.objects.get(person=world.zhang.person, date=D(2024, 6, 11))
    assert unchanged.history.count() == 1


def test_confirming_a_week_keeps_a_members_own_record_and_location(world: World) -> None:
    own = services.self_record(user=world.zhang_user, day=D(2024, 6, 13), kind=NIGHT, location="35.84,104.11")

    response = client_for(world.leader).post(
        week_url(world.t1), {cell(world.zhang, D(2024, 6, 13)): NIGHT, cell(world.zhang, TODAY): VILLAGE}, follow=True
    )

    assert page_messages(response) == ["已确认本周考勤（2 天）"]
    own.refresh_from_db()
    assert (own.source, own.location, own.recorded_by) == (DaySource.SELF, "35.84,104.11", world.zhang_user)


def test_a_forged_future_day_refuses_the_whole_week(world: World) -> None:
    data = {cell(world.zhang, day): NIGHT for day in PAST_DAYS}
    data[cell(world.zhang, D(2024, 6, 15))] = VILLAGE  # Saturday: disabled in the page, forged here

    response = client_for(world.leader).post(week_url(world.t1), data)

    assert response.status_code == 200
    assert not DutyDay.objects.exists()
    expected = f"张驻村 06-15：{zh(Msg.FUTURE_DATE, today='2024-06-14')}"
    assert response.context["errors"] == [expected]
    assert escape(expected) in response.content.decode()
    # the grid is shown again with the values sent
    assert [c.kind for c in response.context["grid"].rows[1].cells[:5]] == [NIGHT] * 5
    assert page_messages(response) == []


def test_a_day_outside_the_membership_refuses_the_whole_week(world: World) -> None:
    zhou = station(world.t1, cadre("P6", "周驻村", world.unit_a), world.unit_a, start=D(2024, 6, 12))
    data = {cell(world.li, day): NIGHT for day in PAST_DAYS} | {cell(zhou, D(2024, 6, 11)): VILLAGE}

    response = client_for(world.leader).post(week_url(world.t1), data)

    assert not DutyDay.objects.exists()
    outside = zh(Msg.OUTSIDE_MEMBERSHIP, date="2024-06-11", person="周驻村", start="2024-06-12", end="今")
    assert response.context["errors"] == [f"周驻村 06-11：{outside}"]


def test_every_bad_cell_is_listed(world: World) -> None:
    data = {
        cell(world.li, D(2024, 3, 29)): NIGHT,  # before 李驻村 joined
        cell(world.zhang, D(2024, 6, 16)): NIGHT,  # Sunday: the future
        cell(world.zhao, D(2024, 6, 12)): NIGHT,  # a member of another team
        cell(world.wang, D(2024, 6, 12)): NIGHT,
    }

    response = client_for(world.leader).post(week_url(world.t1), data)

    assert not DutyDay.objects.exists()
    assert response.context["errors"] == [
        f"李驻村 03-29：{zh(Msg.OUTSIDE_MEMBERSHIP, date='2024-03-29', person='李驻村', start='2024-04-01', end='今')}",
        zh(Msg.OUT_OF_SCOPE),
        f"张驻村 06-16：{zh(Msg.FUTURE_DATE, today='2024-06-14')}",
    ]


def test_an_unknown_kind_is_refused(world: World) -> None:
    response = client_for(world.leader).post(week_url(world.t1), {cell(world.zhang, WEEK): "holiday"})

    assert not DutyDay.objects.exists()
    kinds = ", ".join(zh(label) for label in DayKind.labels)
    assert response.context["errors"] == [zh(Msg.UNKNOWN_KIND, value="holiday", choices=kinds)]


def test_week_grid_needs_the_permission_and_the_team_in_scope(world: World) -> None:
    assert client_for(world.leader).get(week_url(world.t2)).status_code == 404  # another village's team
    assert client_for(world.liaison).get(week_url(world.t1)).status_code == 403  # views, does not record
    assert client_for(world.zhang_user).get(week_url(world.t1)).status_code == 403  # a member, no role
    clerk = client_for(world.clerk)
    assert clerk.get(week_url(world.t2)).status_code == 200
    assert clerk.get(week_url(world.t3)).status_code == 404  # another county
    response = clerk.post(week_url(world.t2), {cell(world.zhao, WEEK): TRIP})
    assert response.status_code == 302
    assert DutyDay.objects.get().recorded_by == world.clerk


def test_week_confirm_writes_only_the_members_in_the_users_scope(world: World) -> None:
    """A user who sees the team through one member (the member themself, a unit's liaison) may not
    write the days of the others (the fix in ``week_confirm``: each membership's scope is checked)."""
    for user, own, other in ((world.zhang_user, world.zhang, world.wang), (world.liaison, world.li, world.zhao)):
        with pytest.raises(ValidationError) as refused:
            services.week_confirm(user=user, team=world.t1, entries={(own.pk, WEEK): NIGHT, (other.pk, WEEK): NIGHT})
        assert refused.value.messages == [zh(Msg.OUT_OF_SCOPE)]
        assert not DutyDay.objects.filter(person=own.person).exists()
        assert services.week_confirm(user=user, team=world.t1, entries={(own.pk, WEEK): NIGHT}) == 1
    with pytest.raises(ValidationError):  # 张驻村 was dispatched by another unit than the liaison's
        services.week_confirm(user=world.liaison, team=world.t1, entries={(world.zhang.pk, TODAY): NIGHT})
    assert DutyDay.objects.count() == 2


def test_week_grid_is_a_fixed_number_of_queries(world: World) -> None:
    client = client_for(world.leader)
    client.get(week_url(world.t1))
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(week_url(world.t1)).context["grid"].rows) == 3
    for i in range(5):
        m = station(world.t1, cadre(f"PX{i}", f"新队员{i}", world.unit_a), world.unit_a)
        services.week_confirm(user=world.leader, team=world.t1, entries={(m.pk, day): NIGHT for day in PAST_DAYS})
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(week_url(world.t1)).context["grid"].rows) == 8
    assert len(many) == len(few)


# --- a member's own days -----------------------------------------------------------------------------


def duty_post(user: Any, **data: Any) -> Any:
    return client_for(user).post(reverse("villagecorps:my-duty"), {"kind": NIGHT, "location": ""} | data)


def test_self_record_without_location(world: World) -> None:
    response = client_for(world.zhang_user).post(
        reverse("villagecorps:my-duty"), {"date": iso(TODAY), "kind": VILLAGE, "location": ""}, follow=True
    )

    assert page_messages(response) == ["已记录 6月14日：在村工作未住村"]
    day = DutyDay.objects.get()
    assert (day.person, day.membership, day.date, day.kind) == (world.zhang.person, world.zhang, TODAY, VILLAGE)
    assert (day.source, day.location, day.recorded_by) == (DaySource.SELF, "", world.zhang_user)


def test_self_record_with_location(world: World) -> None:
    response = duty_post(world.zhang_user, date="2024-06-13", location=" 35.84, 104.11 ")

    assert response.status_code == 302
    assert DutyDay.objects.get().location == "35.84, 104.11"


def test_the_form_defaults_to_today_and_never_asks_for_a_position(world: World) -> None:
    response = client_for(world.zhang_user).get(reverse("villagecorps:my-duty"))

    html = response.content.decode()
    form = response.context["form"]
    assert form.initial["date"] == TODAY and not form.fields["location"].required
    assert 'max="2024-06-14"' in html
    assert "geolocation" not in html and "<script" not in html


def test_a_bad_location_is_refused(world: World) -> None:
    response = duty_post(world.zhang_user, date=iso(TODAY), location="村委会")

    assert response.status_code == 200
    assert form_errors(response) == {"location": [zh(Msg.LOCATION_FORMAT)]}
    assert not DutyDay.objects.exists()


def test_a_day_outside_any_membership_is_refused(world: World) -> None:
    response = duty_post(world.zhang_user, date="2022-12-31")

    assert form_errors(response) == {"date": [zh(Msg.NOT_STATIONED, date="2022-12-31", person="张驻村")]}
    assert not DutyDay.objects.exists()


def test_a_future_day_is_refused(world: World) -> None:
    response = duty_post(world.zhang_user, date="2024-06-15")

    assert form_errors(response) == {"date": [zh(Msg.FUTURE_DATE, today="2024-06-14")]}
    assert not DutyDay.objects.exists()


def test_recording_a_day_again_replaces_it(world: World) -> None:
    duty_post(world.zhang_user, date=iso(TODAY), kind=NIGHT)
    duty_post(world.zhang_user, date=iso(TODAY), kind=MEETING)

    day = DutyDay.objects.get()
    assert day.kind == MEETING
    assert [h.kind for h in day.history.order_by("history_date")] == [NIGHT, MEETING]


def test_a_user_who_is_not_a_cadre_gets_a_clear_message(world: World) -> None:
    client = client_for(world.clerk)

    response = client.get(reverse("villagecorps:my-duty"))
    assert response.status_code == 200
    html = response.content.decode()
    assert zh(Msg.NOT_A_MEMBER) in html
    assert reverse("villagecorps:team-list") in html  # staff are pointed to the teams

    assert client.post(reverse("villagecorps:my-duty"), {"date": iso(TODAY), "kind": NIGHT}).status_code == 200
    assert not DutyDay.objects.exists()


def test_a_cadre_without_a_current_membership_gets_a_clear_message(world: World) -> None:
    person = cadre("P9", "刘离任", world.unit_a, login=True)
    station(world.t2, person, world.unit_a, start=D(2023, 3, 1), end=D(2023, 12, 31))

    response = client_for(person.user).get(reverse("villagecorps:my-duty"))

    html = response.content.decode()
    assert "您当前没有在驻村工作队任职" in html
    assert 'name="kind"' not in html


def test_a_person_cannot_be_stationed_in_two_villages_on_one_day(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        station(world.t2, world.zhang.person, world.unit_a, start=D(2024, 6, 1))

    assert refused.value.messages == [zh(Msg.MEMBER_OVERLAP, person="张驻村", other="一村工作队")]
    assert Membership.objects.filter(person=world.zhang.person).count() == 1


def test_after_a_rotation_a_day_belongs_to_the_village_of_that_day(world: World) -> None:
    services.membership_end(membership=world.zhang, end=D(2024, 6, 11))
    zhang_in_t2 = station(world.t2, world.zhang.person, world.unit_a, start=D(2024, 6, 12))

    duty_post(world.zhang_user, date="2024-06-12")
    assert DutyDay.objects.get().membership == zhang_in_t2

    # in the old team's grid the days after the rotation are closed, and forging one is refused
    response = client_for(world.leader).get(week_url(world.t1))
    zhang_row = next(r for r in response.context["grid"].rows if r.membership == world.zhang)
    assert [c.day.day for c in zhang_row.cells if c.outside] == [12, 13, 14, 15, 16]
    response = client_for(world.leader).post(week_url(world.t1), {cell(world.zhang, D(2024, 6, 13)): NIGHT})
    outside = zh(Msg.OUTSIDE_MEMBERSHIP, date="2024-06-13", person="张驻村", start="2023-01-01", end="2024-06-11")
    assert response.context["errors"] == [f"张驻村 06-13：{outside}"]
    assert DutyDay.objects.count() == 1


# --- the year card -------------------------------------------------------------------------------


def record(leader: Any, team: Team, m: Membership, days: dict[datetime.date, str]) -> None:
    services.week_confirm(user=leader, team=team, entries={(m.pk, day): kind for day, kind in days.items()})


def li_days() -> dict[datetime.date, str]:
    """April: 10 nights, 5 days in the village, 2 trips; May: 3 leave, 4 meetings, 1 training; June:
    2 nights and an "other". Duty days 24, nights 12."""
    kinds = [NIGHT] * 10 + [VILLAGE] * 5 + [TRIP] * 2
    days = dict(zip(days_of(D(2024, 4, 1), D(2024, 4, 17)), kinds, strict=True))
    days |= dict(zip(days_of(D(2024, 5, 6), D(2024, 5, 13)), [LEAVE] * 3 + [MEETING] * 4 + [TRAINING], strict=True))
    return days | {D(2024, 6, 3): NIGHT, D(2024, 6, 4): NIGHT, D(2024, 6, 5): OTHER}


def test_year_card_of_a_member_who_joined_mid_year(world: World) -> None:
    record(world.leader, world.t1, world.li, li_days())

    response = client_for(world.leader).get(reverse("villagecorps:member-card", args=[world.li.pk]))

    assert response.status_code == 200
    card = response.context["card"]
    # 2024 has 366 days; 1 April to 31 December is 275 of them
    assert (card.in_post, card.year_days, card.assessed) == (275, 366, True)
    assert (card.days, card.nights) == (24, 12)
    assert card.nights <= card.days
    # pro-rated, rounded up: 220 × 275 / 366 = 165.3 → 166; 160 × 275 / 366 = 120.2 → 121
    assert (card.days_target, card.nights_target) == (166, 121)
    # to yesterday 74 of the 275 days have passed: 166 × 74 / 275 = 44.7 → 45; 121 × 74 / 275 = 32.6 → 33
    assert (card.days_expected, card.nights_expected, card.behind) == (45, 33, True)
    # from today 201 days in post are left: 142 days needed, 142 × 7 / 201 = 4.9 → 5 a week (71 %)
    assert (card.days_pace.needed, card.days_pace.left, card.days_pace.per_week, card.days_pace.percent) == (
        142,
        201,
        5,
        71,
    )
    assert (card.nights_pace.needed, card.nights_pace.per_week, card.nights_pace.percent) == (109, 4, 55)
    by_month = {row.month: row for row in card.months}
    kinds = [k.value for k in DayKind]
    assert dict(zip(kinds, by_month[4].counts, strict=True)) == {
        NIGHT: 10,
        VILLAGE: 5,
        TRIP: 2,
        MEETING: 0,
        TRAINING: 0,
        LEAVE: 0,
        OTHER: 0,
    }
    assert (by_month[4].duty, by_month[5].duty, by_month[6].duty) == (17, 5, 2)
    assert (by_month[4].nights, by_month[5].nights, by_month[6].nights) == (10, 0, 2)
    assert sum(row.duty for row in card.months if row.month not in (4, 5, 6)) == 0
    assert card.totals == [12, 5, 2, 4, 1, 3, 1]
    html = response.content.decode()
    assert "每周需 5 天" in html and "约占剩余天数的 71%" in html
    assert '<span class="days">24</span> / 166' in html and '<span class="nights">12</span> / 121' in html


def test_year_card_counts_only_the_year_asked_for(world: World) -> None:
    record(world.leader, world.t1, world.zhang, {D(2023, 12, 30): NIGHT, D(2023, 12, 31): VILLAGE, WEEK: NIGHT})
    client = client_for(world.zhang_user)

    this_year = client.get(reverse("villagecorps:my-duty")).context["card"]
    last_year = client.get(reverse("villagecorps:my-duty"), {"year": 2023}).context["card"]

    assert (this_year.days, this_year.nights, this_year.days_target) == (1, 1, 220)
    assert (last_year.days, last_year.nights, last_year.in_post, last_year.days_target) == (2, 1, 365, 220)
    assert last_year.year_over and (last_year.days_expected, last_year.nights_expected) == (220, 160)


def test_year_card_pace_is_plain_arithmetic() -> None:
    assert selectors.pro_rate(220, 275, 366) == 166
    assert selectors.pro_rate(220, 366, 366) == 220
    assert selectors.pro_rate(220, 10, 365, pro_rated=False) == 220
    assert selectors.expected_by_now(166, 74, 275) == 45
    assert selectors.expected_by_now(220, 0, 0) == 0
    assert (selectors.Pace(needed=0, left=10).per_week, selectors.Pace(needed=-3, left=10).done) == (0, True)
    unreachable = selectors.Pace(needed=30, left=20)
    assert (unreachable.reachable, unreachable.per_week, unreachable.percent) == (False, 7, 150)
    assert selectors.days_in([(D(2024, 4, 1), None)], D(2024, 1, 1), D(2024, 6, 13)) == 74


# --- the team calendar, the team list and the county view ---------------------------------------------


def test_team_calendar_shows_the_month_read_only(world: World) -> None:
    record(world.leader, world.t1, world.li, li_days())

    response = client_for(world.leader).get(
        reverse("villagecorps:team-calendar", args=[world.t1.pk]), {"month": "2024-04"}
    )

    assert response.status_code == 200
    grid = response.context["grid"]
    assert (grid.start, grid.end, len(grid.rows)) == (D(2024, 4, 1), D(2024, 4, 30), 3)
    li = next(row for row in grid.rows if row.membership == world.li)
    assert (li.duty, li.nights) == (17, 10)
    html = response.content.decode()
    assert "<select" not in html
    assert 'title="4月1日 在村工作并住村">住村</td>' in html
    assert week_url(world.t1, D(2024, 4, 29)) in html  # to the week grid


def test_team_list_of_a_team_leader_a_liaison_and_a_clerk(world: World) -> None:
    def names(user: Any) -> list[str]:
        page = client_for(user).get(reverse("villagecorps:team-list")).context["page"]
        return [team.name for team in page]

    assert names(world.leader) == ["一村工作队"]
    assert names(world.clerk) == ["一村工作队", "二村工作队"]  # their township only
    assert names(world.liaison) == ["一村工作队", "二村工作队"]  # where the unit's cadres are
    assert names(world.county_clerk) == ["一村工作队", "二村工作队"]


def test_team_calendar_is_404_out_of_scope(world: World) -> None:
    leader = client_for(world.leader)
    assert leader.get(reverse("villagecorps:team-calendar", args=[world.t1.pk])).status_code == 200
    assert leader.get(reverse("villagecorps:team-calendar", args=[world.t2.pk])).status_code == 404
    assert client_for(world.clerk).get(reverse("villagecorps:team-calendar", args=[world.t3.pk])).status_code == 404
    # a unit liaison sees the team of their cadre, but only their cadre's row
    response = client_for(world.liaison).get(reverse("villagecorps:team-calendar", args=[world.t1.pk]))
    assert [row.membership for row in response.context["grid"].rows] == [world.li]


def test_member_card_scope(world: World) -> None:
    def status(user: Any, m: Membership) -> int:
        return client_for(user).get(reverse("villagecorps:member-card", args=[m.pk])).status_code

    assert status(world.leader, world.zhang) == 200
    assert status(world.leader, world.zhao) == 404  # another village
    assert status(world.liaison, world.li) == 200  # dispatched by the liaison's unit
    assert status(world.liaison, world.zhao) == 200
    assert status(world.liaison, world.zhang) == 404  # dispatched by another unit
    assert status(world.clerk, world.zhao) == 200
    assert status(world.clerk, world.sun) == 404  # another county
    assert status(world.zhang_user, world.zhang) == 200  # one's own
    assert status(world.zhang_user, world.wang) == 404


def test_county_view_puts_who_is_behind_pace_first(world: World) -> None:
    # 王队长 has a night every day from 1 January to 13 June (165 days): on pace
    record(world.leader, world.t1, world.wang, dict.fromkeys(days_of(D(2024, 1, 1), D(2024, 6, 13)), NIGHT))
    record(world.leader, world.t1, world.li, li_days())  # 24 days, 12 nights: behind by 21
    # 张驻村 has nothing (behind by 100); 赵驻村 in team 二村 has nothing either

    response = client_for(world.county_clerk).get(reverse("villagecorps:county-teams", args=["620123"]))

    assert response.status_code == 200
    teams = response.context["teams"]
    assert [(t.team.name, t.behind) for t in teams] == [("一村工作队", 2), ("二村工作队", 1)]  # not 外县工作队
    rows = [
        (p.membership.person.name, p.days, p.days_expected, p.nights, p.nights_expected, p.behind)
        for p in teams[0].members
    ]
    # a full year in post: 220 × 165 / 366 = 99.2 → 100 days and 160 × 165 / 366 = 72.1 → 73 nights by now
    assert rows == [
        ("张驻村", 0, 100, 0, 73, True),
        ("李驻村", 24, 45, 12, 33, True),
        ("王队长", 165, 100, 165, 73, False),
    ]
    assert response.context["behind"] == 3
    html = response.content.decode()
    assert html.index("张驻村") < html.index("李驻村") < html.index("王队长") < html.index("赵驻村")
    assert "孙驻村" not in html


def test_county_view_is_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    county = world.tree["620123"]
    scope_kinds_clear(world.county_clerk)  # measured as a request's fresh user: the kinds of scope, then the rows
    with django_assert_num_queries(5):
        assert len(selectors.county_teams(county=county, user=world.county_clerk, year=2024, today=TODAY)) == 2
    # a team of an earlier year is left out, and six more members do not add a query
    services.team_create(village=world.tree["620123101202"], name="旧队", start=D(2020, 1, 1), end=D(2020, 12, 31))
    for i in range(6):
        m = station(world.t2, cadre(f"PY{i}", f"队员{i}", world.unit_b), world.unit_b)
        record(world.clerk, world.t2, m, {WEEK: NIGHT})
    scope_kinds_clear(world.county_clerk)
    with django_assert_num_queries(5):
        teams = selectors.county_teams(county=county, user=world.county_clerk, year=2024, today=TODAY)
    assert [len(t.members) for t in teams] == [7, 3]
    assert sorted(p.days for p in teams[0].members) == [0, 1, 1, 1, 1, 1, 1]


def test_county_view_scope(world: World) -> None:
    url = reverse("villagecorps:county-teams", args=["620123"])
    assert client_for(world.county_clerk).get(url).status_code == 200
    assert client_for(world.clerk).get(url).status_code == 404  # a township clerk: not the whole county
    assert client_for(world.leader).get(url).status_code == 404
    other = factories.user_with_role(Role.COUNTY_STAFF, place=world.tree["620521"], password=None)
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).get(reverse("villagecorps:county-teams", args=["620521101"])).status_code == 404


def test_every_page_renders_in_english_too(world: World) -> None:
    """The pages' strings go through the catalogue (English until translated shows the Chinese msgid)."""
    record(world.leader, world.t1, world.li, li_days())
    client = client_for(world.county_clerk)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    urls = [
        reverse("villagecorps:my-duty"),
        reverse("villagecorps:team-list"),
        reverse("villagecorps:team-calendar", args=[world.t1.pk]),
        week_url(world.t1),
        reverse("villagecorps:member-card", args=[world.li.pk]),
        reverse("villagecorps:county-teams", args=["620123"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()
    html = client_for(world.leader).get(reverse("villagecorps:member-card", args=[world.li.pk])).content.decode()
    assert "约占剩余天数的 71%" in html

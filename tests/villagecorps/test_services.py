"""Writes of the villagecorps app: refusals keyed by field in Chinese, nothing written on refusal, one row
per person and day (recording again replaces it, history keeps both), the week grid and imports all or
nothing; and the admin, which saves duty days through the same service."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from tiers.periods import Period
from villagecorps import figures, services
from villagecorps.choices import DayKind, DaySource, MemberRole
from villagecorps.messages import Msg
from villagecorps.models import DutyDay, Membership, Team
from villagecorps.services import ImportRow

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = Period("year", 2019)


def refusal(call: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict


def messages(call: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.messages


def member_user(**person: Any) -> tuple[Any, Any]:
    """A user linked to a cadre, with no role: a member sees their own stationing through ``Person.user``."""
    user = factories.UserFactory(password=None)
    return user, factories.PersonFactory(user=user, **person)


@pytest.fixture
def w(place_tree, user_with_role) -> dict[str, Any]:
    """Team 1 in village 620122101201 since 2018: 张三 (a user) from 2019, 李四 until 30 June 2019, 王五 from
    6 March 2019 (the leader). Team 2 in village 620123101201. A team leader of village 1, a clerk of its
    township, a team leader of village 2 (out of scope for team 1)."""
    team = TeamFactory(village=place_tree["620122101201"], name="一村工作队", start=D(2018, 1, 1))
    other_team = TeamFactory(village=place_tree["620123101201"], name="二村工作队", start=D(2018, 1, 1))
    user_a, a = member_user(name="张三")
    return {
        "tree": place_tree,
        "team": team,
        "other_team": other_team,
        "user_a": user_a,
        "a": MembershipFactory(team=team, person=a, start=D(2019, 1, 1)),
        "b": MembershipFactory(team=team, person=factories.PersonFactory(name="李四"), end=D(2019, 6, 30)),
        "c": MembershipFactory(
            team=team, person=factories.PersonFactory(name="王五"), role=MemberRole.LEADER, start=D(2019, 3, 6)
        ),
        "leader": user_with_role(Role.TEAM_LEADER, place=place_tree["620122101201"], password=None),
        "clerk": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], password=None),
        "outsider": user_with_role(Role.TEAM_LEADER, place=place_tree["620123101201"], password=None),
    }


def record(w: dict[str, Any], who: str, day: D, kind: str = DayKind.IN_VILLAGE_NIGHT, **kw: Any) -> DutyDay:
    kw.setdefault("user", w["leader"])
    return services.duty_day_record(person=w[who].person, day=day, kind=kind, **kw)


# --- duty_day_record -----------------------------------------------------------------------------------


def test_records_a_day_in_the_membership_in_force(w):
    day = record(w, "a", D(2019, 3, 1), source=DaySource.GRID, location="35.84,104.11")

    assert (day.membership, day.person, day.kind, day.source) == (w["a"], w["a"].person, "village_night", "grid")
    assert (day.recorded_by, day.location) == (w["leader"], "35.84,104.11")
    assert day.history.get().history_user == w["leader"]


def test_a_future_day_is_refused(w):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert refusal(services.duty_day_record, user=w["leader"], person=w["a"].person, day=tomorrow, kind="village") == {
        "date": [Msg.FUTURE_DATE % {"today": f"{today:%Y-%m-%d}"}]
    }
    record(w, "a", today)  # today itself is fine
    assert DutyDay.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "day"),
    [("a", D(2018, 12, 31)), ("b", D(2019, 7, 1)), ("c", D(2019, 3, 5))],
    ids=["before-start", "after-end", "before-joining"],
)
def test_a_day_outside_the_stationing_is_refused(w, who, day):
    person = w[who].person
    assert refusal(services.duty_day_record, user=w["leader"], person=person, day=day, kind="village") == {
        "date": [Msg.NOT_STATIONED % {"date": f"{day:%Y-%m-%d}", "person": person.name}]
    }
    assert DutyDay.objects.count() == 0


def test_a_person_never_stationed_is_refused(w):
    person = factories.PersonFactory(name="赵六")
    assert refusal(services.duty_day_record, user=w["clerk"], person=person, day=D(2019, 3, 1), kind="village") == {
        "date": ["2019-03-01 赵六 没有驻村记录。"]
    }


def test_out_of_scope_is_refused(w):
    assert messages(record, w=w, who="a", day=D(2019, 3, 1), user=w["outsider"]) == [str(Msg.OUT_OF_SCOPE)]
    assert messages(record, w=w, who="a", day=D(2019, 3, 1), user=factories.UserFactory(password=None)) == [
        str(Msg.OUT_OF_SCOPE)
    ]
    assert DutyDay.objects.count() == 0


@pytest.mark.parametrize("user", ["leader", "clerk"])
def test_users_in_scope_may_record(w, user):
    record(w, "b", D(2019, 6, 30), user=w[user])
    assert DutyDay.objects.get().recorded_by == w[user]


def test_recording_the_same_day_again_replaces_it(w):
    first = record(w, "a", D(2019, 3, 1), DayKind.IN_VILLAGE_NIGHT, user=w["user_a"])
    again = record(w, "a", D(2019, 3, 1), DayKind.OFFICIAL_TRIP, user=w["clerk"], source=DaySource.ADMIN)

    assert again.pk == first.pk
    assert DutyDay.objects.count() == 1
    assert (again.kind, again.source, again.recorded_by) == ("trip", "admin", w["clerk"])
    history = list(DutyDay.history.order_by("history_date").values_list("kind", "history_user"))
    assert history == [("village_night", w["user_a"].pk), ("trip", w["clerk"].pk)]
    duty = {row["membership_id"]: row["figure"] for row in figures.duty_days(YEAR)}
    nights = {row["membership_id"]: row["figure"] for row in figures.nights(YEAR)}
    assert (duty[w["a"].pk], nights[w["a"].pk]) == (1, 0)


def test_the_kind_must_be_one_of_the_choices(w):
    errors = refusal(record, w=w, who="a", day=D(2019, 3, 1), kind="holiday")
    assert list(errors) == ["kind"]


# --- memberships and teams ----------------------------------------------------------------------------------


def station(w: dict[str, Any], person: Any, team: str = "other_team", **dates: Any) -> Membership:
    return services.membership_create(
        team=w[team], person=person, role=MemberRole.MEMBER, dispatching_unit=person.unit, **dates
    )


def test_one_village_at_a_time(w):
    a = w["a"].person
    assert refusal(station, w=w, person=a, start=D(2019, 12, 1)) == {
        "__all__": [Msg.MEMBER_OVERLAP % {"person": "张三", "other": "一村工作队"}]
    }
    # 李四 left village 1 on 30 June: stationing them in village 2 from 1 July is fine, from 30 June not.
    b = w["b"].person
    assert refusal(station, w=w, person=b, start=D(2019, 6, 30)) == {
        "__all__": [Msg.MEMBER_OVERLAP % {"person": "李四", "other": "一村工作队"}]
    }
    assert station(w, b, start=D(2019, 7, 1)).team == w["other_team"]
    assert Membership.objects.filter(person=b).count() == 2


def test_a_membership_ending_before_another_starts_does_not_overlap(w):
    person = factories.PersonFactory()
    station(w, person, start=D(2019, 1, 1), end=D(2019, 5, 31))
    assert refusal(station, w=w, person=person, team="team", start=D(2018, 6, 1)) == {
        "__all__": [Msg.MEMBER_OVERLAP % {"person": person.name, "other": "二村工作队"}]
    }
    station(w, person, team="team", start=D(2019, 6, 1))


def test_a_membership_before_the_team_started_is_refused(w):
    person = factories.PersonFactory()
    assert refusal(station, w=w, person=person, team="team", start=D(2017, 12, 31)) == {
        "start": [Msg.MEMBERSHIP_OUTSIDE_TEAM % {"start": "2018-01-01"}]
    }
    assert Membership.objects.filter(person=person).count() == 0


def test_membership_dates_in_order(w):
    person = factories.PersonFactory()
    assert list(refusal(station, w=w, person=person, start=D(2019, 5, 1), end=D(2019, 4, 30))) == ["end"]


def test_membership_end_keeps_the_row(w):
    services.membership_end(membership=w["a"], end=D(2019, 9, 30))
    w["a"].refresh_from_db()
    assert w["a"].end == D(2019, 9, 30)
    assert refusal(record, w=w, who="a", day=D(2019, 10, 1)) == {"date": ["2019-10-01 张三 没有驻村记录。"]}


def test_team_create(w):
    team = services.team_create(village=w["tree"]["620122101202"], name="新工作队", start=D(2019, 1, 1))
    assert Team.objects.get(pk=team.pk).name == "新工作队"
    assert refusal(services.team_create, village=w["tree"]["620122101"], name="乡", start=D(2019, 1, 1)) == {
        "village": [str(Msg.MUST_BE_VILLAGE)]
    }
    assert refusal(services.team_create, village=w["tree"]["620122101201"], name="重复", start=D(2019, 1, 1)) == {
        "__all__": [Msg.TEAM_OVERLAP % {"other": "一村工作队"}]
    }


# --- week_confirm --------------------------------------------------------------------------------------------

WEEK = [D(2019, 3, 4) + datetime.timedelta(days=n) for n in range(7)]  # Monday 4 – Sunday 10 March


def test_a_team_leader_confirms_the_week(w):
    entries = {(w["a"].pk, day): DayKind.IN_VILLAGE_NIGHT for day in WEEK}
    entries.update({(w["c"].pk, day): DayKind.IN_VILLAGE for day in WEEK[2:]})  # 王五 joined on Wednesday
    entries[w["a"].pk, WEEK[6]] = ""  # left unrecorded

    assert services.week_confirm(user=w["leader"], team=w["team"], entries=entries) == 6 + 5
    assert set(DutyDay.objects.values_list("source", flat=True)) == {DaySource.GRID}
    assert DutyDay.objects.filter(person=w["a"].person).count() == 6


def test_one_bad_cell_refuses_the_whole_week_with_every_error(w):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    entries = {(w["a"].pk, day): DayKind.IN_VILLAGE_NIGHT for day in WEEK}
    entries[w["c"].pk, WEEK[0]] = DayKind.IN_VILLAGE  # 王五 joined on 6 March
    entries[w["c"].pk, WEEK[1]] = DayKind.IN_VILLAGE
    entries[w["a"].pk, tomorrow] = DayKind.IN_VILLAGE

    errors = messages(services.week_confirm, user=w["leader"], team=w["team"], entries=entries)

    outside = "{day} 不在 王五 的驻村期间（2019-03-06 至 今）。"
    assert errors == [
        f"王五 03-04：{outside.format(day='2019-03-04')}",
        f"王五 03-05：{outside.format(day='2019-03-05')}",
        f"张三 {tomorrow:%m-%d}：" + Msg.FUTURE_DATE % {"today": f"{timezone.localdate():%Y-%m-%d}"},
    ]
    assert DutyDay.objects.count() == 0


def test_week_of_another_team_or_member_is_refused(w):
    entries = {(w["a"].pk, WEEK[0]): DayKind.IN_VILLAGE}
    assert messages(services.week_confirm, user=w["outsider"], team=w["team"], entries=entries) == [
        str(Msg.OUT_OF_SCOPE)
    ]
    stranger = MembershipFactory(team=w["other_team"])
    entries[stranger.pk, WEEK[0]] = DayKind.IN_VILLAGE
    assert messages(services.week_confirm, user=w["leader"], team=w["team"], entries=entries) == [str(Msg.OUT_OF_SCOPE)]
    assert DutyDay.objects.count() == 0


# --- self_record ------------------------------------------------------------------------------------------


def test_a_member_records_their_own_day(w):
    day = services.self_record(user=w["user_a"], day=D(2019, 3, 1), kind=DayKind.MEETING)
    assert (day.person, day.source, day.recorded_by, day.location) == (w["a"].person, "self", w["user_a"], "")


def test_self_record_without_a_person_is_refused(w):
    assert messages(services.self_record, user=w["leader"], day=D(2019, 3, 1), kind=DayKind.MEETING) == [
        str(Msg.NOT_A_MEMBER)
    ]
    assert DutyDay.objects.count() == 0


@pytest.mark.parametrize("location", ["", "35.84,104.11", "35.84, 104.11", "-35,-104.5"])
def test_location_is_optional(w, location):
    day = services.self_record(user=w["user_a"], day=D(2019, 3, 1), kind=DayKind.IN_VILLAGE, location=location)
    assert day.location == location


@pytest.mark.parametrize("location", ["here", "35.84", "104.11;35.84", "135.84,104.11"])
def test_location_is_validated(w, location):
    assert refusal(services.self_record, user=w["user_a"], day=D(2019, 3, 1), kind="village", location=location) == {
        "location": [str(Msg.LOCATION_FORMAT)]
    }


# --- duty_days_import --------------------------------------------------------------------------------------


def row_msg(row: int, field: str, reason: Any) -> str:
    return Msg.IMPORT_ROW % {"row": row, "field": field, "reason": str(reason)}


def test_import_saves_every_row(w):
    code_a, code_c = w["a"].person.code, w["c"].person.code
    rows = [
        ImportRow(row=2, person_code=code_a, day=D(2019, 3, 6), kind=DayKind.IN_VILLAGE_NIGHT),
        ImportRow(row=3, person_code=code_c, day=D(2019, 3, 6), kind=DayKind.TRAINING, location="35.8,104.1"),
    ]
    assert services.duty_days_import(user=w["clerk"], rows=rows) == 2
    assert set(DutyDay.objects.values_list("source", "recorded_by")) == {(DaySource.IMPORT, w["clerk"].pk)}


def test_import_is_all_or_nothing_with_numbered_rows(w):
    code_a, code_c = w["a"].person.code, w["c"].person.code
    rows = [
        ImportRow(row=2, person_code=code_a, day=D(2019, 3, 6), kind=DayKind.IN_VILLAGE_NIGHT),
        ImportRow(row=3, person_code="NOBODY", day=D(2019, 3, 6), kind=DayKind.IN_VILLAGE_NIGHT),
        ImportRow(row=4, person_code=code_c, day=D(2019, 3, 1), kind=DayKind.IN_VILLAGE),
        ImportRow(row=5, person_code=code_a, day=D(2019, 3, 7), kind=DayKind.IN_VILLAGE, location="x"),
        ImportRow(row=6, person_code=code_a, day=D(2019, 3, 8), kind=DayKind.IN_VILLAGE),
    ]
    assert messages(services.duty_days_import, user=w["clerk"], rows=rows) == [
        row_msg(3, "人员编码", "找不到人员编码 NOBODY。"),
        row_msg(4, "日期", "2019-03-01 王五 没有驻村记录。"),
        row_msg(5, "位置", Msg.LOCATION_FORMAT),
    ]
    assert DutyDay.objects.count() == 0


def test_import_out_of_scope(w):
    rows = [ImportRow(row=2, person_code=w["a"].person.code, day=D(2019, 3, 6), kind=DayKind.IN_VILLAGE)]
    # A person the user may not know of is an unknown code: the refusal neither names nor confirms them.
    unknown = Msg.UNKNOWN_PERSON % {"code": w["a"].person.code}
    assert messages(services.duty_days_import, user=w["outsider"], rows=rows) == [row_msg(2, "人员编码", unknown)]


# --- the admin saves duty days through duty_day_record -------------------------------------------------------


def admin_post(client: Any, user: Any, data: dict[str, Any], obj: DutyDay | None = None) -> Any:
    client.force_login(user)
    if obj is None:
        return client.post(reverse("admin:villagecorps_dutyday_add"), data)
    return client.post(reverse("admin:villagecorps_dutyday_change", args=[obj.pk]), data)


@pytest.fixture
def county_clerk(w, user_with_role) -> Any:
    """County staff record days (township staff too); the county's staff see every village in it."""
    return user_with_role(Role.COUNTY_STAFF, place=w["tree"]["620122"], password=None)


def test_admin_adds_a_day_and_adding_it_again_replaces_it(w, client, county_clerk):
    data = {"person": w["a"].person.pk, "date": "2019-03-01", "kind": "village_night", "location": ""}
    response = admin_post(client, county_clerk, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    day = DutyDay.objects.get()
    assert (day.membership, day.source, day.recorded_by) == (w["a"], DaySource.ADMIN, county_clerk)

    response = admin_post(client, county_clerk, {**data, "kind": "leave"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(DutyDay.objects.values_list("pk", "kind")) == [(day.pk, "leave")]
    assert DutyDay.history.filter(id=day.pk).count() == 2


def test_admin_changes_the_kind_of_a_day(w, client, county_clerk):
    day = record(w, "a", D(2019, 3, 1), source=DaySource.SELF)
    response = admin_post(client, county_clerk, {"kind": "meeting", "location": "35.8,104.1"}, obj=day)
    assert response.status_code == 302, response.context["adminform"].form.errors
    day.refresh_from_db()
    assert (day.kind, day.location, day.source, day.recorded_by) == ("meeting", "35.8,104.1", "admin", county_clerk)


def test_admin_refuses_a_day_outside_the_stationing_or_in_the_future(w, client, county_clerk):
    person = w["c"].person
    response = admin_post(client, county_clerk, {"person": person.pk, "date": "2019-03-01", "kind": "village"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"date": ["2019-03-01 王五 没有驻村记录。"]}

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = admin_post(client, county_clerk, {"person": person.pk, "date": f"{tomorrow}", "kind": "village"})
    assert response.context["adminform"].form.errors == {
        "date": [Msg.FUTURE_DATE % {"today": f"{timezone.localdate():%Y-%m-%d}"}]
    }
    assert DutyDay.objects.count() == 0


def test_admin_offers_only_stationed_people_in_scope(w, client, user_with_role):
    clerk = user_with_role(Role.COUNTY_STAFF, place=w["tree"]["620123"], password=None)  # the county of team 2
    stranger = MembershipFactory(team=w["other_team"])
    client.force_login(clerk)
    response = client.get(reverse("admin:villagecorps_dutyday_add"))
    assert set(response.context["adminform"].form.fields["person"].queryset) == {stranger.person}

    response = admin_post(client, clerk, {"person": w["a"].person.pk, "date": "2019-03-01", "kind": "village"})
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert DutyDay.objects.count() == 0


@pytest.mark.parametrize("model", ["team", "membership", "dutyday", "followupvisit", "insurancecover", "trainingday"])
def test_admin_lists_and_add_pages(w, admin_client, model):
    record(w, "a", D(2019, 3, 1))
    assert admin_client.get(reverse(f"admin:villagecorps_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:villagecorps_{model}_add")).status_code == 200


def test_admin_list_is_scoped(w, client, user_with_role):
    record(w, "a", D(2019, 3, 1))
    day_2 = services.duty_day_record(
        user=w["outsider"], person=MembershipFactory(team=w["other_team"]).person, day=D(2019, 3, 1), kind="village"
    )
    clerk = user_with_role(Role.COUNTY_STAFF, place=w["tree"]["620123"], password=None)
    client.force_login(clerk)
    response = client.get(reverse("admin:villagecorps_dutyday_changelist"))
    assert list(response.context["cl"].result_list) == [day_2]
    first = DutyDay.objects.exclude(pk=day_2.pk).get()
    assert client.get(reverse("admin:villagecorps_dutyday_change", args=[first.pk])).status_code == 302


# --- ends of stationings, unchanged confirmations, location range ------------------------------------


def test_a_membership_cannot_outlast_its_team(w):
    w["team"].end = D(2019, 12, 31)
    w["team"].save()
    errors = refusal(
        services.membership_create,
        team=w["team"],
        person=factories.PersonFactory(name="赵六"),
        role=MemberRole.MEMBER,
        dispatching_unit=w["a"].dispatching_unit,
        start=D(2019, 2, 1),
    )
    assert errors == {"end": ["驻村结束日期不能晚于工作队撤离日期（2019-12-31）。"]}


def test_ending_a_membership_before_recorded_days_is_refused(w):
    record(w, "a", D(2019, 5, 1))
    record(w, "a", D(2019, 5, 2))
    errors = refusal(services.membership_end, membership=w["a"], end=D(2019, 4, 30))
    assert errors == {"end": ["结束日期之后已有 2 天考勤记录（最早 2019-05-01），请先核对这些记录。"]}
    assert Membership.objects.get(pk=w["a"].pk).end is None


def test_confirming_an_unchanged_day_keeps_who_recorded_it(w):
    own = services.self_record(
        user=w["user_a"], day=D(2019, 5, 1), kind=DayKind.IN_VILLAGE_NIGHT, location="35.8,104.1"
    )
    services.week_confirm(
        user=w["leader"], team=w["team"], entries={(w["a"].pk, D(2019, 5, 1)): DayKind.IN_VILLAGE_NIGHT}
    )
    day = DutyDay.objects.get(pk=own.pk)
    assert (day.recorded_by, day.source, day.location) == (w["user_a"], DaySource.SELF, "35.8,104.1")
    assert day.history.count() == 1


def test_a_location_out_of_range_is_refused(w):
    errors = refusal(
        services.self_record, user=w["user_a"], day=D(2019, 5, 1), kind=DayKind.IN_VILLAGE, location="99,999"
    )
    assert errors == {"location": [str(Msg.LOCATION_RANGE)]}
    assert not DutyDay.objects.exists()

"""Recording the triggers of escalations (issue 7, "Triggers"): 重大涉贫事件, 弄虚作假 / serious-consequence
findings and annual ratings — the services, the pages, the admin list and the demo.

"Today" is pinned to 2024-06-14. County staff of 榆中县 (620123) record in their county; 永登县 (620122)
is out of their scope. A provincial unit's cadre is stationed in a 榆中 village and a provincial unit's
helper is paired with a household there: both may be named by the county, though their units lie
outside it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accountability.choices import CaseKind, RatingGrade
from accountability.escalation import demo, records
from accountability.messages import Msg
from accountability.models import Case, Incident, Rating
from tests import factories
from tests.households.factories import HouseholdFactory, PairingFactory
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from tiers.messages import Msg as TierMsg
from villagecorps.choices import MemberRole

TODAY = datetime.date(2024, 6, 14)
DAY = datetime.date(2024, 3, 5)
VILLAGE = "620123101201"
OTHER_VILLAGE = "620123101202"
FAR_VILLAGE = "620122101201"  # another county


def zh(message: Any, **params: Any) -> str:
    with translation.override("zh-hans"):
        text = str(message)
    return text % params if params else text


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        return {
            field: [str(m) for m in ValidationError(errors).messages] for field, errors in exc.value.error_dict.items()
        }


@pytest.fixture(autouse=True)
def pinned_today(today_is: Any) -> datetime.date:
    return today_is(TODAY)


@pytest.fixture
def world(place_tree: factories.Tree) -> dict[str, Any]:
    """Places, a team with a provincial unit's cadre in 榆中, a helper, units in and out of scope."""
    tree = place_tree
    provincial = factories.UnitFactory(code="SCZT", name="省财政厅")
    county_unit = factories.UnitFactory(code="X620123", name="榆中县委", place=tree["620123"])
    far_unit = factories.UnitFactory(code="X620122", name="永登县委", place=tree["620122"])
    team = TeamFactory(village=tree[VILLAGE], name="一村工作队")
    member = MembershipFactory(team=team, person=factories.PersonFactory(code="PM1", unit=provincial))
    far_team = TeamFactory(village=tree[FAR_VILLAGE], name="永登工作队")
    far_member = MembershipFactory(team=far_team, person=factories.PersonFactory(code="PFAR", unit=far_unit))
    helper = factories.PersonFactory(code="PH1", unit=provincial)
    PairingFactory(helper=helper, household=HouseholdFactory(village=tree[OTHER_VILLAGE]))
    return {
        "tree": tree,
        "provincial": provincial,
        "county_unit": county_unit,
        "far_unit": far_unit,
        "team": team,
        "member": member,
        "far_team": far_team,
        "far_member": far_member,
        "helper": helper,
        "county_cadre": factories.PersonFactory(code="PC1", unit=county_unit),
        "stranger": factories.PersonFactory(code="PX1", unit=factories.UnitFactory(code="SJYT")),
        "county": factories.user_with_role(Role.COUNTY_STAFF, place=tree["620123"], username="county"),
        "far": factories.user_with_role(Role.COUNTY_STAFF, place=tree["620122"], username="far"),
    }


# --- services ----------------------------------------------------------------------------------------


def test_incident_record_saves_with_team_person_and_unit(world: dict[str, Any]) -> None:
    incident = records.incident_record(
        user=world["county"],
        village=world["tree"][VILLAGE],
        date=DAY,
        description="返贫未纳入",
        team=world["team"],
        person=world["member"].person,
        unit=world["provincial"],  # dispatches the cadre stationed in the county
    )
    assert incident.pk and incident.recorded_by == world["county"]
    assert incident.history.get().history_user == world["county"]
    helper_incident = records.incident_record(
        user=world["county"],
        village=world["tree"][OTHER_VILLAGE],
        date=DAY,
        description="住房垮塌",
        person=world["helper"],  # paired with a household in the county
        unit=world["helper"].unit,
    )
    assert set(Incident.objects.visible_to(world["county"])) == {helper_incident, incident}
    assert not Incident.objects.visible_to(world["far"]).exists()


def test_incident_refusals(world: dict[str, Any]) -> None:
    tree, county = world["tree"], world["county"]
    with pytest.raises(ValidationError) as exc:
        records.incident_record(
            user=county, village=tree[VILLAGE], date=TODAY + datetime.timedelta(days=1), description="x"
        )
    assert messages_of(exc) == {"date": [zh(TierMsg.DATE_IN_FUTURE, field="发生日期", today="2024-06-14")]}

    with pytest.raises(ValidationError) as exc:
        records.incident_record(user=county, village=tree["620123101"], date=DAY, description="x")
    assert messages_of(exc) == {"village": [zh(Msg.INCIDENT_VILLAGE)]}

    with pytest.raises(ValidationError) as exc:
        records.incident_record(user=county, village=tree[OTHER_VILLAGE], date=DAY, description="x", team=world["team"])
    assert messages_of(exc) == {"team": [zh(Msg.INCIDENT_TEAM)]}

    with pytest.raises(ValidationError) as exc:
        records.incident_record(
            user=county,
            village=tree[FAR_VILLAGE],
            date=DAY,
            description="x",
            team=world["far_team"],
            person=world["stranger"],
            unit=world["far_unit"],
        )
    assert messages_of(exc) == {
        "village": [zh(Msg.TRIGGER_OUT_OF_SCOPE, what="村")],
        "team": [zh(Msg.TRIGGER_OUT_OF_SCOPE, what="工作队")],
        "person": [zh(Msg.TRIGGER_OUT_OF_SCOPE, what="人员")],
        "unit": [zh(Msg.TRIGGER_OUT_OF_SCOPE, what="单位")],
    }
    assert not Incident.objects.exists()


def test_case_record_each_subject_and_refusals(world: dict[str, Any]) -> None:
    tree, county = world["tree"], world["county"]
    common = {
        "user": county,
        "kind": CaseKind.FALSIFICATION,
        "date": DAY,
        "inspection": "省级核查",
        "description": "虚报",
    }
    on_county = records.case_record(**common, place=tree["620123"])
    on_township = records.case_record(**common, place=tree["620123101"])
    on_unit = records.case_record(**common, unit=world["county_unit"])
    on_member = records.case_record(**{**common, "kind": CaseKind.SERIOUS}, membership=world["member"])
    on_person = records.case_record(**common, person=world["county_cadre"])
    assert {c.recorded_by for c in (on_county, on_township, on_unit, on_member, on_person)} == {county}
    assert Case.objects.count() == 5
    visible = set(Case.objects.visible_to(county))
    assert {on_county, on_township, on_member} <= visible

    for subjects in ({}, {"place": tree["620123"], "unit": world["county_unit"]}):
        with pytest.raises(ValidationError) as exc:
            records.case_record(**common, **subjects)
        assert messages_of(exc) == {"__all__": [zh(Msg.CASE_ONE_SUBJECT)]}
    with pytest.raises(ValidationError) as exc:
        records.case_record(**common, place=tree[VILLAGE])
    assert messages_of(exc) == {"place": [zh(Msg.CASE_PLACE_LEVEL)]}
    with pytest.raises(ValidationError) as exc:
        records.case_record(**{**common, "date": TODAY + datetime.timedelta(days=1)}, place=tree["620123"])
    assert messages_of(exc) == {"date": [zh(TierMsg.DATE_IN_FUTURE, field="认定日期", today="2024-06-14")]}
    refusals = {
        "place": (tree["620122"], "区划"),
        "unit": (world["far_unit"], "单位"),
        "membership": (world["far_member"], "驻村干部"),
        "person": (world["stranger"], "人员"),
    }
    for field, (subject, what) in refusals.items():
        with pytest.raises(ValidationError) as exc:
            records.case_record(**common, **{field: subject})
        assert messages_of(exc) == {field: [zh(Msg.TRIGGER_OUT_OF_SCOPE, what=what)]}
    assert Case.objects.count() == 5


def test_rating_record_updates_the_same_year_and_keeps_history(world: dict[str, Any]) -> None:
    county, person = world["county"], world["member"].person
    first = records.rating_record(user=county, person=person, year=2023, grade=RatingGrade.COMPETENT)
    again = records.rating_record(user=county, person=person, year=2023, grade=RatingGrade.INCOMPETENT)
    assert again.pk == first.pk and Rating.objects.get().grade == RatingGrade.INCOMPETENT
    assert [h.grade for h in first.history.order_by("history_date")] == [RatingGrade.COMPETENT, RatingGrade.INCOMPETENT]
    records.rating_record(user=county, person=world["county_cadre"], year=2024, grade=RatingGrade.EXCELLENT)
    assert Rating.objects.count() == 2

    with pytest.raises(ValidationError) as exc:
        records.rating_record(user=county, person=person, year=2025, grade=RatingGrade.COMPETENT)
    assert messages_of(exc) == {"year": [zh(Msg.FUTURE_YEAR, year=2024)]}
    with pytest.raises(ValidationError) as exc:
        records.rating_record(user=county, person=world["stranger"], year=2023, grade=RatingGrade.COMPETENT)
    assert messages_of(exc) == {"person": [zh(Msg.TRIGGER_OUT_OF_SCOPE, what="人员")]}
    with pytest.raises(ValidationError) as exc:
        records.rating_record(user=county, person=person, year=2023, grade="bogus")
    assert list(exc.value.error_dict) == ["grade"]


def test_unit_liaison_rates_the_units_own_cadres_only(world: dict[str, Any]) -> None:
    liaison = factories.user_with_role(Role.UNIT_LIAISON, unit=world["provincial"], username="liaison")
    rating = records.rating_record(user=liaison, person=world["helper"], year=2023, grade=RatingGrade.EXCELLENT)
    assert list(Rating.objects.visible_to(liaison)) == [rating]
    with pytest.raises(ValidationError):
        records.rating_record(user=liaison, person=world["county_cadre"], year=2023, grade=RatingGrade.EXCELLENT)


# --- pages -------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    with translation.override("zh-hans"):
        return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def post_incident(client: Client, **overrides: Any) -> Any:
    data = {"village": VILLAGE, "date": "2024-03-05", "description": "返贫未纳入", "person": "", "unit": ""}
    data.update(overrides)
    return client.post(reverse("escalations:incident-new"), data)


def test_incident_pages(world: dict[str, Any]) -> None:
    client = client_for(world["county"])
    page = client.get(reverse("escalations:incident-new"))
    assert page.status_code == 200
    assert f'<option value="{VILLAGE}">' in page.content.decode()

    response = post_incident(client, village=f" {VILLAGE} ", team="on", person="pm1", unit="sczt")
    assert response.status_code == 302
    assert response["Location"] == reverse("escalations:incident-list") + "?year=2024"
    incident = Incident.objects.get()
    assert (incident.team, incident.person, incident.unit) == (
        world["team"],
        world["member"].person,
        world["provincial"],
    )
    assert incident.recorded_by == world["county"]

    listing = client.get(reverse("escalations:incident-list"), {"year": 2024})
    assert list(listing.context["rows"]) == [incident]
    assert [str(m) for m in listing.context["messages"]] == ["已记录"]
    assert "返贫未纳入" in listing.content.decode()
    assert list(client.get(reverse("escalations:incident-list"), {"year": 2023}).context["rows"]) == []

    # Another county sees nothing of it, and cannot name 榆中's village.
    far = client_for(world["far"])
    assert list(far.get(reverse("escalations:incident-list"), {"year": 2024}).context["rows"]) == []
    assert errors(post_incident(far)) == {"village": [zh(Msg.UNKNOWN_PLACE_CODE) % {"value": VILLAGE}]}
    assert Incident.objects.count() == 1


def test_incident_form_errors_land_on_their_fields(world: dict[str, Any]) -> None:
    client = client_for(world["county"])
    assert errors(post_incident(client, date="2024-06-15")) == {
        "date": [zh(TierMsg.DATE_IN_FUTURE, field="发生日期", today="2024-06-14")]
    }
    assert errors(post_incident(client, date="2012-12-31")) == {
        "date": [zh(TierMsg.DATE_BEFORE_CAMPAIGN, field="发生日期", start="2013-01-01")]
    }
    assert errors(post_incident(client, village="620123101")) == {"village": [zh(Msg.INCIDENT_VILLAGE)]}
    assert errors(post_incident(client, village=OTHER_VILLAGE, team="on")) == {"team": [zh(Msg.NO_TEAM_IN_VILLAGE)]}
    assert errors(post_incident(client, person="PX1", unit="X620122")) == {
        "person": [zh(Msg.UNKNOWN_PERSON_CODE) % {"value": "PX1"}],
        "unit": [zh(Msg.UNKNOWN_UNIT_CODE) % {"value": "X620122"}],
    }
    response = post_incident(client, date="2024-06-15")
    assert zh(TierMsg.DATE_IN_FUTURE, field="发生日期", today="2024-06-14") in response.content.decode()
    assert not Incident.objects.exists()


def test_case_pages(world: dict[str, Any]) -> None:
    client = client_for(world["county"])
    assert client.get(reverse("escalations:case-new")).status_code == 200
    data = {
        "kind": CaseKind.FALSIFICATION,
        "date": "2024-03-05",
        "inspection": "省级核查",
        "description": "考勤代签",
        "place": "",
        "unit": "",
        "membership": "pm1",
        "person": "",
    }
    response = client.post(reverse("escalations:case-new"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.membership == world["member"] and case.recorded_by == world["county"]
    assert list(client.get(reverse("escalations:case-list"), {"year": 2024}).context["rows"]) == [case]

    assert errors(client.post(reverse("escalations:case-new"), {**data, "membership": ""})) == {
        "__all__": [zh(Msg.CASE_ONE_SUBJECT)]
    }
    assert errors(client.post(reverse("escalations:case-new"), {**data, "membership": "PFAR"})) == {
        "membership": [zh(Msg.UNKNOWN_MEMBER_CODE) % {"value": "PFAR"}]
    }
    assert errors(client.post(reverse("escalations:case-new"), {**data, "membership": "", "place": "620122"})) == {
        "place": [zh(Msg.UNKNOWN_PLACE_CODE) % {"value": "620122"}]
    }
    assert Case.objects.count() == 1
    assert list(client_for(world["far"]).get(reverse("escalations:case-list"), {"year": 2024}).context["rows"]) == []


def test_rating_pages(world: dict[str, Any]) -> None:
    client = client_for(world["county"])
    page = client.get(reverse("escalations:rating-new"))
    assert page.status_code == 200 and page.context["form"].initial["year"] == 2023
    data = {"person": "PM1", "year": "2023", "grade": RatingGrade.INCOMPETENT}
    assert client.post(reverse("escalations:rating-new"), data).status_code == 302
    assert client.post(reverse("escalations:rating-new"), {**data, "grade": RatingGrade.BASIC}).status_code == 302
    rating = Rating.objects.get()
    assert rating.grade == RatingGrade.BASIC and rating.recorded_by == world["county"]
    listing = client.get(reverse("escalations:rating-list"), {"year": 2023})
    assert list(listing.context["rows"]) == [rating]
    assert errors(client.post(reverse("escalations:rating-new"), {**data, "year": "2025"})) == {
        "year": [zh(Msg.FUTURE_YEAR, year=2024)]
    }
    assert errors(client.post(reverse("escalations:rating-new"), {**data, "person": "PFAR"})) == {
        "person": [zh(Msg.UNKNOWN_PERSON_CODE) % {"value": "PFAR"}]
    }
    assert list(client_for(world["far"]).get(reverse("escalations:rating-list"), {"year": 2023}).context["rows"]) == []


@pytest.mark.parametrize(
    "name",
    ["incident-list", "incident-new", "case-list", "case-new", "rating-list", "rating-new"],
)
def test_pages_need_login_and_permission(world: dict[str, Any], name: str) -> None:
    url = reverse(f"escalations:{name}")
    assert Client().get(url).status_code == 302  # to the login page
    team_leader = factories.user_with_role(Role.TEAM_LEADER, place=world["tree"][VILLAGE], username="tl")
    assert client_for(team_leader).get(url).status_code == 403


def test_township_staff_may_view_but_not_record(world: dict[str, Any]) -> None:
    township = factories.user_with_role(Role.TOWNSHIP_STAFF, place=world["tree"]["620123101"], username="tw")
    client = client_for(township)
    assert client.get(reverse("escalations:incident-list")).status_code == 200
    assert client.get(reverse("escalations:incident-new")).status_code == 403
    assert client.post(reverse("escalations:rating-new"), {}).status_code == 403
    liaison = factories.user_with_role(Role.UNIT_LIAISON, unit=world["provincial"], username="liaison")
    assert client_for(liaison).get(reverse("escalations:rating-new")).status_code == 200
    assert client_for(liaison).get(reverse("escalations:case-new")).status_code == 403


# --- admin -------------------------------------------------------------------------------------------


def test_admin_changelists_are_scoped(world: dict[str, Any]) -> None:
    superuser = get_user_model().objects.create_superuser("root", password="pw-Test-2019")
    mine = records.incident_record(user=world["county"], village=world["tree"][VILLAGE], date=DAY, description="甲")
    theirs = records.incident_record(user=superuser, village=world["tree"][FAR_VILLAGE], date=DAY, description="乙")
    records.rating_record(user=superuser, person=world["far_member"].person, year=2023, grade=RatingGrade.COMPETENT)
    client = client_for(world["county"])
    page = client.get(reverse("admin:accountability_incident_changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:accountability_incident_change", args=[theirs.pk])).status_code == 302
    ratings = client.get(reverse("admin:accountability_rating_changelist"))
    assert ratings.status_code == 200 and list(ratings.context["cl"].result_list) == []
    assert client.get(reverse("admin:accountability_case_changelist")).status_code == 200
    everything = client_for(superuser).get(reverse("admin:accountability_incident_changelist"))
    assert set(everything.context["cl"].result_list) == {mine, theirs}


# --- demo --------------------------------------------------------------------------------------------


def test_demo_load_records_last_years_triggers_once(world: dict[str, Any]) -> None:
    tree = world["tree"]
    get_user_model().objects.create_superuser("admin", password="pw-Test-2019")
    extra = MembershipFactory(
        team=world["team"],
        person=factories.PersonFactory(code="PM2", unit=world["county_unit"]),
        role=MemberRole.LEADER,
    )
    assert demo.demo_load() == {"incidents": 2, "cases": 2, "ratings": 2}
    assert demo.demo_load() == {"incidents": 0, "cases": 0, "ratings": 0}

    team_incident, helper_incident = Incident.objects.order_by("date")
    assert all(i.date.year == 2023 for i in (team_incident, helper_incident))
    assert (team_incident.team, team_incident.person) == (world["team"], world["member"].person)
    assert (helper_incident.person, helper_incident.unit) == (world["helper"], world["provincial"])
    assert helper_incident.village == tree[OTHER_VILLAGE]
    assert {c.place for c in Case.objects.all()} == {tree["620123"], tree["620123101"]}
    assert set(Case.objects.values_list("kind", flat=True)) == {CaseKind.FALSIFICATION}
    grades = dict(Rating.objects.filter(year=2023).values_list("person__code", "grade"))
    assert set(grades) == {world["member"].person.code, extra.person.code}
    assert RatingGrade.INCOMPETENT in grades.values()

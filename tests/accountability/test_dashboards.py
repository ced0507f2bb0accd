"""Dashboards (issue 8): summaries worked by hand, each page and endpoint (content and scope), the
drill-down from the province to a helper's records, and the .xlsx downloads.

The world: the four counties of ``place_tree``; R07.3 (monthly team-leaders' meeting) evaluated as of
20 May 2019 with meetings in 620123 in January, February and April only; and a helper of 620123's
village 620123101201 paired with two households, visiting one of them once in 2019 (R10.2, 2 a year).
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from accountability.compliance import engine
from accountability.dashboards.summaries import action_summaries_refresh, summaries_refresh
from accountability.models import Action, ActionSummary, Summary, Violation
from households.models import Visit
from tests.factories import PersonFactory, UnitFactory
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers.choices import Role
from tiers.models import DutyRecord, DutyRecordKind, Place

pytestmark = pytest.mark.django_db

D = datetime.date
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run(year: int, as_of: datetime.date, *rules: str) -> None:
    result = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=year, as_of=as_of, rules=rules)
    )
    assert result.status == "succeeded", result.error


@pytest.fixture
def world(place_tree: Any, user_with_role: Any) -> dict[str, Any]:
    county = place_tree["620123"]
    kind = DutyRecordKind.objects.get(rules__code="R07.3")
    for month in (1, 2, 4):
        record = DutyRecord.objects.create(date=D(2019, month, 10), place=county, title="总队长会议")
        record.kinds.add(kind)
    run(2019, D(2019, 5, 20), "R07.3")

    village = place_tree["620123101201"]
    unit = UnitFactory(code="U-DASH", name='=HYPERLINK("http://x")单位', place=county)
    helper = PersonFactory(code="P-DASH", name="王帮扶", unit=unit)
    visited = HouseholdFactory(code="H-DASH-1", village=village)
    missed = HouseholdFactory(code="H-DASH-2", village=village)
    PairingFactory(helper=helper, household=visited, start=D(2019, 1, 1))
    PairingFactory(helper=helper, household=missed, start=D(2019, 1, 1))
    Visit.objects.create(helper=helper, household=visited, date=D(2019, 3, 5), industry="入户了解生产情况")
    run(2019, D(2020, 1, 20), "R10.2")
    staff = user_with_role(Role.COUNTY_STAFF, place=county)
    return {"county": county, "village": village, "helper": helper, "unit": unit, "tree": place_tree, "staff": staff}


def standing(code: str, rule: str, index: int | None = None) -> tuple[int, int, int, int]:
    rows = Summary.objects.filter(year=2019, place__code=code, rule__code=rule)
    if index is not None:
        rows = rows.filter(period_index=index)
    totals = [0, 0, 0, 0]
    for row in rows:
        for i, value in enumerate((row.checked, row.violations, row.checked_open, row.at_risk)):
            totals[i] += value
    return tuple(totals)  # type: ignore[return-value]


# --- summaries, by hand -----------------------------------------------------------------------------


def test_summaries_count_checks_violations_and_warnings_rolled_up_the_tree(world: dict[str, Any]) -> None:
    # R07.3 as of 20 May: January–April ended (4 checks per county), May open (a warning where no meeting yet).
    assert standing("620123", "R07.3") == (4, 1, 1, 1)  # March missed
    assert standing("620122", "R07.3") == (4, 4, 1, 1)
    assert standing("620100", "R07.3") == (8, 5, 2, 2)  # 兰州市 = its two counties
    assert standing("620000", "R07.3") == (16, 13, 4, 4)  # the province = four counties
    assert standing("620123", "R07.3", index=3) == (1, 1, 0, 0)
    # R10.2, 2019 ended: two pairings checked in the village, one visited once (1 < 2), one never.
    assert standing("620123101201", "R10.2") == (2, 2, 0, 0)
    assert standing("620123101", "R10.2") == (2, 2, 0, 0)
    assert standing("620122", "R10.2") == (0, 0, 0, 0)


def test_refreshing_twice_gives_the_same_rows(world: dict[str, Any]) -> None:
    fields = ("place__code", "rule__code", "period_index", "checked", "violations", "checked_open", "at_risk")
    before = sorted(Summary.objects.filter(year=2019).values_list(*fields))
    assert summaries_refresh(2019) == len(before)
    run(2019, D(2019, 5, 20), "R07.3")
    assert sorted(Summary.objects.filter(year=2019).values_list(*fields)) == before


def test_action_summaries_follow_the_actions(world: dict[str, Any]) -> None:
    from accountability.escalation.engine import escalations_compute

    escalations_compute(year=2019, as_of=D(2020, 1, 20))
    standing_actions = Action.objects.filter(year=2019).exclude(status="withdrawn")
    province = world["tree"].province
    total = sum(ActionSummary.objects.filter(year=2019, place=province).values_list("count", flat=True))
    assert total == standing_actions.filter(place__isnull=False).count() > 0
    assert action_summaries_refresh(2019) == ActionSummary.objects.filter(year=2019).count()


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def provincial(world: dict[str, Any], user_with_role: Any) -> Any:
    return user_with_role(Role.PROVINCIAL_GROUP, place=world["tree"].province)


@pytest.fixture
def county_staff(world: dict[str, Any]) -> Any:
    return world["staff"]


def test_the_province_overview_shows_rates_worst_first_and_the_actions(client: Any, provincial: Any) -> None:
    client.force_login(provincial)
    page = client.get("/dashboard/places/620000/?year=2019&rule=R07.3").content.decode()
    assert "18.8%" in page  # (16 − 13) / 16
    assert "{#" not in page and "{%" not in page
    children = page[page.index('id="children"') :]
    assert children.index("天水市") < children.index("兰州市")  # 0 % before 37.5 %
    assert "37.5%" in children
    counties = page[page.index('id="counties"') :]
    assert counties.index("县620123") > counties.index("县620122")  # 75 % last
    assert "75.0%" in counties


def test_the_chart_endpoint_gives_totals_grid_and_trend(client: Any, provincial: Any) -> None:
    client.force_login(provincial)
    data = client.get("/api/v1/dashboard/places/620000/?year=2019&rule=R07.3").json()
    assert data["totals"]["checked"] == 16 and data["totals"]["violations"] == 13 and data["totals"]["at_risk"] == 4
    assert [row["month"] for row in data["trend"]] == [1, 2, 3, 4, 5]
    assert data["trend"][2]["violations"] == 4  # March: nobody met
    assert data["grid"]["rows"] == ["天水市", "兰州市"]
    lanzhou_t07 = [c for c in data["grid"]["cells"] if c[1] == 1 and data["grid"]["columns"][c[0]] == "T07"]
    assert lanzhou_t07 == [[data["grid"]["columns"].index("T07"), 1, 37.5]]


def test_every_table_downloads_filtered_as_shown_with_formulas_escaped(client: Any, provincial: Any) -> None:
    client.force_login(provincial)
    response = client.get("/dashboard/places/620000/?year=2019&rule=R07.3&format=xlsx&table=counties")
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert {r[0] for r in rows[1:4]} == {"620122", "620521", "620522"}  # 0 % first, 75 % last
    assert rows[-1] == ("620123", "县620123", 4, 1, 1, 75, 1, 1)  # severe 1: March had no meeting
    units = client.get("/dashboard/places/620123/?year=2019&format=xlsx&table=units")
    cells = list(load_workbook(io.BytesIO(b"".join(units.streaming_content))).active.values)
    assert cells[1][1] == '\'=HYPERLINK("http://x")单位'
    for table in ("children", "tiers", "rules", "trend"):
        assert client.get(f"/dashboard/places/620000/?year=2019&format=xlsx&table={table}").status_code == 200
    assert client.get("/dashboard/places/620000/?format=xlsx&table=nope").status_code == 404


def test_drill_down_from_the_village_to_a_helpers_records(client: Any, county_staff: Any, world: dict) -> None:
    client.force_login(county_staff)
    village = client.get("/dashboard/places/620123101201/?year=2019").content.decode()
    assert "/dashboard/people/P-DASH/?year=2019" in village and "H-DASH-1" in village
    person = client.get("/dashboard/people/P-DASH/?year=2019").content.decode()
    visited = Violation.objects.get(rule__code="R10.2", household__code="H-DASH-1")
    assert f"/dashboard/violations/{visited.pk}/" in person
    detail = client.get(f"/dashboard/violations/{visited.pk}/").content.decode()
    assert "1 / 2" in detail and "2019-03-05" in detail


def test_the_tier_view_lists_the_tiers_subjects_and_rules(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    page = client.get("/dashboard/places/620123/tiers/T10/?year=2019").content.decode()
    assert "R10.2" in page and "王帮扶" in page and "H-DASH-2" not in page.split('id="rules"')[0]
    assert client.get("/dashboard/places/620123/tiers/T99/").status_code == 404
    export = client.get("/dashboard/places/620123/tiers/T10/?year=2019&format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert {r[0] for r in rows[1:]} == {"R10.2"} and len(rows) == 3


def test_the_unit_page_lists_its_cadres(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    page = client.get("/dashboard/units/U-DASH/?year=2019").content.decode()
    assert "王帮扶" in page and "R10.2" in page


def test_the_dashboard_link_opens_the_top_of_the_users_scope(client: Any, provincial: Any, county_staff: Any) -> None:
    client.force_login(provincial)
    assert client.get("/dashboard/")["Location"] == "/dashboard/places/620000/"
    client.force_login(county_staff)
    assert client.get("/dashboard/")["Location"] == "/dashboard/places/620123/"


# --- scope: every URL -------------------------------------------------------------------------------


def _urls(world: dict[str, Any], *, county: str, village: str, person: str, unit: str, violation: int) -> list[str]:
    return [
        f"/dashboard/places/{county}/",
        f"/dashboard/places/{county}/?format=xlsx&table=children",
        f"/api/v1/dashboard/places/{county}/",
        f"/dashboard/places/{county}/subjects/",
        f"/dashboard/places/{county}/subjects/?format=xlsx",
        f"/dashboard/places/{county}/tiers/T07/",
        f"/dashboard/places/{county}/tiers/T07/?format=xlsx",
        f"/dashboard/places/{village}/",
        f"/dashboard/places/{village}/?format=xlsx&table=helpers",
        f"/dashboard/places/{village}/?format=xlsx&table=households",
        f"/dashboard/people/{person}/",
        f"/dashboard/people/{person}/?format=xlsx",
        f"/dashboard/units/{unit}/",
        f"/dashboard/units/{unit}/?format=xlsx",
        f"/dashboard/violations/{violation}/",
        f"/dashboard/violations/{violation}/?format=xlsx",
    ]


def test_a_county_user_gets_404_for_every_page_of_another_county(
    client: Any, world: dict[str, Any], user_with_role: Any
) -> None:
    other = user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620122"])
    mine = _urls(
        world,
        county="620123",
        village="620123101201",
        person="P-DASH",
        unit="U-DASH",
        violation=Violation.objects.get(rule__code="R10.2", household__code="H-DASH-2").pk,
    )
    for user, status in ((other, 404), (world["staff"], 200)):
        client.force_login(user)
        for url in mine:
            assert client.get(url).status_code == status, (user, url)
    client.force_login(other)
    assert client.get("/dashboard/places/620122/?year=2019").status_code == 200
    assert client.get("/dashboard/places/620000/").status_code == 404  # the province is above the county


def test_anonymous_users_are_sent_to_log_in(client: Any, world: dict[str, Any]) -> None:
    for url in ("/dashboard/", "/dashboard/places/620000/", "/api/v1/dashboard/places/620000/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_a_user_without_scope_sees_no_place(client: Any, world: dict[str, Any], django_user_model: Any) -> None:
    client.force_login(django_user_model.objects.create_user("nobody", password="pw-Test-2019"))
    assert client.get("/dashboard/")["Location"] == "/"
    assert client.get("/dashboard/places/620000/").status_code == 404
    assert Place.objects.filter(code="620000").exists()


# --- coverage: the subjects each rule checked --------------------------------------------------------


def test_coverage_counts_the_subjects_checked_not_those_too_briefly_assigned(place_tree: Any) -> None:
    from tests.villagecorps.factories import MembershipFactory, TeamFactory
    from villagecorps.choices import DayKind
    from villagecorps.models import DutyDay

    village = place_tree["620522101202"]
    team = TeamFactory(village=village)
    full = MembershipFactory(team=team)
    MembershipFactory(team=team, start=D(2019, 7, 1))  # 184 days: checked, pro-rated
    MembershipFactory(team=team, start=D(2019, 12, 15))  # 17 days: under 30, not checked
    DutyDay.objects.bulk_create(
        DutyDay(membership=full, person=full.person, date=D(2019, 1, 1) + datetime.timedelta(days=i), kind=k)
        for i, k in enumerate([DayKind.IN_VILLAGE_NIGHT] * 230)
    )
    helper = PersonFactory()
    PairingFactory(helper=helper, household=HouseholdFactory(village=village), start=D(2019, 1, 1))
    PairingFactory(helper=helper, household=HouseholdFactory(village=village), start=D(2019, 4, 1))

    run(2019, D(2020, 1, 20), "R09.1", "R10.1", "R10.2")

    assert standing("620522101202", "R09.1") == (2, 1, 0, 0)  # the July joiner has no days
    assert standing("620522101202", "R10.1") == (1, 1, 0, 0)  # only the pairing in force on 31 March
    assert standing("620522101202", "R10.2") == (2, 2, 0, 0)
    assert standing("620522", "R09.1") == (2, 1, 0, 0)


def test_the_dashboard_link_is_for_roles_with_a_place_or_unit(
    client: Any, world: dict, user_with_role: Any, django_user_model: Any
) -> None:
    from tiers import services

    leader = user_with_role(Role.TEAM_LEADER, place=world["village"])
    helper = django_user_model.objects.create_user("bangfu", password="pw-Test-2019")
    PersonFactory(code="P-BANGFU", user=helper)
    services.role_grant(user=helper, role=Role.HELPER)
    client.force_login(leader)
    assert "/dashboard/" in client.get("/").content.decode()
    assert client.get("/dashboard/")["Location"] == "/dashboard/places/620123101201/"
    client.force_login(helper)
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
    assert client.get("/dashboard/places/620123101201/").status_code == 404


def test_a_new_run_is_shown_at_once_though_overviews_are_cached(client: Any, provincial: Any, world: dict) -> None:
    client.force_login(provincial)
    url = "/api/v1/dashboard/places/620123/?year=2019&rule=R07.3"
    assert client.get(url).json()["totals"]["at_risk"] == 1  # May: no meeting yet
    record = DutyRecord.objects.create(date=D(2019, 5, 15), place=world["county"], title="总队长会议")
    record.kinds.add(DutyRecordKind.objects.get(rules__code="R07.3"))
    assert client.get(url).json()["totals"]["at_risk"] == 1  # nothing re-evaluated yet
    run(2019, D(2019, 5, 20), "R07.3")
    assert client.get(url).json()["totals"]["at_risk"] == 0


def test_the_village_tables_download(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    helpers = client.get("/dashboard/places/620123101201/?year=2019&format=xlsx&table=helpers")
    rows = list(load_workbook(io.BytesIO(b"".join(helpers.streaming_content))).active.values)
    assert rows[1:] == [("P-DASH", "王帮扶", '\'=HYPERLINK("http://x")单位', 2, 0)]
    households = client.get("/dashboard/places/620123101201/?year=2019&format=xlsx&table=households")
    rows = list(load_workbook(io.BytesIO(b"".join(households.streaming_content))).active.values)
    assert {r[0]: r[2] for r in rows[1:]} == {"H-DASH-1": 1, "H-DASH-2": 1}


def test_my_duties_download_holds_only_my_own(client: Any, world: dict, django_user_model: Any, today_is: Any) -> None:
    from tiers import services

    today_is(D(2019, 6, 30))
    user = django_user_model.objects.create_user("wang", password="pw-Test-2019")
    world["helper"].user = user
    world["helper"].save()
    services.role_grant(user=user, role=Role.HELPER)
    client.force_login(user)
    assert "/dashboard/my-duties.xlsx" in client.get("/").content.decode()
    response = client.get("/dashboard/my-duties.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    visits = sorted((r[2], r[5], r[6]) for r in rows[1:] if r[0] == "R10.2")
    assert sorted(v[1:] for v in visits) == [(0, 2), (1, 2)]  # two paired households, one visited once
    assert all("H-DASH" in v[0] for v in visits)

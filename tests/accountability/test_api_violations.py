"""The violations API: GET /api/v1/violations/ (filters, scope, pagination, query count), the detail
with its evidence, and the .xlsx download. Violations come from running the real engine."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accountability.api import EXPORT_HEADERS
from accountability.choices import RunStatus
from accountability.compliance import engine
from accountability.exports import escape_formula
from accountability.messages import Msg
from accountability.models import ComplianceRun, Violation
from households.models import Household, Pairing
from tests import factories
from tests.households.factories import HouseholdFactory, PairingFactory, VisitFactory
from tests.villagecorps.factories import DutyDayFactory, MembershipFactory, TeamFactory
from tiers.choices import Role
from tiers.models import AssistanceAssignment, DutyRecord, DutyRecordKind, Person, Place, Unit
from villagecorps.choices import DayKind
from villagecorps.models import Membership

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR_END = D(2019, 12, 31)
URL = "/api/v1/violations/"
EXPORT_URL = "/api/v1/violations/export.xlsx"
HEADERS = [
    "规则",
    "条款",
    "检查对象类型",
    "检查对象编码",
    "检查对象",
    "所属地区",
    "周期",
    "开始日期",
    "结束日期",
    "应达到",
    "实际完成",
    "差额",
    "严重程度",
    "状态",
    "已关账",
    "关账后补录",
    "评估基准日",
]


def check(*rules: str, as_of: datetime.date = YEAR_END) -> ComplianceRun:
    """Run the engine for 2019 as of ``as_of``."""
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=as_of, rules=rules)
    )
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def county_meeting(county: Place, day: datetime.date) -> DutyRecord:
    """A county 总队长 meeting (counts for R07.3)."""
    record = DutyRecord.objects.create(date=day, place=county, title="总队长会议")
    record.kinds.add(DutyRecordKind.objects.get(rules__code="R07.3"))
    return record


@dataclass
class World:
    tree: Any
    unit_a: Unit
    unit_b: Unit
    helper_a: Person
    helper_b: Person
    pairing_a: Pairing
    pairing_b: Pairing
    membership: Membership
    run: ComplianceRun


@pytest.fixture
def world(place_tree: Any) -> World:
    """Two helpers (units A and B) each paired with a household in a different county (兰州 620122,
    天水 620521), one visit of the two required; a cadre of unit A stationed in the 620122 village with
    10 duty days of 220; one county meeting in June in 620122 (R07.3 monthly). Then the engine runs
    R10.2, R09.1 and R07.3 for 2019 as of 31 December (January to November close)."""
    v1, v2 = place_tree["620122101201"], place_tree["620521101201"]
    unit_a = factories.UnitFactory(code="UA01", name="省测试厅")
    unit_b = factories.UnitFactory(code="UB01", name="省另一厅")
    helper_a = factories.PersonFactory(code="PA001", name="@x", unit=unit_a)
    helper_b = factories.PersonFactory(code="PB001", name="李四", unit=unit_b)
    pairing_a = PairingFactory(helper=helper_a, household=HouseholdFactory(code="H0001", head_name="张三", village=v1))
    pairing_b = PairingFactory(helper=helper_b, household=HouseholdFactory(code="H0002", head_name="王五", village=v2))
    VisitFactory(pairing=pairing_a, date=D(2019, 5, 6))
    VisitFactory(pairing=pairing_b, date=D(2019, 8, 1))
    cadre = factories.PersonFactory(code="PC001", name="=1+1", unit=unit_a)
    membership = MembershipFactory(team=TeamFactory(village=v1), person=cadre)
    for day in range(1, 11):
        DutyDayFactory(membership=membership, date=D(2019, 3, day), kind=DayKind.IN_VILLAGE)
    DutyDayFactory(membership=membership, date=D(2019, 3, 20), kind=DayKind.LEAVE)
    county_meeting(place_tree["620122"], D(2019, 6, 10))
    run = check("R10.2", "R09.1", "R07.3")
    return World(place_tree, unit_a, unit_b, helper_a, helper_b, pairing_a, pairing_b, membership, run)


@pytest.fixture
def county_client(client: Any, world: World, user_with_role: Any) -> Any:
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world.tree["620122"]))
    return client


@pytest.fixture
def admin_client_(client: Any, world: World, user_with_role: Any) -> Any:
    client.force_login(user_with_role(Role.PROVINCIAL_GROUP, place=world.tree.province))
    return client


def results(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get(URL, {"page_size": 1000, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(row["rule"], row["subject"]["code"], row["period"]["label"]) for row in rows}


# --- the URLs, login ------------------------------------------------------------------------------


def test_urls_are_the_documented_ones():
    assert reverse("api-violations") == URL
    assert reverse("api-violations-export") == EXPORT_URL
    assert reverse("api-violation-detail", args=[7]) == f"{URL}7/"


@pytest.mark.parametrize("url", [URL, EXPORT_URL, f"{URL}1/", f"{URL}?format=xlsx"])
def test_needs_a_login(client, world, url):
    assert client.get(url).status_code == 403


def test_is_read_only(county_client):
    assert county_client.post(URL, {}).status_code == 405
    assert county_client.delete(URL).status_code == 405


# --- fields ---------------------------------------------------------------------------------------


def test_a_helper_household_row_has_every_field(county_client, world):
    (row,) = results(county_client, rule="R10.2")
    violation = Violation.objects.get(rule__code="R10.2", household=world.pairing_a.household)
    assert row == {
        "id": violation.pk,
        "rule": "R10.2",
        "clause": "十(四)",
        "clause_text": violation.rule.duty.text,
        "counted": "走访帮扶户",
        "subject": {
            "type": "helper_household",
            "type_label": "帮扶责任人×帮扶户",
            "code": "PA001×H0001",
            "name": "@x × 张三户",
            "org_path": "甘肃省 / 兰州市 / 县620122 / 乡620122101 / 村620122101201",
        },
        "period": {"kind": "year", "label": "2019", "start": "2019-01-01", "end": "2019-12-31"},
        "required": 2,
        "actual": 1,
        "shortfall": 1,
        "severity": 2,
        "status": "violation",
        "status_label": "未达标",
        "final": False,
        "late": False,
        "late_actual": None,
        "checked_on": "2019-12-31",
        "run": world.run.pk,
        "evidence": f"http://testserver{URL}{violation.pk}/",
    }
    assert row["clause_text"]


def test_team_member_and_county_rows(county_client, world):
    rows = results(county_client)
    (cadre,) = [row for row in rows if row["rule"] == "R09.1"]
    assert cadre["subject"] | {"org_path": ""} == {
        "type": "team_member",
        "type_label": "驻村工作队队员",
        "code": "PC001",
        "name": "=1+1",
        "org_path": "",
    }
    assert cadre["subject"]["org_path"].endswith("/ 村620122101201")
    assert (cadre["required"], cadre["actual"], cadre["shortfall"], cadre["severity"]) == (220, 10, 210, 3)
    county = [row for row in rows if row["rule"] == "R07.3"]
    assert {row["period"]["label"] for row in county} == {f"2019-{m:02d}" for m in range(1, 13)} - {"2019-06"}
    march = next(row for row in county if row["period"]["label"] == "2019-03")
    assert march["subject"] == {
        "type": "county",
        "type_label": "县（市、区）",
        "code": "620122",
        "name": "县620122",
        "org_path": "甘肃省 / 兰州市 / 县620122",
    }
    assert (march["period"]["kind"], march["period"]["start"], march["period"]["end"]) == (
        "month",
        "2019-03-01",
        "2019-03-31",
    )
    assert march["final"] is True  # March closed on 31 December; December has only ended
    assert next(row for row in county if row["period"]["label"] == "2019-12")["final"] is False


def test_subject_codes_of_two_part_subjects(world):
    from accountability.api import subject_code_and_name

    county, person, unit = world.tree["620122"], world.helper_a, world.unit_a
    cases = {
        "contact_leader_county": ({"person": person, "place": county}, ("PA001×620122", "@x × 县620122")),
        "assisting_unit_in_county": ({"unit": unit, "place": county}, ("UA01×620122", "省测试厅 × 县620122")),
        "assisting_unit": ({"unit": unit}, ("UA01", "省测试厅")),
        "unit_leader": ({"person": person, "unit": unit}, ("PA001×UA01", "@x × 省测试厅")),
        "county_cadre": ({"person": person, "place": county}, ("620122×PA001", "县620122 × @x")),
    }
    for kind, (links, expected) in cases.items():
        assert subject_code_and_name(Violation(subject_kind=kind, **links)) == expected, kind


# --- filters --------------------------------------------------------------------------------------


def test_filter_by_rule_repeated_or_comma_separated(admin_client_):
    assert {row["rule"] for row in results(admin_client_, rule="R10.2")} == {"R10.2"}
    assert {row["rule"] for row in results(admin_client_, rule="R10.2,R09.1")} == {"R10.2", "R09.1"}
    assert {row["rule"] for row in results(admin_client_, rule=["R10.2", "R07.3"])} == {"R10.2", "R07.3"}


def test_filter_by_year(admin_client_):
    assert len(results(admin_client_, year=2019)) == len(results(admin_client_)) > 0
    assert results(admin_client_, year=2018) == []


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("month", {"R07.3"}),
        ("year", {"R10.2", "R09.1"}),
        ("quarter", set()),
        ("2019", {"R10.2", "R09.1"}),
        ("2019-03", {"R07.3"}),
        ("2019-Q2", set()),
        ("2019-H1", set()),
        ("2018", set()),
    ],
)
def test_filter_by_period_kind_or_label(admin_client_, period, expected):
    rows = results(admin_client_, period=period)
    assert {row["rule"] for row in rows} == expected
    if period == "2019-03":
        assert {row["period"]["label"] for row in rows} == {"2019-03"}
        assert len(rows) == 4  # every county has no meeting in March


def test_a_point_rule_is_found_by_its_year(admin_client_, world):
    AssistanceAssignment.objects.create(unit=world.unit_b, village=world.tree["620521101201"], start=D(2019, 1, 1))
    check("R05.3")  # B's one cadre has 1 household, 2 required: a point-in-time violation
    rows = results(admin_client_, period="2019", rule="R05.3")
    assert {row["subject"]["code"] for row in rows} == {"PB001"}
    assert {(row["period"]["kind"], row["period"]["label"]) for row in rows} == {("point", "2019")}
    assert {row["rule"] for row in results(admin_client_, period="point")} == {"R05.3"}


def test_filter_by_status(admin_client_, world):
    VisitFactory(pairing=world.pairing_b, date=D(2019, 9, 1))
    check("R10.2")  # B now has 2 visits: resolved
    assert keys(results(admin_client_, rule="R10.2", status="resolved")) == {("R10.2", "PB001×H0002", "2019")}
    assert keys(results(admin_client_, rule="R10.2", status="violation")) == {("R10.2", "PA001×H0001", "2019")}
    assert len(results(admin_client_, rule="R10.2", status="violation,resolved")) == 2
    assert len(results(admin_client_, rule="R10.2", status=["at_risk", "resolved"])) == 1


def test_filter_by_org_place_is_the_whole_subtree(admin_client_):
    lanzhou = results(admin_client_, org="620100")
    assert {row["subject"]["org_path"].split(" / ")[1] for row in lanzhou} == {"兰州市"}
    assert {row["rule"] for row in lanzhou} == {"R10.2", "R09.1", "R07.3"}
    village = results(admin_client_, org="620122101201")
    assert {row["rule"] for row in village} == {"R10.2", "R09.1"}
    tianshui = results(admin_client_, org="620521")
    assert keys([row for row in tianshui if row["rule"] == "R10.2"]) == {("R10.2", "PB001×H0002", "2019")}


def test_filter_by_org_unit_is_the_units_rows(admin_client_):
    assert {(row["rule"], row["subject"]["code"]) for row in results(admin_client_, org="UA01")} == {
        ("R10.2", "PA001×H0001"),
        ("R09.1", "PC001"),
    }
    assert {row["subject"]["code"] for row in results(admin_client_, org="UB01")} == {"PB001×H0002"}


def test_filters_combine(admin_client_):
    rows = results(admin_client_, year=2019, period="month", rule="R07.3", org="620521", status="violation")
    assert {row["subject"]["code"] for row in rows} == {"620521"}
    assert len(rows) == 12  # no meeting at all in 620521: every month, December (ended, not closed) too


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("year", "twenty", Msg.BAD_YEAR),
        ("year", "99999", Msg.BAD_YEAR),
        ("period", "2019-Q5", Msg.BAD_PERIOD),
        ("period", "2019-13", Msg.BAD_PERIOD),
        ("period", "weekly", Msg.BAD_PERIOD),
        ("status", "open", Msg.BAD_STATUS),
        ("status", "violation,closed", Msg.BAD_STATUS),
        ("org", "999999", Msg.BAD_ORG),
        ("rule", "R99.9", Msg.BAD_RULE),
        ("rule", "R10.2,R10.9", Msg.BAD_RULE),
    ],
)
def test_bad_filter_values_are_a_400_with_the_message(admin_client_, param, value, message):
    response = admin_client_.get(URL, {param: value})
    assert response.status_code == 400
    shown = value.split(",")[-1] if param in ("status", "rule") else value
    assert response.json() == {param: [str(message % {"value": shown})]}
    export = admin_client_.get(EXPORT_URL, {param: value})
    assert export.status_code == 400
    assert export["Content-Type"] == "application/json"
    assert export.json() == {param: [str(message % {"value": shown})]}


# --- scope ----------------------------------------------------------------------------------------


def test_county_staff_see_their_county_only(county_client, world):
    rows = results(county_client)
    assert {row["subject"]["org_path"].split(" / ")[2] for row in rows} == {"县620122"}
    assert {row["rule"] for row in rows} == {"R10.2", "R09.1", "R07.3"}
    assert "PB001×H0002" not in {row["subject"]["code"] for row in rows}


def test_org_out_of_scope_is_a_400_that_says_nothing_more(county_client, world):
    for code in ("620521", "620123", "UB01", "UA01", "no-such"):
        response = county_client.get(URL, {"org": code})
        assert response.status_code == 400
        assert response.json() == {"org": [str(Msg.BAD_ORG % {"value": code})]}
    assert county_client.get(URL, {"org": "620122101"}).status_code == 200


def test_detail_out_of_scope_is_a_404(county_client, world):
    other = Violation.objects.get(rule__code="R10.2", household=world.pairing_b.household)
    mine = Violation.objects.get(rule__code="R10.2", household=world.pairing_a.household)
    assert county_client.get(f"{URL}{other.pk}/").status_code == 404
    assert county_client.get(f"{URL}{mine.pk}/").status_code == 200
    assert county_client.get(f"{URL}999999/").status_code == 404


def test_unit_liaison_sees_their_units_rows(client, world, user_with_role):
    client.force_login(user_with_role(Role.UNIT_LIAISON, unit=world.unit_a))
    assert {(row["rule"], row["subject"]["code"]) for row in results(client)} == {
        ("R10.2", "PA001×H0001"),
        ("R09.1", "PC001"),
    }
    assert client.get(URL, {"org": "UA01"}).status_code == 200
    assert client.get(URL, {"org": "UB01"}).status_code == 400


def test_helper_sees_their_own_rows(client, world):
    user = factories.UserFactory()
    Person.objects.filter(pk=world.helper_b.pk).update(user=user)
    from tiers import services

    services.role_grant(user=user, role=Role.HELPER)
    client.force_login(user)
    assert keys(results(client)) == {("R10.2", "PB001×H0002", "2019")}
    other = Violation.objects.get(rule__code="R10.2", household=world.pairing_a.household)
    assert client.get(f"{URL}{other.pk}/").status_code == 404


def test_a_user_without_a_role_sees_nothing(client, world):
    client.force_login(factories.UserFactory())
    assert results(client) == []


# --- pagination and query count -------------------------------------------------------------------


def test_pages_of_100_and_page_size_up_to_1000(admin_client_, world):
    for _ in range(3):  # more households without visits: 50 × 3 more rows
        households = HouseholdFactory.create_batch(50, village=world.tree["620123101201"])
        helper = factories.PersonFactory(unit=world.unit_b)
        Pairing.objects.bulk_create(Pairing(helper=helper, household=h, start=D(2019, 1, 1)) for h in households)
    check("R10.2")
    total = Violation.objects.count()
    assert total > 150
    data = admin_client_.get(URL).json()
    assert (data["count"], len(data["results"])) == (total, 100)
    assert data["next"].endswith("page=2")
    assert len(admin_client_.get(URL, {"page_size": 20}).json()["results"]) == 20
    assert len(admin_client_.get(URL, {"page_size": 5000}).json()["results"]) == total  # capped at 1000
    second = admin_client_.get(URL, {"page": 2}).json()["results"]
    first = admin_client_.get(URL).json()["results"]
    assert not {row["id"] for row in first} & {row["id"] for row in second}


def test_query_count_does_not_grow_with_rows(county_client, world, django_assert_max_num_queries):
    # session, user, the rule codes checked, count, page, the names of the places above the page's places
    with django_assert_max_num_queries(7) as small:
        few = county_client.get(URL, {"rule": "R10.2"}).json()["results"]
    for _ in range(40):
        PairingFactory(household=HouseholdFactory(village=world.tree["620122101202"]))
    check("R10.2")
    with django_assert_max_num_queries(len(small.captured_queries)):
        many = county_client.get(URL, {"rule": "R10.2"}).json()["results"]
    assert (len(few), len(many)) == (1, 41)
    assert len({row["subject"]["org_path"] for row in many}) == 2


def test_detail_query_count(county_client, world, django_assert_max_num_queries):
    violation = Violation.objects.get(rule__code="R09.1")
    # session, user, the row, its places' names, the records in scope, the records counted, the closure
    with django_assert_max_num_queries(8):
        data = county_client.get(f"{URL}{violation.pk}/").json()
    assert len(data["records"]) == 10


# --- detail ---------------------------------------------------------------------------------------


def test_detail_has_the_rows_fields_and_the_records(county_client, world):
    violation = Violation.objects.get(rule__code="R10.2", household=world.pairing_a.household)
    (row,) = results(county_client, rule="R10.2")
    data = county_client.get(f"{URL}{violation.pk}/").json()
    records = data.pop("records")
    assert data.pop("records_truncated") is False
    assert data.pop("records_outside_scope") == 0
    assert data == row
    (visit,) = records
    assert visit["type"] == "visit"
    assert visit["date"] == "2019-05-06"
    assert visit["late"] is False
    assert "走访" in visit["summary"]
    assert visit["entered_at"]


def test_detail_of_a_duty_record_rule_marks_records_entered_after_closing(county_client, world):
    march = Violation.objects.get(rule__code="R07.3", place=world.tree["620122"], period_index=3)
    assert march.final and not march.late
    record = county_meeting(world.tree["620122"], D(2019, 3, 15))  # entered now, after March was closed
    check("R07.3")
    march.refresh_from_db()
    assert (march.late, march.late_actual) == (True, 1)
    data = county_client.get(f"{URL}{march.pk}/").json()
    assert (data["late"], data["late_actual"], data["final"]) == (True, 1, True)
    assert data["records"] == [
        {
            "type": "duty_record",
            "id": record.pk,
            "date": "2019-03-15",
            "summary": "2019-03-15 总队长会议",
            "entered_at": data["records"][0]["entered_at"],
            "late": True,
        }
    ]


# --- the spreadsheet ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (None, None),
        (D(2019, 1, 1), D(2019, 1, 1)),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def sheet_rows(response: Any) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_export_has_the_headers_and_the_rows_of_the_api(county_client, world):
    response = county_client.get(EXPORT_URL, {"year": 2019})
    assert response["Content-Disposition"] == 'attachment; filename="violations-2019.xlsx"'
    header, *rows = sheet_rows(response)
    assert list(header) == HEADERS == [str(h) for h in EXPORT_HEADERS]
    api = results(county_client, year=2019)
    assert [(r[0], r[3], r[6]) for r in rows] == [
        (row["rule"], row["subject"]["code"], row["period"]["label"]) for row in api
    ]
    by_code = {(r[0], r[3]): r for r in rows}
    visit = by_code["R10.2", "PA001×H0001"]
    assert visit[:5] == ("R10.2", "十(四)", "帮扶责任人×帮扶户", "PA001×H0001", "'@x × 张三户")  # "@…" escaped
    assert visit[5:7] == ("甘肃省 / 兰州市 / 县620122 / 乡620122101 / 村620122101201", "2019")
    assert visit[7].date() == D(2019, 1, 1) and visit[8].date() == D(2019, 12, 31)
    assert visit[9:16] == (2, 1, 1, 2, "未达标", "否", "否")
    assert visit[16].date() == D(2019, 12, 31)
    cadre = by_code["R09.1", "PC001"]
    assert cadre[4] == "'=1+1"  # a formula-like name is text, not a formula


def test_export_follows_the_filters_and_the_scope(county_client, world):
    rows = sheet_rows(county_client.get(EXPORT_URL, {"rule": "R07.3", "period": "2019-03"}))[1:]
    assert [(r[0], r[3], r[6]) for r in rows] == [("R07.3", "620122", "2019-03")]
    assert rows[0][14] == "是"


def test_export_file_name_without_a_year(county_client, world):
    response = county_client.get(EXPORT_URL, {"period": "2019-Q2"})
    assert response["Content-Disposition"] == 'attachment; filename="violations-2019.xlsx"'
    assert county_client.get(EXPORT_URL)["Content-Disposition"] == 'attachment; filename="violations-all.xlsx"'


def test_the_list_answers_format_xlsx_too(county_client, world):
    listed = sheet_rows(county_client.get(URL, {"format": "xlsx", "rule": "R10.2"}))
    exported = sheet_rows(county_client.get(EXPORT_URL, {"rule": "R10.2"}))
    assert listed == exported and len(listed) == 2
    bad = county_client.get(URL, {"format": "xlsx", "status": "nope"})
    assert (bad.status_code, bad["Content-Type"]) == (400, "application/json")


def test_export_is_empty_but_valid_for_a_user_without_a_role(client, world):
    client.force_login(factories.UserFactory())
    assert sheet_rows(client.get(EXPORT_URL)) == [tuple(HEADERS)]


def test_household_head_with_a_formula_like_name(admin_client_, world):
    Household.objects.filter(pk=world.pairing_b.household_id).update(head_name="=HYPERLINK(1)")
    Person.objects.filter(pk=world.helper_b.pk).update(name="+x")
    rows = sheet_rows(admin_client_.get(EXPORT_URL, {"rule": "R10.2", "org": "UB01"}))[1:]
    assert [r[4] for r in rows] == ["'+x × =HYPERLINK(1)户"]

"""The escalations API: GET /api/v1/escalations/ (fields, filters, 400s, scope, pagination, query count)
and GET /api/v1/escalations/<id>/. The actions are those of ``test_escalation_outputs.world``."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accountability.choices import ActionStatus
from accountability.messages import Msg
from accountability.models import Action
from tests import factories
from tests.accountability.test_escalation_outputs import PROVINCIAL, World, make_action, world  # noqa: F401
from tiers.choices import ActionKind, Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/escalations/"


@pytest.fixture
def county_client(client: Any, world: World, user_with_role: Any) -> Any:  # noqa: F811
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world.tree["620122"]))
    return client


@pytest.fixture
def province_client(client: Any, world: World, user_with_role: Any) -> Any:  # noqa: F811
    client.force_login(user_with_role(Role.PROVINCIAL_GROUP, place=world.tree.province))
    return client


def results(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get(URL, {"page_size": 1000, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


def test_urls():
    assert reverse("api-escalations") == URL
    assert reverse("api-escalation-detail", args=[7]) == f"{URL}7/"


@pytest.mark.parametrize("url", [URL, f"{URL}1/"])
def test_needs_a_login(client, world, url):  # noqa: F811
    assert client.get(url).status_code == 403


def test_is_read_only(county_client):
    assert county_client.post(URL, {}).status_code == 405


# --- fields ---------------------------------------------------------------------------------------


def test_an_admonish_row_has_every_field(county_client, world):  # noqa: F811
    (row,) = [row for row in results(county_client) if row["id"] == world.a1.pk]
    trigger = world.a1.triggers.get()
    assert row == {
        "id": world.a1.pk,
        "url": f"http://testserver/actions/{world.a1.pk}/",
        "escalation": "E05.1",
        "clause": "五",
        "escalation_text": world.a1.escalation.text,
        "kind": "admonish",
        "kind_label": "约谈",
        "bearer": "subject",
        "bearer_label": "责任主体本身",
        "subject": {"type": "unit", "type_label": "单位", "code": "UA01", "name": "省测试厅"},
        "convenor": world.a1.convenor,
        "convenor_label": str(world.a1.get_convenor_display()),
        "convenor_name": PROVINCIAL,
        "targets": [
            {"name": "张三", "code": "PA001", "role": "主要负责同志"},
            {"name": "李四", "code": "PA002", "role": "分管负责同志"},
        ],
        "severity": 3,
        "status": "proposed",
        "status_label": "拟处理",
        "year": 2019,
        "joint_liability": False,
        "trigger_date": "2019-12-31",
        "rebuttal_due": "2020-01-10",
        "held_on": None,
        "chain": [
            {
                "kind": "violation",
                "kind_label": "违反频次规则",
                "relation": "self",
                "relation_label": "本级",
                "summary": trigger.summary,
                "violation": world.violation.pk,
                "violation_url": f"http://testserver/api/v1/violations/{world.violation.pk}/",
            }
        ],
    }
    assert county_client.get(row["url"]).status_code == 200


def test_subjects_of_other_bearers(county_client, world):  # noqa: F811
    rows = {row["id"]: row for row in results(county_client)}
    assert rows[world.a3.pk]["subject"] == {
        "type": "county",
        "type_label": "县（市、区）",
        "code": "620122",
        "name": "县620122",
    }
    assert rows[world.a6.pk]["subject"] == {"type": "person", "type_label": "个人", "code": "PC001", "name": "赵六"}
    ban = rows[world.a4.pk]
    assert (ban["kind"], ban["joint_liability"], ban["targets"]) == ("award_ban", True, [])
    assert ban["chain"][0] | {"summary": ""} == {
        "kind": "incident",
        "kind_label": "重大涉贫事件",
        "relation": "assisted_village",
        "relation_label": "帮扶村",
        "summary": "",
        "violation": None,
        "violation_url": None,
    }


def test_detail_is_the_row(county_client, world):  # noqa: F811
    (row,) = [row for row in results(county_client) if row["id"] == world.a4.pk]
    assert county_client.get(f"{URL}{world.a4.pk}/").json() == row


# --- filters --------------------------------------------------------------------------------------


def test_filters(province_client, world):  # noqa: F811
    w = world
    everything = {w.a1, w.a2, w.a3, w.a4, w.a5, w.a6, w.a7, w.a8, w.a9, w.a10}
    assert ids(results(province_client)) == {a.pk for a in everything}
    assert ids(results(province_client, year=2019)) == {a.pk for a in everything}
    assert results(province_client, year=2018) == []
    assert ids(results(province_client, kind="award_ban")) == {w.a4.pk, w.a9.pk}
    assert ids(results(province_client, kind="promotion_ban,replacement")) == {w.a6.pk, w.a7.pk}
    assert ids(results(province_client, kind=["referral", "assessment_cap"])) == {w.a8.pk, w.a5.pk}
    assert ids(results(province_client, status="withdrawn")) == {w.a10.pk}
    assert ids(results(province_client, escalation="E07.1")) == {w.a3.pk}
    assert ids(results(province_client, escalation="E05.1", kind="admonish", status="proposed")) == {w.a1.pk, w.a2.pk}
    assert results(province_client, escalation="E04.1") == []


@pytest.mark.parametrize(
    ("param", "value", "shown", "message"),
    [
        ("year", "twenty", "twenty", Msg.BAD_YEAR),
        ("year", "0", "0", Msg.BAD_YEAR),
        ("kind", "admonish,scolding", "scolding", Msg.BAD_ACTION_KIND),
        ("status", "open", "open", Msg.BAD_ACTION_STATUS),
        ("escalation", "E5.1", "E5.1", Msg.BAD_ESCALATION),
        ("escalation", "R05.1", "R05.1", Msg.BAD_ESCALATION),
    ],
)
def test_bad_filter_values_are_a_400_with_the_message(province_client, param, value, shown, message):
    response = province_client.get(URL, {param: value})
    assert response.status_code == 400
    assert response.json() == {param: [str(message % {"value": shown})]}


# --- scope ----------------------------------------------------------------------------------------


def test_county_staff_see_their_county_only(county_client, world):  # noqa: F811
    w = world
    assert ids(results(county_client)) == {a.pk for a in (w.a1, w.a3, w.a4, w.a5, w.a6, w.a7, w.a8, w.a10)}
    assert county_client.get(f"{URL}{w.a2.pk}/").status_code == 404
    assert county_client.get(f"{URL}{w.a9.pk}/").status_code == 404
    assert county_client.get(f"{URL}{w.a1.pk}/").status_code == 200
    assert county_client.get(f"{URL}999999/").status_code == 404


def test_a_target_sees_the_actions_they_are_summoned_to(client, world):  # noqa: F811
    user = factories.UserFactory()
    world.deputy_a.user = user
    world.deputy_a.save()
    client.force_login(user)
    assert ids(results(client)) == {world.a1.pk}


def test_a_user_without_a_role_sees_nothing(client, world):  # noqa: F811
    client.force_login(factories.UserFactory())
    assert results(client) == []
    assert client.get(f"{URL}{world.a1.pk}/").status_code == 404


# --- pagination and query count -------------------------------------------------------------------


def test_pages_of_100(province_client, world):  # noqa: F811
    for n in range(100):
        make_action(subject_name=f"单位{n:03d}", place=world.tree["620123"], status=ActionStatus.CONFIRMED)
    data = province_client.get(URL).json()
    assert (data["count"], len(data["results"])) == (110, 100)
    assert data["next"].endswith("page=2")
    assert len(province_client.get(URL, {"page": 2}).json()["results"]) == 10
    assert len(province_client.get(URL, {"page_size": 20}).json()["results"]) == 20


def test_query_count_does_not_grow_with_rows(county_client, world, django_assert_max_num_queries):  # noqa: F811
    # session, user, count, page, targets, triggers
    with django_assert_max_num_queries(7) as small:
        few = results(county_client)
    for n in range(30):
        make_action(
            kind=ActionKind.ADMONISH,
            subject_name=f"单位{n:03d}",
            unit=factories.UnitFactory(),
            place=world.tree["620122101"],
            targets=((factories.PersonFactory(), "主要负责同志"),),
            triggers=({"violation": world.violation, "summary": "R05.1"}, {"summary": "另一项"}),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        many = results(county_client)
    assert (len(few), len(many)) == (8, 38)
    added = [row for row in many if row["subject"]["name"].startswith("单位")]
    assert len(added) == 30 and all(len(row["chain"]) == 2 and len(row["targets"]) == 1 for row in added)


def test_detail_query_count(county_client, world, django_assert_max_num_queries):  # noqa: F811
    with django_assert_max_num_queries(6):  # session, user, the kinds of scope, the row, targets, triggers
        assert county_client.get(f"{URL}{world.a1.pk}/").status_code == 200


def test_withdrawn_actions_are_listed_with_their_status(county_client, world):  # noqa: F811
    (row,) = results(county_client, status="withdrawn")
    assert (row["id"], row["status_label"]) == (world.a10.pk, "已撤销")
    assert Action.objects.get(pk=row["id"]).status == ActionStatus.WITHDRAWN

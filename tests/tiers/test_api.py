"""The read-only catalogue API: GET /api/v1/catalogue/."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/"


def test_url_is_the_documented_one():
    assert reverse("api-catalogue") == URL


def test_needs_a_login(client):
    assert client.get(URL).status_code == 403


def test_is_read_only(client):
    client.force_login(factories.UserFactory())
    assert client.post(URL, {}).status_code == 405
    assert client.delete(URL).status_code == 405


def test_lists_tiers_rules_and_escalations(client):
    client.force_login(factories.UserFactory())
    data = client.get(URL).json()

    assert data["document"]["code"] == "甘办发〔2019〕33号"
    assert data["document"]["in_force_from"] == "2019-07-31"
    assert [t["code"] for t in data["tiers"]] == [f"T{n:02d}" for n in range(1, 11)]
    assert {t["code"]: t["section"] for t in data["tiers"]}["T09"] == "九"
    assert len(data["rules"]) == 25
    assert len(data["escalations"]) == 16

    rules = {r["code"]: r for r in data["rules"]}
    assert (rules["R09.1"]["clause"], rules["R09.1"]["tier"], rules["R09.1"]["period"]) == ("九(四)", "T09", "year")
    assert (rules["R09.1"]["minimum"], rules["R09.1"]["unit"], rules["R09.1"]["pro_rated"]) == (220, "天", True)
    assert rules["R09.2"]["minimum"] == 160
    assert rules["R07.3"]["period"] == "month"
    assert rules["R05.3"]["minimum"] == 2 and rules["R05.3"]["minimum_by_rank"] == {"bureau": 3}
    assert rules["R05.3"]["period"] == "point"
    assert set(rules["R02.1"]) >= {"code", "clause", "tier", "subject", "period", "minimum", "unit", "pro_rated"}

    escalations = {e["code"]: e for e in data["escalations"]}
    e05 = escalations["E05.1"]
    assert (e05["clause"], e05["tier"]) == ("五", "T05")
    convenors = {a["min_severity"]: a["convenor"] for a in e05["actions"] if a["action"] == "admonish"}
    assert convenors == {1: "group_leader_unit", 2: "contact_leader", 3: "provincial_leading_group"}
    assert e05["actions"][0]["targets"] == ["principal", "deputy"]
    assert escalations["E00.1"]["tier"] is None
    assert any(t["kind"] == "violation" and "R09.1" in t["rules"] for t in escalations["E09.1"]["triggers"])


def test_follows_an_administrators_threshold_change(client):
    from tiers.models import Rule

    Rule.objects.filter(code="R10.2").update(minimum=3)
    client.force_login(factories.UserFactory())
    rules = {r["code"]: r for r in client.get(URL).json()["rules"]}
    assert rules["R10.2"]["minimum"] == 3


def test_answers_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(factories.UserFactory())
    with django_assert_max_num_queries(12):
        client.get(URL)

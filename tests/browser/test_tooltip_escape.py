"""A place's name is data: the dashboard's JSON carries it as typed, and the heatmap's tooltip (an ECharts
formatter writing HTML) shows it as text — an ``<img onerror>`` in a county's name creates no element
(issue 17 item 7). The escape function itself is checked in the page too."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from accountability.compliance import engine as compliance
from households.models import Visit
from tests import factories
from tests.browser.conftest import log_in
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers import services
from tiers.choices import Role
from tiers.models import Place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"
YEAR = 2019
INJECTED = "<img src=x onerror=alert(1)>"


@pytest.fixture
def county_with_a_hostile_name(place_tree):
    """County 620122 of 兰州市 renamed to an HTML payload (as a careless or hostile edit would), and a
    compliance run so that 兰州市's dashboard has its children × tiers grid."""
    Place.objects.filter(code="620122").update(name=INJECTED)
    unit = factories.UnitFactory(code="UNY", name="县农业农村局", place=place_tree["620123"])
    helper = factories.PersonFactory(code="PHELP", name="李帮扶", unit=unit)
    household = HouseholdFactory(code="H-ONE", head_name="张一", village=place_tree["620123101201"])
    PairingFactory(helper=helper, household=household, start=datetime.date(YEAR, 1, 1))
    Visit.objects.create(helper=helper, household=household, date=datetime.date(YEAR, 6, 18), industry="养殖")
    compliance.compliance_run_execute(
        compliance.compliance_run_create(trigger="command", year=YEAR, as_of=datetime.date(YEAR + 1, 1, 20))
    )
    user = factories.UserFactory(username="shengzu")
    services.role_grant(user=user, role=Role.PROVINCIAL_GROUP, place=place_tree.province)
    return user


def test_the_json_carries_the_name_as_data(county_with_a_hostile_name):
    client = Client()
    client.force_login(county_with_a_hostile_name)
    response = client.get(f"/api/v1/dashboard/places/620100/?year={YEAR}")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert INJECTED in data["grid"]["rows"]
    assert {"code": "620122", "name": INJECTED} in [{"code": c["code"], "name": c["name"]} for c in data["children"]]


def test_the_heatmap_tooltip_shows_the_name_as_text(phone, county_with_a_hostile_name):
    log_in(phone, "shengzu", PASSWORD)
    phone.goto(f"{phone.base_url}/dashboard/places/620100/?year={YEAR}")
    phone.wait_for_selector(".chart-box[data-chart='grid'][data-drawn='true']")

    escape = "s => window.accountabilityCharts.escapeHtml(s)"
    assert phone.evaluate(escape, INJECTED) == "&lt;img src=x onerror=alert(1)&gt;"
    assert phone.evaluate(escape, "a&b \"c\" 'd' `e`") == "a&amp;b &quot;c&quot; &#39;d&#39; &#96;e&#96;"
    assert phone.evaluate(escape, None) == ""

    shown = phone.evaluate(
        """name => {
            const box = document.querySelector(".chart-box[data-chart='grid']");
            const chart = echarts.getInstanceByDom(box);
            const option = chart.getOption();
            const row = option.yAxis[0].data.indexOf(name);
            const cell = option.series[0].data.findIndex(c => c[1] === row && c[2] !== null);
            chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: cell });
            return cell;
        }""",
        INJECTED,
    )
    assert shown >= 0
    grid = phone.locator(".chart-box[data-chart='grid']")
    phone.wait_for_function(
        "name => document.querySelector(\".chart-box[data-chart='grid']\").innerText.includes(name)", arg=INJECTED
    )
    assert grid.locator("img").count() == 0
    assert phone.locator("img[src='x']").count() == 0

"""The provincial group drills down in Debian's chromium from the province overview to a helper and the
records behind a violation, sees the charts drawn from the scoped JSON, and downloads a table."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from accountability.compliance import engine as compliance
from households.models import Visit
from tests import factories
from tests.browser.conftest import log_in
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers import services
from tiers.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"
YEAR = 2019


@pytest.fixture
def helper_with_gaps(place_tree):
    """A helper of a county unit in 620123's village 201 visited one of two households once in 2019."""
    unit = factories.UnitFactory(code="UNY", name="县农业农村局", place=place_tree["620123"])
    helper = factories.PersonFactory(code="PHELP", name="李帮扶", unit=unit)
    village = place_tree["620123101201"]
    visited = HouseholdFactory(code="H-ONE", head_name="张一", village=village)
    PairingFactory(helper=helper, household=visited, start=datetime.date(YEAR, 1, 1))
    PairingFactory(helper=helper, household=HouseholdFactory(village=village), start=datetime.date(YEAR, 1, 1))
    Visit.objects.create(helper=helper, household=visited, date=datetime.date(YEAR, 6, 18), industry="养殖")
    compliance.compliance_run_execute(
        compliance.compliance_run_create(trigger="command", year=YEAR, as_of=datetime.date(YEAR + 1, 1, 20))
    )
    services.role_grant(
        user=factories.UserFactory(username="shengzu"), role=Role.PROVINCIAL_GROUP, place=place_tree.province
    )


def follow(page, name):
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.tap()


def test_drill_down_from_the_province_to_a_helpers_records_and_download(phone, helper_with_gaps):
    log_in(phone, "shengzu", PASSWORD)
    phone.goto(f"{phone.base_url}/dashboard/?year={YEAR}")
    assert phone.locator("h1").inner_text().startswith("甘肃省")
    phone.wait_for_selector(".chart-box[data-chart='trend'][data-drawn='true']")  # ECharts read the JSON
    assert phone.locator(".chart-box[data-chart='grid'] canvas").count() >= 1

    with phone.expect_download() as download:
        phone.locator("section", has=phone.locator("#counties")).get_by_text("导出 Excel").tap()
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active.values)
    assert rows[0][:3] == ("区划代码", "名称", "已到期检查数")
    assert {row[0] for row in rows[1:]} == {"620122", "620123", "620521", "620522"}

    for name in ("兰州市", "县620123", "乡620123101", "村620123101201"):
        follow(phone, name)
        assert phone.locator("h1").inner_text().startswith(name)
    follow(phone, "李帮扶")
    assert "李帮扶" in phone.locator("h1").inner_text() and "R10.2" in phone.content()

    row = phone.locator("#subjects tr", has_text="R10.2").filter(has_text="张一户")
    with phone.expect_navigation():
        row.get_by_role("link").tap()
    page = phone.content()
    assert "1 / 2" in page and "2019-06-18" in page  # the one visit counted, of two required
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

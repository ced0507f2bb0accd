"""A helper logs a visit on a phone, in Debian's chromium: the main journey of the households app."""

import datetime

import pytest
from django.utils import timezone

from households import services
from households.models import Household, Visit
from tests import factories
from tests.browser.conftest import log_in
from tiers.choices import PlaceLevel, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"


@pytest.fixture
def helper_with_household(place_tree):
    user = factories.UserFactory(username="bangfu")
    person = factories.PersonFactory(code="PHELPER", name="王帮扶", user=user)
    from tiers import services as tier_services

    tier_services.role_grant(user=user, role=Role.HELPER)
    village = place_tree["620123101201"]
    assert village.level == PlaceLevel.VILLAGE
    household = Household.objects.create(code="H-DEMO-01", head_name="李福贵", village=village, members=4)
    start = datetime.date(timezone.localdate().year - 1, 1, 1)
    services.pairing_create(helper=person, household=household, start=start)
    services.plan_revise(
        user=user,
        household=household,
        date=timezone.localdate().replace(month=1, day=10) if timezone.localdate().month > 1 else start,
        year=timezone.localdate().year,
        family_situation="4 口人",
        poverty_causes="缺技术",
        income_paths="养殖",
        support_measures="产业奖补",
    )
    return user, household


def test_helper_logs_a_visit_in_two_taps_from_their_page(phone, helper_with_household):
    user, household = helper_with_household
    log_in(phone, "bangfu", PASSWORD)

    phone.goto(f"{phone.base_url}/helper/")
    row = phone.locator("li.card", has_text="李福贵户")
    assert "0/2" in row.inner_text()

    with phone.expect_navigation():
        row.get_by_role("link", name="记录走访").tap()  # tap 1: the household is already chosen
    assert phone.locator("[name=household]").input_value() == household.code
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存").tap()  # tap 2

    assert "已记录走访" in phone.content()
    visit = Visit.objects.get(household=household)
    assert visit.date == timezone.localdate() and visit.entered_by == user and visit.helper.code == "PHELPER"
    assert "1/2" in phone.locator("li.card", has_text="李福贵户").inner_text()

    # The form remembers the last household: opened from the menu, it is pre-selected.
    phone.goto(f"{phone.base_url}/visits/new/")
    assert phone.locator("[name=household]").input_value() == household.code


def test_a_second_visit_on_the_same_day_is_refused_on_the_phone(phone, helper_with_household):
    user, household = helper_with_household
    services.visit_log(user=user, household=household, date=timezone.localdate())
    log_in(phone, "bangfu", PASSWORD)

    phone.goto(f"{phone.base_url}/visits/new/?household={household.code}")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存").tap()

    assert "同一天不能重复记录" in phone.content()
    assert Visit.objects.filter(household=household).count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the form must fit a phone screen without sideways scrolling"

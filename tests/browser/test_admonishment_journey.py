"""The provincial group reviews the 约谈 list in Debian's chromium, follows a line to its chain of
evidence, confirms the 约谈, records the talk and opens the printable notice."""

import datetime

import pytest
from django.utils import timezone

from accountability.compliance import engine as compliance
from accountability.escalation.engine import escalations_compute
from accountability.models import Action
from tests import factories
from tests.browser.conftest import log_in
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers import services
from tiers.choices import PostTitle, Role
from tiers.models import Post, Rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"


@pytest.fixture
def admonishment(place_tree):
    """Last year a helper of a county unit never visited the household paired with them (R10.2)."""
    year = timezone.localdate().year - 1
    unit = factories.UnitFactory(code="UNY", name="县农业农村局", place=place_tree["620123"])
    Post.objects.create(person=factories.PersonFactory(unit=unit, name="局长"), title=PostTitle.PRINCIPAL, unit=unit,
                        start=datetime.date(year, 1, 1))  # fmt: skip
    helper = factories.PersonFactory(code="PHELP", name="李帮扶", unit=unit)
    PairingFactory(
        helper=helper, household=HouseholdFactory(village=place_tree["620123101201"]), start=datetime.date(year, 1, 1)
    )
    compliance.compliance_run_execute(compliance.compliance_run_create(trigger="command", year=year, rules=["R10.2"]))
    escalations_compute(year=year)
    services.role_grant(
        user=factories.UserFactory(username="shengzu"), role=Role.PROVINCIAL_GROUP, place=place_tree.province
    )
    return year, Action.objects.get(escalation__code="E10.1")


def test_the_provincial_group_confirms_an_admonishment_and_prints_its_notice(phone, admonishment):
    year, action = admonishment
    log_in(phone, "shengzu", PASSWORD)

    phone.goto(f"{phone.base_url}/admonishments/?year={year}")
    assert "所在单位：县农业农村局" in phone.content()  # the convenor heads its group
    with phone.expect_navigation():
        phone.get_by_role("link", name="李帮扶").first.tap()

    page = phone.content()
    assert "R10.2" in page and "应达到 2，实际 0" in page  # the measured figure
    assert Rule.objects.get(code="R10.2").duty.text[:20] in page  # the rule's clause text
    assert action.escalation.text[:20] in page  # the escalation rule's clause text

    with phone.expect_navigation():
        phone.get_by_role("button", name="确认").tap()
    phone.locator("input[name='held_on']").fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    phone.locator("textarea[name='minutes']").fill("指出未按要求走访，责令年内补齐")
    with phone.expect_navigation():
        phone.get_by_role("button", name="登记约谈").tap()
    assert "已登记约谈情况" in phone.content()

    action.refresh_from_db()
    assert (action.status, action.minutes) == ("held", "指出未按要求走访，责令年内补齐")
    assert [d.to_status for d in action.decisions.order_by("id")] == ["confirmed", "held"]

    phone.goto(f"{phone.base_url}/actions/{action.pk}/notice/")
    assert "约谈通知书" in phone.content() and "李帮扶" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

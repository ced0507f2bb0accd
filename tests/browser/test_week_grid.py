"""A team leader fills a team's week on a phone, in Debian's chromium: one tap cycles a day's kind."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.conftest import log_in
from tiers import services as tier_services
from tiers.choices import Role
from villagecorps import services
from villagecorps.choices import DayKind, DaySource, MemberRole
from villagecorps.models import DutyDay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"
#: Taps from an unrecorded cell ("—") to each kind, in the order the cells cycle.
TAPS = {kind.value: i + 1 for i, kind in enumerate(DayKind)}


@pytest.fixture
def team_with_leader(place_tree):
    """A team in village 620123101201 with its leader (a user holding team_leader on the village) and
    a member, both stationed since well before last week."""
    village = place_tree["620123101201"]
    unit = factories.UnitFactory(code="UVC", name="省直帮扶单位", place=place_tree.province)
    start = timezone.localdate() - datetime.timedelta(days=60)
    team = services.team_create(village=village, name="一村工作队", start=start)
    user = factories.UserFactory(username="duizhang")
    leader = factories.PersonFactory(code="PLEAD", name="王队长", unit=unit, user=user)
    member = factories.PersonFactory(code="PMEMB", name="张队员", unit=unit)
    tier_services.role_grant(user=user, role=Role.TEAM_LEADER, place=village)
    m_leader = services.membership_create(
        team=team, person=leader, role=MemberRole.FIRST_SECRETARY_LEADER, dispatching_unit=unit, start=start
    )
    m_member = services.membership_create(
        team=team, person=member, role=MemberRole.MEMBER, dispatching_unit=unit, start=start
    )
    return user, team, m_leader, m_member


def test_team_leader_fills_the_week_by_tapping_cells(phone, team_with_leader):
    user, team, m_leader, m_member = team_with_leader
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)  # last week: no day is in the future
    days = [monday + datetime.timedelta(days=i) for i in range(4)]
    wanted = {
        (m_leader, days[0]): DayKind.IN_VILLAGE_NIGHT,
        (m_leader, days[1]): DayKind.IN_VILLAGE_NIGHT,
        (m_leader, days[2]): DayKind.OFFICIAL_TRIP,
        (m_leader, days[3]): DayKind.MEETING,
        (m_member, days[0]): DayKind.IN_VILLAGE,
        (m_member, days[1]): DayKind.IN_VILLAGE_NIGHT,
        (m_member, days[2]): DayKind.LEAVE,
        (m_member, days[3]): DayKind.TRAINING,
    }
    log_in(phone, "duizhang", PASSWORD)

    phone.goto(f"{phone.base_url}/teams/{team.pk}/week/?start={monday:%Y-%m-%d}")
    assert phone.locator("select[data-cycle]").first.is_hidden()  # the enhancement replaced the drop-downs
    for (membership, day), kind in wanted.items():
        name = f"d-{membership.pk}-{day:%Y-%m-%d}"
        button = phone.locator(f"td:has(select[name='{name}']) button.cycle")
        assert button.inner_text() == "—"
        for _ in range(TAPS[kind]):
            button.tap()
        assert phone.locator(f"select[name='{name}']").input_value() == kind
        assert button.get_attribute("data-kind") == kind
        assert button.get_attribute("title") == kind.label
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the grid must scroll inside its box, not the page sideways"

    with phone.expect_navigation():
        phone.get_by_role("button", name="确认本周考勤").tap()

    assert "已确认本周考勤（8 天）" in phone.content()
    saved = {(d.membership_id, d.date): d.kind for d in DutyDay.objects.all()}
    assert saved == {(m.pk, day): kind.value for (m, day), kind in wanted.items()}
    assert set(DutyDay.objects.values_list("source", "recorded_by")) == {(DaySource.GRID, user.pk)}
    # the saved kinds come back on the buttons
    name = f"d-{m_member.pk}-{days[2]:%Y-%m-%d}"
    assert phone.locator(f"td:has(select[name='{name}']) button.cycle").inner_text() == "请假"

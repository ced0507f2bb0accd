"""The households pages, through the test client as helpers, clerks and reviewers use them.

The world: county 620123 with township 620123101 and its villages 201/202; a household in another
county (620521); two helpers (张帮扶, 李帮扶) of a provincial unit, linked to users; a township clerk
and a second township reviewer. "Today" is pinned to 2024-06-14 so that the year's counts do not
depend on the day the suite runs. Refusals are compared with the ``Msg`` constants, formatted as the
user reads them, and each checks that no row was written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from households import selectors, services
from households.messages import Msg
from households.models import Deed, Household, Plan, Visit
from tests import factories
from tiers.choices import Role
from tiers.messages import Msg as TierMsg
from tiers.models import EditRequest, EditRequestStatus, Person
from tiers.services import role_grant

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 14)
START = datetime.date(2019, 7, 31)
REQUIRED = "该字段是必填项。"  # Django's own message, as the zh-hans catalogue words it


def zh(message: Any, **params: Any) -> str:
    """A message as a Chinese reader sees it, with its placeholders filled."""
    with translation.override("zh-hans"):
        text = str(message)
    return text % params if params else text


def iso(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


@pytest.fixture(autouse=True)
def pinned_today(today_is: Any) -> datetime.date:
    """``timezone.localdate()`` answers TODAY."""
    return today_is(TODAY)


@pytest.fixture(autouse=True)
def _restore_language() -> Any:
    """Requests activate a language in this thread; do not leak it into other tests."""
    previous = translation.get_language()
    yield
    translation.activate(previous) if previous else translation.deactivate()


@dataclass
class World:
    tree: factories.Tree
    zhang: Person
    li: Person
    clerk: Any
    reviewer: Any
    households: dict[str, Household]

    @property
    def zhang_user(self) -> Any:
        return self.zhang.user

    @property
    def li_user(self) -> Any:
        return self.li.user

    def __getitem__(self, code: str) -> Household:
        return self.households[code]


def make_helper(code: str, name: str, unit: Any) -> Person:
    user = factories.UserFactory(username=code.lower(), password=None)
    person = factories.PersonFactory(code=code, name=name, unit=unit, user=user)
    role_grant(user=user, role=Role.HELPER)
    return person


def make_household(code: str, head: str, village: Any, helper: Person, start: datetime.date = START) -> Household:
    household = Household.objects.create(code=code, head_name=head, village=village)
    services.pairing_create(helper=helper, household=household, start=start)
    return household


@pytest.fixture
def world(place_tree: factories.Tree) -> World:
    t = place_tree
    unit = factories.UnitFactory(code="UH", name="省直帮扶单位", place=t.province)
    zhang = make_helper("PZ", "张帮扶", unit)
    li = make_helper("PL", "李帮扶", unit)
    households = {
        "H1": make_household("H1", "王福贵", t["620123101201"], zhang),
        "H2": make_household("H2", "赵有全", t["620123101202"], zhang),
        "H5": make_household("H5", "陈明德", t["620123101202"], zhang),
        # paired with 张帮扶 only from 1 March 2024: earlier dates are outside the pairing
        "H7": make_household("H7", "孙春秋", t["620123101201"], zhang, start=datetime.date(2024, 3, 1)),
        "H3": make_household("H3", "刘春山", t["620123101201"], li),
        "H4": make_household("H4", "马兴旺", t["620521101201"], li),  # another county
    }
    clerk = factories.user_with_role(Role.TOWNSHIP_STAFF, place=t["620123101"], username="clerk", password=None)
    reviewer = factories.user_with_role(Role.TOWNSHIP_STAFF, place=t["620123101"], username="reviewer", password=None)
    return World(t, zhang, li, clerk, reviewer, households)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        return {name: list(messages) for name, messages in response.context[form].errors.items()}


def page_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def plan_content(**extra: Any) -> dict[str, Any]:
    return {
        "family_situation": "四口人，两个孩子上学",
        "poverty_causes": "缺技术",
        "income_paths": "养牛、务工",
        "support_measures": "技能培训，产业奖补",
        "targets": "年底人均收入过万",
    } | extra


def visit_url(household: str | None = None) -> str:
    url = reverse("households:visit-new")
    return f"{url}?household={household}" if household else url


# --- a helper's page --------------------------------------------------------------------------------


def test_helper_page_lists_households_with_counts_and_the_most_urgent_first(world: World) -> None:
    user = world.zhang_user
    # H1: plan on time, two visits and a deed -> done
    services.plan_revise(user=user, household=world["H1"], date=datetime.date(2024, 2, 1), year=2024, **plan_content())
    services.visit_log(user=user, household=world["H1"], date=datetime.date(2024, 3, 5))
    services.visit_log(user=user, household=world["H1"], date=datetime.date(2024, 5, 5))
    services.deed_log(user=user, household=world["H1"], date=datetime.date(2024, 5, 5), description="联系务工")
    # H5: plan revised late (May), one visit -> visit next
    services.plan_revise(user=user, household=world["H5"], date=datetime.date(2024, 5, 1), year=2024, **plan_content())
    services.visit_log(user=user, household=world["H5"], date=datetime.date(2024, 5, 2))
    # last year's visit does not count this year
    services.visit_log(user=user, household=world["H2"], date=datetime.date(2023, 11, 1))
    # H7: plan and two visits, no deed -> deed next
    services.plan_revise(user=user, household=world["H7"], date=datetime.date(2024, 3, 2), year=2024, **plan_content())
    services.visit_log(user=user, household=world["H7"], date=datetime.date(2024, 3, 3))
    services.visit_log(user=user, household=world["H7"], date=datetime.date(2024, 4, 3))

    response = client_for(user).get(reverse("households:my-households"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.household.code, str(r.next_action)) for r in rows] == [
        ("H2", "修订一户一策"),
        ("H5", "入户走访"),
        ("H7", "办实事好事"),
        ("H1", "已完成"),
    ]
    by_code = {r.household.code: r for r in rows}
    assert (by_code["H1"].visits, by_code["H1"].deeds, by_code["H1"].plan_revised, by_code["H1"].plan_on_time) == (
        2,
        1,
        True,
        True,
    )
    assert (by_code["H5"].visits, by_code["H5"].plan_revised, by_code["H5"].plan_on_time) == (1, True, False)
    assert by_code["H2"].visits == 0  # the 2023 visit is not this year's
    html = response.content.decode()
    assert "刘春山" not in html and "马兴旺" not in html  # 李帮扶's households
    assert html.index("赵有全户") < html.index("陈明德户") < html.index("王福贵户")
    assert "2/2" in html and "1/2" in html and "未按时" in html
    # the next action is one tap away, with the household preset
    assert f'href="{reverse("households:plan-new", args=["H2"])}"' in html
    assert f'href="{visit_url("H5")}"' in html

    last_year = client_for(user).get(reverse("households:my-households"), {"year": 2023})
    assert {r.household.code: r.visits for r in last_year.context["rows"]}["H2"] == 1


def test_helper_overview_is_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    client = client_for(world.zhang_user)
    url = reverse("households:my-households")
    client.get(url)  # the session and the permission caches are warm from here on
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["rows"]) == 4
    for i in range(12):
        household = make_household(f"HX{i:02d}", f"户主{i}", world.tree["620123101201"], world.zhang)
        services.visit_log(user=world.zhang_user, household=household, date=TODAY)
        services.deed_log(user=world.zhang_user, household=household, date=TODAY, description="送米")

    with django_assert_max_num_queries(2):
        rows = selectors.helper_overview(person=world.zhang, year=2024, today=TODAY, user=world.zhang_user)
        assert len(rows) == 16 and all(r.household.village.name for r in rows)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["rows"]) == 16
    assert len(many) == len(few)


def test_a_user_without_a_person_gets_a_clear_message_and_staff_a_link(world: World) -> None:
    response = client_for(world.clerk).get(reverse("households:my-households"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "您的账号没有关联帮扶责任人" in html
    assert reverse("households:household-list") in html


def test_staff_see_a_helper_page_of_their_scope_only(world: World) -> None:
    clerk = client_for(world.clerk)

    response = clerk.get(reverse("households:helper-detail", args=["PL"]))
    assert response.status_code == 200
    assert [r.household.code for r in response.context["rows"]] == ["H3"]  # H4 is in another county

    county_of_h4 = factories.user_with_role(Role.COUNTY_STAFF, place=world.tree["620521"], password=None)
    other = client_for(county_of_h4)
    assert other.get(reverse("households:helper-detail", args=["PZ"])).status_code == 404
    assert [r.household.code for r in other.get(reverse("households:helper-detail", args=["PL"])).context["rows"]] == [
        "H4"
    ]


def test_a_helper_sees_only_their_own_households(world: World) -> None:
    zhang = client_for(world.zhang_user)

    assert zhang.get(reverse("households:household-detail", args=["H1"])).status_code == 200
    assert zhang.get(reverse("households:household-detail", args=["H3"])).status_code == 404
    assert zhang.get(reverse("households:household-detail", args=["H4"])).status_code == 404
    assert zhang.get(reverse("households:helper-detail", args=["PL"])).status_code == 404
    assert zhang.get(visit_url("H3")).status_code == 404
    listed = zhang.get(reverse("households:household-list"))
    assert [h.code for h in listed.context["page"]] == ["H1", "H2", "H5", "H7"]


# --- logging a visit ------------------------------------------------------------------------------


def test_a_helper_logs_a_visit_in_two_requests_and_the_form_remembers_the_household(world: World) -> None:
    zhang = client_for(world.zhang_user)

    form_page = zhang.get(visit_url())
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert [h.code for h in form.fields["household"].queryset] == ["H1", "H2", "H5", "H7"]
    assert form["date"].value() == TODAY
    assert "<details" in form_page.content.decode()  # the findings are folded away

    saved = zhang.post(visit_url(), {"household": "H2", "date": iso(TODAY)}, follow=True)

    assert saved.redirect_chain == [(reverse("households:my-households"), 302)]
    assert "已记录走访" in page_messages(saved)
    visit = Visit.objects.get()
    assert (visit.household.code, visit.helper, visit.entered_by, visit.date) == (
        "H2",
        world.zhang,
        world.zhang_user,
        TODAY,
    )
    assert zhang.session["last_household"] == "H2"
    again = zhang.get(visit_url())
    assert again.context["form"]["household"].value() == "H2"


def test_the_household_page_presets_the_visit_form(world: World) -> None:
    zhang = client_for(world.zhang_user)
    page = zhang.get(reverse("households:household-detail", args=["H5"]))
    assert visit_url("H5") in page.content.decode()

    response = zhang.get(visit_url("H5"))

    assert response.context["form"]["household"].value() == "H5"


def test_a_visit_keeps_its_findings(world: World) -> None:
    zhang = client_for(world.zhang_user)

    zhang.post(
        visit_url(),
        {
            "household": "H1",
            "date": iso(TODAY),
            "industry": "养牛 5 头",
            "problems": "房顶漏雨",
            "reported_to": "village",
        },
    )

    visit = Visit.objects.get()
    assert (visit.industry, visit.problems, visit.reported_to) == ("养牛 5 头", "房顶漏雨", "village")


REFUSALS = [
    pytest.param(
        "zhang", {"household": "H1", "date": iso(TODAY + datetime.timedelta(days=1))}, "date",
        lambda: zh(Msg.FUTURE_DATE, today="2024-06-14"), id="future-date",
    ),
    pytest.param(
        "zhang", {"household": "H1", "date": "0001-01-01"}, "date",
        lambda: zh(TierMsg.DATE_BEFORE_CAMPAIGN, field="日期", start="2013-01-01"), id="before-the-campaign",
    ),
    pytest.param(
        "zhang", {"household": "H7", "date": "2024-02-01"}, "date",
        lambda: zh(Msg.NOT_YOUR_PAIRING, date="2024-02-01"), id="helper-outside-pairing",
    ),
    pytest.param(
        "clerk", {"household": "H7", "date": "2024-02-01"}, "date",
        lambda: zh(Msg.NOT_PAIRED, date="2024-02-01"), id="clerk-outside-pairing",
    ),
    pytest.param(
        "zhang", {"household": "H3", "date": iso(TODAY)}, "household",
        lambda: zh(forms.ModelChoiceField.default_error_messages["invalid_choice"]), id="helper-other-household",
    ),
    pytest.param(
        "clerk", {"household": "H4", "date": iso(TODAY)}, "household",
        lambda: zh(forms.ModelChoiceField.default_error_messages["invalid_choice"]), id="clerk-other-township",
    ),
    pytest.param(
        "zhang", {"household": "", "date": iso(TODAY)}, "household", lambda: zh(REQUIRED), id="no-household",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("who", "data", "field", "message"), REFUSALS)
def test_a_visit_is_refused_with_a_chinese_message_on_the_field(
    world: World, who: str, data: dict[str, str], field: str, message: Any
) -> None:
    user = world.zhang_user if who == "zhang" else world.clerk

    response = client_for(user).post(visit_url(), data)

    assert response.status_code == 200
    assert errors(response) == {field: [message()]}
    assert escape(message()) in response.content.decode()
    assert not Visit.objects.exists()
    assert not Visit.history.exists()


def test_a_second_visit_the_same_day_is_refused(world: World) -> None:
    zhang = client_for(world.zhang_user)
    zhang.post(visit_url(), {"household": "H1", "date": iso(TODAY)})

    response = zhang.post(visit_url(), {"household": "H1", "date": iso(TODAY), "problems": "又来了"})

    assert errors(response) == {"date": [zh(Msg.DUPLICATE_VISIT, helper="张帮扶", date="2024-06-14")]}
    assert Visit.objects.count() == 1 and Visit.objects.get().problems == ""


def test_a_clerk_logs_a_visit_for_the_paired_helper(world: World) -> None:
    clerk = client_for(world.clerk)

    form_page = clerk.get(visit_url("H3"))
    assert form_page.context["form"]["household"].value() == "H3"
    assert [h.code for h in form_page.context["form"].fields["household"].queryset] == ["H1", "H2", "H3", "H5", "H7"]
    saved = clerk.post(visit_url(), {"household": "H3", "date": "2024-06-10"}, follow=True)

    assert saved.redirect_chain == [(reverse("households:household-detail", args=["H3"]), 302)]
    assert "已记录走访" in page_messages(saved)
    visit = Visit.objects.get()
    assert (visit.helper, visit.entered_by) == (world.li, world.clerk)
    assert visit.history.get().history_user == world.clerk


def test_a_township_clerk_sees_only_their_township(world: World) -> None:
    clerk = client_for(world.clerk)

    assert clerk.get(reverse("households:household-detail", args=["H3"])).status_code == 200
    assert clerk.get(reverse("households:household-detail", args=["H4"])).status_code == 404
    assert clerk.get(visit_url("H4")).status_code == 404
    listed = clerk.get(reverse("households:household-list"))
    assert [h.code for h in listed.context["page"]] == ["H1", "H2", "H3", "H5", "H7"]
    assert [v.code for v in listed.context["villages"]] == ["620123101201", "620123101202"]
    searched = clerk.get(reverse("households:household-list"), {"q": "刘", "village": "620123101201"})
    assert [h.code for h in searched.context["page"]] == ["H3"]
    assert "李帮扶" in searched.content.decode()  # the current helper
    by_code = clerk.get(reverse("households:household-list"), {"q": "h2"})
    assert [h.code for h in by_code.context["page"]] == ["H2"]


def test_anonymous_users_are_sent_to_log_in(client: Client, world: World) -> None:
    response = client.get(reverse("households:my-households"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_team_leader_may_look_but_not_log(world: World) -> None:
    leader = factories.user_with_role(Role.TEAM_LEADER, place=world.tree["620123101201"], password=None)
    client = client_for(leader)

    assert client.get(reverse("households:household-detail", args=["H1"])).status_code == 200
    assert client.get(visit_url("H1")).status_code == 403
    assert client.post(visit_url(), {"household": "H1", "date": iso(TODAY)}).status_code == 403
    assert not Visit.objects.exists()


# --- deeds and plans ------------------------------------------------------------------------------


def test_a_deed_is_logged(world: World) -> None:
    zhang = client_for(world.zhang_user)

    saved = zhang.post(
        reverse("households:deed-new"),
        {"household": "H1", "date": "2024-06-01", "description": "帮助申请危房改造"},
        follow=True,
    )

    assert saved.redirect_chain == [(reverse("households:my-households"), 302)]
    assert "已记录实事好事" in page_messages(saved)
    deed = Deed.objects.get()
    assert (deed.helper, deed.household.code, deed.description) == (world.zhang, "H1", "帮助申请危房改造")
    assert zhang.get(reverse("households:deed-new")).context["form"]["household"].value() == "H1"


def test_a_deed_without_a_description_is_refused(world: World) -> None:
    response = client_for(world.zhang_user).post(
        reverse("households:deed-new"), {"household": "H1", "date": iso(TODAY), "description": "  "}
    )

    assert errors(response) == {"description": [zh(Msg.DEED_TEXT)]}
    assert escape(zh(Msg.DEED_TEXT)) in response.content.decode()
    assert not Deed.objects.exists()


def test_a_plan_revision_is_prefilled_from_the_latest_and_saved(world: World) -> None:
    services.plan_revise(
        user=world.zhang_user, household=world["H1"], date=datetime.date(2023, 2, 1), year=2023, **plan_content()
    )
    zhang = client_for(world.zhang_user)
    url = reverse("households:plan-new", args=["H1"])

    form = zhang.get(url).context["form"]
    assert form["support_measures"].value() == "技能培训，产业奖补"
    assert (form["year"].value(), form["date"].value()) == (2024, TODAY)
    saved = zhang.post(
        url, {"date": "2024-03-01", "year": "2024", **plan_content(support_measures="合作社分红")}, follow=True
    )

    assert "已记录一户一策修订" in page_messages(saved)
    latest = Plan.objects.order_by("-date").first()
    assert (latest.date, latest.year, latest.support_measures) == (datetime.date(2024, 3, 1), 2024, "合作社分红")
    assert Plan.objects.count() == 2  # the earlier revision is kept


def test_a_plan_for_a_wrong_year_is_refused(world: World) -> None:
    response = client_for(world.zhang_user).post(
        reverse("households:plan-new", args=["H1"]), {"date": "2024-03-01", "year": "2026", **plan_content()}
    )

    assert errors(response) == {"year": [zh(Msg.PLAN_YEAR)]}
    assert not Plan.objects.exists()


def test_a_plan_of_another_helpers_household_is_404(world: World) -> None:
    zhang = client_for(world.zhang_user)
    url = reverse("households:plan-new", args=["H3"])

    assert zhang.get(url).status_code == 404
    assert zhang.post(url, {"date": "2024-03-01", "year": "2024", **plan_content()}).status_code == 404
    assert not Plan.objects.exists()


# --- the household page ---------------------------------------------------------------------------


def test_the_household_page_shows_one_timeline(world: World) -> None:
    user = world.zhang_user
    services.plan_revise(user=user, household=world["H1"], date=datetime.date(2024, 2, 1), year=2024, **plan_content())
    services.visit_log(user=user, household=world["H1"], date=datetime.date(2024, 4, 2), housing="屋顶已修好")
    services.deed_log(user=user, household=world["H1"], date=datetime.date(2024, 5, 3), description="联系务工岗位")

    response = client_for(world.clerk).get(reverse("households:household-detail", args=["H1"]))

    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert [(i.kind, i.date) for i in timeline] == [
        ("deed", datetime.date(2024, 5, 3)),
        ("visit", datetime.date(2024, 4, 2)),
        ("plan", datetime.date(2024, 2, 1)),
        ("pairing", START),
    ]
    assert all(i.helper == world.zhang for i in timeline)
    html = response.content.decode()
    for text in ("王福贵户", "兰州市 县620123 乡620123101 村620123101201", "未脱贫", "不愁吃、不愁穿", "张帮扶"):
        assert text in html
    for text in ("联系务工岗位", "住房：屋顶已修好", "技能培训，产业奖补", "2024年5月3日", "2019年7月31日"):
        assert text in html
    for label in ("记录走访", "记录实事好事", "修订一户一策"):
        assert label in html


# --- editing and review ---------------------------------------------------------------------------


def _old(record: Visit | Deed, days: int = 40) -> None:
    type(record).objects.filter(pk=record.pk).update(entered_at=timezone.now() - datetime.timedelta(days=days))


def test_editing_within_the_window_saves_and_history_keeps_who_and_what(world: World) -> None:
    visit = services.visit_log(user=world.zhang_user, household=world["H1"], date=TODAY, problems="缺水")
    zhang = client_for(world.zhang_user)
    url = reverse("households:visit-edit", args=[visit.pk])
    assert zhang.get(url).context["form"]["problems"].value() == "缺水"

    saved = zhang.post(url, {"date": "2024-06-13", "problems": "缺水，已反映", "reason": "补充"}, follow=True)

    assert saved.redirect_chain == [(reverse("households:household-detail", args=["H1"]), 302)]
    assert "已保存修改" in page_messages(saved)
    visit.refresh_from_db()
    assert (visit.date, visit.problems) == (datetime.date(2024, 6, 13), "缺水，已反映")
    latest, before = visit.history.order_by("-history_id")[:2]
    assert (latest.history_user, latest.history_change_reason, latest.problems) == (
        world.zhang_user,
        "补充",
        "缺水，已反映",
    )
    assert (before.problems, before.date) == ("缺水", TODAY)


def test_an_edit_that_changes_nothing_is_refused(world: World) -> None:
    visit = services.visit_log(user=world.zhang_user, household=world["H1"], date=TODAY)

    response = client_for(world.zhang_user).post(
        reverse("households:visit-edit", args=[visit.pk]), {"date": iso(TODAY)}
    )

    assert errors(response) == {"__all__": [zh(Msg.NOTHING_CHANGED)]}


def test_an_edit_to_a_future_date_is_refused(world: World) -> None:
    visit = services.visit_log(user=world.zhang_user, household=world["H1"], date=TODAY)

    response = client_for(world.zhang_user).post(
        reverse("households:visit-edit", args=[visit.pk]), {"date": iso(TODAY + datetime.timedelta(days=2))}
    )

    assert errors(response) == {"date": [zh(Msg.FUTURE_DATE, today="2024-06-14")]}
    visit.refresh_from_db()
    assert visit.date == TODAY


def test_a_late_edit_waits_for_a_reviewer_who_approves_it(world: World) -> None:
    visit = services.visit_log(user=world.zhang_user, household=world["H1"], date=datetime.date(2024, 4, 1))
    _old(visit)
    zhang = client_for(world.zhang_user)

    filed = zhang.post(
        reverse("households:visit-edit", args=[visit.pk]),
        {"date": "2024-04-01", "problems": "漏记：孩子辍学", "reason": "补记"},
        follow=True,
    )

    assert filed.redirect_chain == [(reverse("households:household-detail", args=["H1"]), 302)]
    assert zh(Msg.EDIT_NEEDS_REVIEW) % {"days": 30} in page_messages(filed)
    visit.refresh_from_db()
    assert visit.problems == ""
    edit_request = EditRequest.objects.get()
    assert (edit_request.status, edit_request.requested_by) == (EditRequestStatus.PENDING, world.zhang_user)
    assert "修改待审核" in filed.content.decode()  # on the household's timeline
    assert zhang.get(reverse("households:reviews")).status_code == 403  # a helper does not review

    reviewer = client_for(world.reviewer)
    listed = reviewer.get(reverse("households:reviews"))
    assert [(req, changes) for req, changes in listed.context["pending"]] == [
        (edit_request, [("发现的问题", "", "漏记：孩子辍学")])
    ]
    assert "补记" in listed.content.decode()
    decided = reviewer.post(
        reverse("households:review-decide", args=[edit_request.pk]), {"decision": "approve"}, follow=True
    )

    assert "已批准修改" in page_messages(decided)
    visit.refresh_from_db()
    assert visit.problems == "漏记：孩子辍学"
    assert visit.history.order_by("-history_id").first().history_user == world.reviewer
    edit_request.refresh_from_db()
    assert (edit_request.status, edit_request.reviewed_by) == (EditRequestStatus.APPROVED, world.reviewer)


def test_a_late_deed_edit_can_be_rejected_with_a_note(world: World) -> None:
    deed = services.deed_log(
        user=world.zhang_user, household=world["H1"], date=datetime.date(2024, 4, 1), description="送药"
    )
    _old(deed)
    client_for(world.zhang_user).post(
        reverse("households:deed-edit", args=[deed.pk]), {"date": "2024-04-01", "description": "送药、送米"}
    )
    edit_request = EditRequest.objects.get()
    reviewer = client_for(world.reviewer)
    url = reverse("households:review-decide", args=[edit_request.pk])

    without_note = reviewer.post(url, {"decision": "reject"}, follow=True)
    assert zh(TierMsg.REJECT_NEEDS_NOTE) in page_messages(without_note)
    reviewer.post(url, {"decision": "reject", "review_note": "无凭证"})

    edit_request.refresh_from_db()
    deed.refresh_from_db()
    assert (edit_request.status, edit_request.review_note, deed.description) == (
        EditRequestStatus.REJECTED,
        "无凭证",
        "送药",
    )


def test_the_requester_cannot_approve_their_own_edit(world: World) -> None:
    visit = services.visit_log(user=world.clerk, household=world["H1"], date=datetime.date(2024, 4, 1))
    _old(visit)
    clerk = client_for(world.clerk)
    clerk.post(reverse("households:visit-edit", args=[visit.pk]), {"date": "2024-04-01", "problems": "补记"})
    edit_request = EditRequest.objects.get()

    response = clerk.post(
        reverse("households:review-decide", args=[edit_request.pk]), {"decision": "approve"}, follow=True
    )

    assert zh(TierMsg.REVIEW_OWN_REQUEST) in page_messages(response)
    edit_request.refresh_from_db()
    visit.refresh_from_db()
    assert (edit_request.status, visit.problems) == (EditRequestStatus.PENDING, "")


def test_edits_and_reviews_outside_scope_are_404(world: World) -> None:
    theirs = services.visit_log(user=world.li_user, household=world["H4"], date=TODAY)
    _old(theirs)
    theirs.refresh_from_db()
    services.record_update(user=world.li_user, record=theirs, changes={"problems": "x"})
    edit_request = EditRequest.objects.get()

    assert client_for(world.zhang_user).get(reverse("households:visit-edit", args=[theirs.pk])).status_code == 404
    assert client_for(world.clerk).get(reverse("households:visit-edit", args=[theirs.pk])).status_code == 404
    reviewer = client_for(world.reviewer)
    assert reviewer.get(reverse("households:reviews")).context["pending"] == []
    decide = reverse("households:review-decide", args=[edit_request.pk])
    assert reviewer.post(decide, {"decision": "approve"}).status_code == 404
    edit_request.refresh_from_db()
    assert edit_request.status == EditRequestStatus.PENDING

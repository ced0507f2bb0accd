"""The year-end outputs and the action pages: the 约谈 list by convenor, the award-eligibility list,
assessment caps, their spreadsheets, an action's chain and due process, and the 约谈通知书.

Actions are made directly (``make_action``) on a real R05.1 violation from the compliance engine; the
last test goes through ``escalations_compute`` end to end."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accountability.choices import ActionStatus, RebuttalStatus, RunStatus
from accountability.compliance import engine
from accountability.messages import Msg
from accountability.models import Action, ActionTarget, ActionTrigger, Incident, Rebuttal, Violation
from tests import factories
from tiers.choices import ActionKind, Bearer, PostTitle, Role, TriggerKind
from tiers.messages import Msg as TierMsg
from tiers.models import AssistanceAssignment, DutyRecord, DutyRecordKind, Escalation, Person, Place, Post, Unit

pytestmark = pytest.mark.django_db

D = datetime.date
PROVINCIAL = "省脱贫攻坚帮扶工作协调领导小组"
REBUTTAL_DUE = D(2020, 1, 10)
_keys = count(1)


def make_action(
    *,
    escalation: str = "E05.1",
    kind: str = ActionKind.ADMONISH,
    subject_name: str,
    place: Place,
    unit: Unit | None = None,
    person: Person | None = None,
    bearer: str = Bearer.SUBJECT,
    convenor_name: str = "",
    severity: int = 1,
    status: str = ActionStatus.PROPOSED,
    targets: tuple[tuple[Person, str], ...] = (),
    triggers: tuple[dict[str, Any], ...] = (),
    year: int = 2019,
    rebuttal_due: datetime.date = REBUTTAL_DUE,
    joint_liability: bool = False,
) -> Action:
    """An action as the engine would record it, with its targets and triggers."""
    rule = Escalation.objects.get(code=escalation)
    measure = rule.actions.filter(action=kind).first() or rule.actions.first()
    action = Action.objects.create(
        escalation=rule,
        measure=measure,
        kind=kind,
        bearer=bearer,
        slot="test",
        year=year,
        subject_key=f"K{next(_keys)}",
        unit=unit,
        place=place,
        person=person,
        subject_name=subject_name,
        severity=severity,
        joint_liability=joint_liability,
        convenor=measure.convenor if kind == ActionKind.ADMONISH else "",
        convenor_name=convenor_name,
        trigger_date=D(2019, 12, 31),
        status=status,
        rebuttal_due=rebuttal_due,
    )
    for target, role in targets:
        ActionTarget.objects.create(action=action, person=target, role=role)
    for trigger in triggers:
        ActionTrigger.objects.create(action=action, **{"kind": TriggerKind.VIOLATION, "relation": "self", **trigger})
    return action


def study(unit: Unit, day: datetime.date) -> DutyRecord:
    """A unit's party committee studying the assistance work (counts for R05.1)."""
    record = DutyRecord.objects.create(date=day, title="党委会研究帮扶工作", unit=unit)
    record.kinds.add(DutyRecordKind.objects.filter(rules__code="R05.1").order_by("code").first())
    return record


def check(*rules: str) -> None:
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 12, 31), rules=rules)
    )
    assert run.status == RunStatus.SUCCEEDED, run.error


@dataclass
class World:
    tree: Any
    unit_a: Unit
    unit_b: Unit
    head_a: Person
    deputy_a: Person
    cadre: Person
    violation: Violation
    incident: Incident
    a1: Action  # E05.1 约谈 of unit A (county 620122), provincial leading group, on the R05.1 violation
    a2: Action  # E05.1 约谈 of unit B (county 620521), its group-leader unit
    a3: Action  # E07.1 约谈 of county 620122, provincial leading group
    a4: Action  # E05.2 award ban of unit A, on an incident
    a5: Action  # E05.2 assessment cap of unit A
    a6: Action  # E09.2 promotion ban of a cadre in 620122
    a7: Action  # E09.2 replacement of that cadre
    a8: Action  # E00.1 referral of unit A
    a9: Action  # E05.2 award ban of unit B (620521), a formula-like name
    a10: Action  # a withdrawn 约谈 in 620122


@pytest.fixture
def world(place_tree: Any) -> World:
    county, other = place_tree["620122"], place_tree["620521"]
    village = place_tree["620122101201"]
    unit_a = factories.UnitFactory(code="UA01", name="省测试厅")
    unit_b = factories.UnitFactory(code="UB01", name="省另一厅")
    AssistanceAssignment.objects.create(unit=unit_a, village=village, start=D(2019, 1, 1))
    head_a = factories.PersonFactory(code="PA001", name="张三", unit=unit_a)
    deputy_a = factories.PersonFactory(code="PA002", name="李四", unit=unit_a)
    Post.objects.create(person=head_a, title=PostTitle.PRINCIPAL, unit=unit_a, start=D(2019, 1, 1))
    head_b = factories.PersonFactory(code="PB001", name="王五", unit=unit_b)
    cadre = factories.PersonFactory(code="PC001", name="赵六", unit=unit_a)
    study(unit_a, D(2019, 6, 2))
    check("R05.1")
    violation = Violation.objects.select_related("rule__duty").get(rule__code="R05.1", unit=unit_a)
    incident = Incident.objects.create(
        village=village, date=D(2019, 8, 1), description="因灾返贫未及时处置", unit=unit_a
    )
    principal, deputy = str(PostTitle.PRINCIPAL.label), str(PostTitle.DEPUTY.label)
    a1 = make_action(
        subject_name="省测试厅",
        unit=unit_a,
        place=county,
        convenor_name=PROVINCIAL,
        severity=3,
        targets=((head_a, principal), (deputy_a, deputy)),
        triggers=({"violation": violation, "summary": "R05.1 单位党委研究部署帮扶工作 1/4 次"},),
    )
    a2 = make_action(
        subject_name="省另一厅",
        unit=unit_b,
        place=other,
        convenor_name="组长单位甲",
        targets=((head_b, principal),),
        triggers=({"summary": "R05.1 单位党委研究部署帮扶工作 0/4 次"},),
    )
    a3 = make_action(
        escalation="E07.1",
        subject_name="县620122",
        place=county,
        bearer=Bearer.SUBJECT,
        convenor_name=PROVINCIAL,
        severity=2,
        triggers=({"summary": "R07.3 县级总队长会议 3/12 次"},),
    )
    incident_trigger = {"kind": TriggerKind.INCIDENT, "relation": "assisted_village", "incident": incident}
    a4 = make_action(
        escalation="E05.2",
        kind=ActionKind.AWARD_BAN,
        subject_name="省测试厅",
        unit=unit_a,
        place=county,
        joint_liability=True,
        triggers=({**incident_trigger, "summary": "帮扶村发生重大涉贫事件：因灾返贫未及时处置"},),
    )
    a5 = make_action(
        escalation="E05.2",
        kind=ActionKind.ASSESSMENT_CAP,
        subject_name="省测试厅",
        unit=unit_a,
        place=county,
        triggers=({**incident_trigger, "summary": "帮扶村发生重大涉贫事件"},),
    )
    member = {"escalation": "E09.2", "subject_name": "赵六", "person": cadre, "place": village}
    a6 = make_action(kind=ActionKind.PROMOTION_BAN, bearer=Bearer.MEMBER, **member, triggers=({"summary": "不称职"},))
    a7 = make_action(kind=ActionKind.REPLACEMENT, bearer=Bearer.MEMBER, **member, triggers=({"summary": "不称职"},))
    a8 = make_action(
        escalation="E00.1",
        kind=ActionKind.REFERRAL,
        subject_name="省测试厅",
        unit=unit_a,
        place=county,
        triggers=({"summary": "造成严重后果"},),
    )
    a9 = make_action(
        escalation="E05.2",
        kind=ActionKind.AWARD_BAN,
        subject_name="=HYPERLINK(1)",
        unit=unit_b,
        place=other,
        triggers=({"kind": TriggerKind.FALSIFICATION, "summary": "弄虚作假"},),
    )
    a10 = make_action(subject_name="撤销的约谈", place=county, convenor_name=PROVINCIAL, status=ActionStatus.WITHDRAWN)
    return World(
        place_tree,
        unit_a,
        unit_b,
        head_a,
        deputy_a,
        cadre,
        violation,
        incident,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        a8,
        a9,
        a10,
    )


def with_change_action(user: Any) -> Any:
    """Give ``user`` the permission to decide actions when their role does not carry it (yet)."""
    if not user.has_perm("accountability.change_action"):
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="accountability", codename="change_action")
        )
    return user


@pytest.fixture
def county_client(client: Any, world: World, user_with_role: Any) -> Any:
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world.tree["620122"]))
    return client


@pytest.fixture
def reviewer(world: World, user_with_role: Any) -> Any:
    return with_change_action(user_with_role(Role.PROVINCIAL_GROUP, place=world.tree.province))


@pytest.fixture
def reviewer_client(client: Any, reviewer: Any) -> Any:
    client.force_login(reviewer)
    return client


@pytest.fixture
def liaison(world: World, user_with_role: Any) -> Any:
    return user_with_role(Role.UNIT_LIAISON, unit=world.unit_a)


def page(client: Any, name: str, *args: Any, **params: Any) -> str:
    response = client.get(reverse(f"escalation_outputs:{name}", args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def action_url(action: Action, suffix: str = "") -> str:
    return reverse("escalation_outputs:action", args=[action.pk]) + suffix


def sheet_rows(response: Any) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# --- URLs, login ----------------------------------------------------------------------------------


def test_urls():
    assert reverse("escalation_outputs:admonishments") == "/admonishments/"
    assert reverse("escalation_outputs:awards") == "/awards/"
    assert reverse("escalation_outputs:assessment-caps") == "/assessment-caps/"
    assert reverse("escalation_outputs:action", args=[5]) == "/actions/5/"
    assert reverse("escalation_outputs:notice", args=[5]) == "/actions/5/notice/"


@pytest.mark.parametrize(
    "url", ["/admonishments/", "/awards/", "/assessment-caps/", "/actions/1/", "/actions/1/notice/"]
)
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the 约谈 list ---------------------------------------------------------------------------------


def test_admonishments_are_grouped_by_convenor(reviewer_client, world):
    response = reviewer_client.get("/admonishments/", {"year": 2019})
    groups = [(group.name, [a.pk for a in group.actions]) for group in response.context["groups"]]
    assert groups == [(PROVINCIAL, [world.a1.pk, world.a3.pk]), ("组长单位甲", [world.a2.pk])]
    html = response.content.decode()
    assert html.index(PROVINCIAL) < html.index("组长单位甲")
    assert "张三（主要负责同志）、李四（分管负责同志）" in html
    assert action_url(world.a1) in html and action_url(world.a3) in html
    assert "E05.1" in html and "E07.1" in html
    assert "拟处理" in html
    assert "撤销的约谈" not in html  # withdrawn: not in force


def test_admonishments_status_filter(reviewer_client, world):
    Action.objects.filter(pk=world.a3.pk).update(status=ActionStatus.HELD)

    def listed(**params: Any) -> set[int]:
        groups = reviewer_client.get("/admonishments/", {"year": 2019, **params}).context["groups"]
        return {a.pk for group in groups for a in group.actions}

    assert listed(status="held") == {world.a3.pk}
    assert listed(status="withdrawn") == {world.a10.pk}
    assert listed(status="all") == {world.a1.pk, world.a2.pk, world.a3.pk, world.a10.pk}
    assert listed(status="nonsense") == {world.a1.pk, world.a2.pk, world.a3.pk}
    assert listed(year=2018) == set()


def test_admonishments_of_a_county_user_are_their_countys(county_client, world):
    html = page(county_client, "admonishments", year=2019)
    assert "省测试厅" in html and "县620122" in html
    assert "省另一厅" not in html and "组长单位甲" not in html


def test_admonishments_xlsx(county_client, world):
    response = county_client.get("/admonishments/", {"year": 2019, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="admonishments-2019.xlsx"'
    header, *rows = sheet_rows(response)
    assert header == ("约谈主体", "问责规则", "条款", "承担者", "约谈对象", "严重程度", "状态", "年度", "触发依据")
    assert rows == [
        (PROVINCIAL, "E05.1", "五", "省测试厅", "张三（主要负责同志）、李四（分管负责同志）", 3, "拟处理", 2019,
         "R05.1 单位党委研究部署帮扶工作 1/4 次"),
        (PROVINCIAL, "E07.1", "七", "县620122", None, 2, "拟处理", 2019, "R07.3 县级总队长会议 3/12 次"),
    ]  # fmt: skip


# --- awards and caps ------------------------------------------------------------------------------


def test_awards_list_the_bodies_not_eligible_with_the_reason(county_client, world):
    html = page(county_client, "awards", year=2019)
    assert "省测试厅" in html
    assert "帮扶村发生重大涉贫事件：因灾返贫未及时处置" in html
    assert "E05.2" in html and "连带责任" in html
    assert action_url(world.a4) in html
    assert "HYPERLINK" not in html  # unit B's ban lies in another county
    assert action_url(world.a5) not in html  # an assessment cap is not an award ban


def test_awards_xlsx_escapes_formula_like_names(reviewer_client, world):
    response = reviewer_client.get("/awards/", {"year": 2019, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="awards-2019.xlsx"'
    header, *rows = sheet_rows(response)
    assert header[:6] == ("承担者类型", "承担者编码", "承担者", "问责规则", "条款", "原因")
    assert sorted((r[1], r[2], r[5]) for r in rows) == [
        ("UA01", "省测试厅", "帮扶村发生重大涉贫事件：因灾返贫未及时处置"),
        ("UB01", "'=HYPERLINK(1)", "弄虚作假"),
    ]
    assert {r[6] for r in rows} == {"是", "否"}


def test_awards_xlsx_follows_the_scope(county_client, world):
    rows = sheet_rows(county_client.get("/awards/", {"year": 2019, "format": "xlsx"}))[1:]
    assert [r[2] for r in rows] == ["省测试厅"]


def test_assessment_caps_page_has_its_four_sections(county_client, world):
    response = county_client.get("/assessment-caps/", {"year": 2019})
    sections = {group.name: [a.pk for a in group.actions] for group in response.context["groups"]}
    assert sections == {
        "年度考核不得评为“好”等次": [world.a5.pk],
        "不得提拔重用": [world.a6.pk],
        "调整撤换": [world.a7.pk],
        "依规问责": [world.a8.pk],
    }
    html = response.content.decode()
    assert "赵六" in html and "造成严重后果" in html


def test_assessment_caps_xlsx(county_client, world):
    response = county_client.get("/assessment-caps/", {"year": 2019, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="assessment-caps-2019.xlsx"'
    header, *rows = sheet_rows(response)
    assert header[0] == "措施"
    assert sorted((r[0], r[3]) for r in rows) == sorted(
        [
            ("年度考核不得评为“好”等次", "省测试厅"),
            ("不得提拔重用", "赵六"),
            ("调整撤换", "赵六"),
            ("依规问责", "省测试厅"),
        ]
    )
    assert {r[2] for r in rows if r[3] == "赵六"} == {"PC001"}


# --- the action page: the chain -------------------------------------------------------------------


def test_action_page_shows_the_whole_chain(county_client, world):
    html = page(county_client, "action", world.a1.pk)
    v = world.violation
    # the trigger: the records counted, the figure, the rule's clause and the duty's text
    assert "2019-06-02" in html and "党委会研究帮扶工作" in html
    assert "R05.1" in html and v.rule.clause in html and v.rule.duty.text in html
    assert f"<dd>{v.required}次</dd>" in html and f"<dd>{v.actual}次</dd>" in html
    assert (v.required, v.actual) == (4, 1)
    # then the escalation rule, then the action with convenor and targets
    escalation = world.a1.escalation
    assert escalation.text in html
    assert PROVINCIAL in html and "张三（主要负责同志）" in html and "李四（分管负责同志）" in html
    assert html.index("2019-06-02") < html.index(escalation.text) < html.index("张三（主要负责同志）")
    assert reverse("escalation_outputs:notice", args=[world.a1.pk]) in html


def test_action_page_of_an_incident_shows_the_incident(county_client, world):
    html = page(county_client, "action", world.a4.pk)
    assert "因灾返贫未及时处置" in html and "村620122101201" in html and "2019-08-01" in html
    assert world.a4.escalation.text in html
    assert "约谈通知书" not in html


def test_action_pages_out_of_scope_are_404(county_client, world):
    for action in (world.a2, world.a9):
        assert county_client.get(action_url(action)).status_code == 404
        assert county_client.get(action_url(action, "notice/")).status_code == 404
    assert county_client.get("/actions/999999/").status_code == 404


def test_a_unit_liaison_sees_their_units_actions(client, world, liaison):
    client.force_login(liaison)
    assert client.get(action_url(world.a1)).status_code == 200
    assert client.get(action_url(world.a2)).status_code == 404
    html = page(client, "admonishments", year=2019)
    assert "省测试厅" in html and "省另一厅" not in html


# --- the notice -----------------------------------------------------------------------------------


def test_notice_of_an_admonish_action(county_client, world):
    html = page(county_client, "notice", world.a1.pk)
    assert "约谈通知书" in html
    assert "/static/css/notice.css" in html and "data-print" in html  # A4 print styles, no inline script
    css = (Path(__file__).resolve().parents[2] / "static/css/notice.css").read_text()
    assert "@media print" in css and "size: A4" in css
    assert PROVINCIAL in html
    assert "张三同志" in html and "李四同志" in html
    assert world.a1.escalation.text in html
    assert world.violation.rule.duty.text in html
    assert "R05.1 单位党委研究部署帮扶工作 1/4 次" in html


def test_notice_is_404_for_other_actions(county_client, world):
    for action in (world.a4, world.a5, world.a6, world.a8):
        assert county_client.get(action_url(action, "notice/")).status_code == 404


# --- due process through the forms ----------------------------------------------------------------


def post(client: Any, action: Action, step: str, **data: Any) -> Any:
    return client.post(action_url(action), {"step": step, **data})


def test_confirm_then_record_the_talk(reviewer_client, world, reviewer):
    html = page(reviewer_client, "action", world.a1.pk)
    assert 'value="confirm"' in html and 'value="waive"' in html and 'value="hold"' not in html
    response = post(reviewer_client, world.a1, "confirm", reason="情况属实")
    assert response.status_code == 302 and response["Location"] == action_url(world.a1)
    world.a1.refresh_from_db()
    assert world.a1.status == ActionStatus.CONFIRMED
    assert 'value="hold"' in page(reviewer_client, "action", world.a1.pk)

    missing = post(reviewer_client, world.a1, "hold", held_on="2019-12-20", minutes="")
    assert missing.status_code == 200
    assert str(Msg.ACTION_HELD_NEEDS_DATE) in missing.content.decode()
    world.a1.refresh_from_db()
    assert world.a1.status == ActionStatus.CONFIRMED

    held = post(reviewer_client, world.a1, "hold", held_on="2019-12-20", minutes="约谈了主要负责同志")
    assert held.status_code == 302
    world.a1.refresh_from_db()
    assert (world.a1.status, world.a1.held_on, world.a1.minutes) == (
        ActionStatus.HELD,
        D(2019, 12, 20),
        "约谈了主要负责同志",
    )
    assert [(d.from_status, d.to_status, d.user) for d in world.a1.decisions.all()] == [
        (ActionStatus.PROPOSED, ActionStatus.CONFIRMED, reviewer),
        (ActionStatus.CONFIRMED, ActionStatus.HELD, reviewer),
    ]
    html = page(reviewer_client, "action", world.a1.pk)
    assert "约谈了主要负责同志" in html and "已约谈" in html
    assert 'value="confirm"' not in html and 'value="waive"' not in html


def test_waive_needs_a_reason(reviewer_client, world):
    refused = post(reviewer_client, world.a4, "waive", reason="  ")
    assert refused.status_code == 200
    assert str(Msg.ACTION_NEEDS_REASON) in refused.content.decode()
    world.a4.refresh_from_db()
    assert world.a4.status == ActionStatus.PROPOSED
    assert post(reviewer_client, world.a4, "waive", reason="事件系自然灾害所致").status_code == 302
    world.a4.refresh_from_db()
    assert (world.a4.status, world.a4.decision_reason) == (ActionStatus.WAIVED, "事件系自然灾害所致")
    assert "省测试厅" not in page(reviewer_client, "awards", year=2019)  # a waived ban is no ban


def test_a_step_from_the_wrong_status_is_shown_on_the_form(reviewer_client, world):
    response = post(reviewer_client, world.a1, "hold", held_on="2019-12-20", minutes="x")  # not confirmed yet
    assert response.status_code == 200
    assert str(Msg.ACTION_TRANSITION % {"from": "拟处理", "verb": "登记约谈"}) in response.content.decode()


def test_a_user_not_allowed_to_decide_gets_a_403(client, world, liaison):
    client.force_login(with_change_action(liaison))  # the body the action falls on never decides it
    html = page(client, "action", world.a1.pk)
    assert 'value="confirm"' not in html and 'value="waive"' not in html
    for step, data in (("confirm", {}), ("waive", {"reason": "x"}), ("hold", {"held_on": "2019-12-20"})):
        assert post(client, world.a1, step, **data).status_code == 403
    world.a1.refresh_from_db()
    assert world.a1.status == ActionStatus.PROPOSED


def test_a_reviewer_may_not_rebut_and_an_unknown_step_is_a_400(reviewer_client, world):
    assert post(reviewer_client, world.a1, "rebut", text="x").status_code == 403
    assert post(reviewer_client, world.a1, "delete").status_code == 400


def test_a_rebuttal_filed_by_the_liaison_and_accepted_waives_the_action(
    client, world, liaison, reviewer, today_is, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today_is(D(2020, 1, 5))
    client.force_login(liaison)
    html = page(client, "action", world.a1.pk)
    assert 'value="rebut"' in html and "2020-01-10" in html
    proof = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    response = client.post(
        action_url(world.a1), {"step": "rebut", "text": "已按要求召开4次会议，记录漏录", "attachment": proof}
    )
    assert response.status_code == 302
    (rebuttal,) = Rebuttal.objects.filter(action=world.a1)
    assert (rebuttal.filed_by, rebuttal.status) == (liaison, RebuttalStatus.PENDING)
    attachment = client.get(reverse("escalation_outputs:rebuttal-attachment", args=[world.a1.pk, rebuttal.pk]))
    assert attachment.status_code == 200 and b"".join(attachment.streaming_content) == b"%PDF-1.4 proof"

    client.force_login(reviewer)
    html = page(client, "action", world.a1.pk)
    assert "已按要求召开4次会议，记录漏录" in html and 'value="decide"' in html
    assert post(client, world.a1, "decide", rebuttal=rebuttal.pk, accepted="1", reason="").status_code == 200
    rebuttal.refresh_from_db()
    assert rebuttal.status == RebuttalStatus.PENDING  # a decision needs a reason
    response = post(client, world.a1, "decide", rebuttal=rebuttal.pk, accepted="1", reason="补录的会议记录属实")
    assert response.status_code == 302
    rebuttal.refresh_from_db()
    world.a1.refresh_from_db()
    assert (rebuttal.status, rebuttal.decided_by) == (RebuttalStatus.ACCEPTED, reviewer)
    assert world.a1.status == ActionStatus.WAIVED
    assert world.a1.decision_reason == "申辩成立：补录的会议记录属实"
    assert "申辩成立" in page(client, "action", world.a1.pk)


def test_a_rejected_rebuttal_leaves_the_action(client, world, liaison, reviewer, today_is):
    today_is(D(2020, 1, 5))
    client.force_login(liaison)
    assert post(client, world.a1, "rebut", text="不服").status_code == 302
    rebuttal = Rebuttal.objects.get(action=world.a1)
    client.force_login(reviewer)
    assert post(client, world.a1, "decide", rebuttal=rebuttal.pk, accepted="0", reason="理由不成立").status_code == 302
    rebuttal.refresh_from_db()
    world.a1.refresh_from_db()
    assert (rebuttal.status, world.a1.status) == (RebuttalStatus.REJECTED, ActionStatus.PROPOSED)


def test_a_late_rebuttal_is_refused(client, world, liaison, today_is):
    today_is(D(2020, 1, 11))
    client.force_login(liaison)
    assert 'value="rebut"' not in page(client, "action", world.a1.pk)  # the form is gone after the due date
    response = post(client, world.a1, "rebut", text="迟到的申辩")
    assert response.status_code == 200
    assert str(Msg.REBUTTAL_LATE % {"due": "2020-01-10"}) in response.content.decode()
    assert not Rebuttal.objects.exists()


def test_a_rebuttal_attachment_is_checked_by_its_content(client, world, liaison, today_is, settings, tmp_path):
    """The duty records' checker (tiers.models.duty_records.validate_attachment_content): a file named .pdf
    that does not start like a PDF is refused, and neither the rebuttal nor the file is written."""
    settings.MEDIA_ROOT = tmp_path
    today_is(D(2020, 1, 5))
    client.force_login(liaison)
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(action_url(world.a1), {"step": "rebut", "text": "附上证明", "attachment": fake})
    assert response.status_code == 200
    assert str(TierMsg.ATTACHMENT_CONTENT % {"extension": "pdf"}) in response.content.decode()
    assert not Rebuttal.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_talk_held_before_the_campaign_is_refused(reviewer_client, world):
    assert post(reviewer_client, world.a1, "confirm", reason="情况属实").status_code == 302
    response = post(reviewer_client, world.a1, "hold", held_on="0001-01-01", minutes="约谈了主要负责同志")
    assert response.status_code == 200
    message = TierMsg.DATE_BEFORE_CAMPAIGN % {"field": "约谈日期", "start": "2013-01-01"}
    assert message in response.content.decode()
    world.a1.refresh_from_db()
    assert (world.a1.status, world.a1.held_on) == (ActionStatus.CONFIRMED, None)


def test_someone_else_may_not_rebut(client, world, user_with_role, today_is):
    today_is(D(2020, 1, 5))
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world.tree["620123"]))
    assert client.get(action_url(world.a1)).status_code == 404  # another county: not even seen
    client.force_login(user_with_role(Role.PROVINCIAL_GROUP, place=world.tree.province))
    assert post(client, world.a1, "rebut", text="x").status_code == 403


# --- end to end through the engine ----------------------------------------------------------------


def test_an_r05_1_violation_becomes_an_admonish_on_the_list(reviewer_client, world):
    from accountability.escalation.engine import escalations_compute

    Action.objects.all().delete()
    escalations_compute(year=2019, as_of=D(2019, 12, 31))
    action = Action.objects.get(escalation__code="E05.1", kind=ActionKind.ADMONISH, unit=world.unit_a)
    assert action.triggers.filter(violation=world.violation).exists()
    groups = reviewer_client.get("/admonishments/", {"year": 2019}).context["groups"]
    assert action.pk in {a.pk for group in groups for a in group.actions}
    html = page(reviewer_client, "action", action.pk)
    assert "2019-06-02" in html and world.violation.rule.duty.text in html and action.escalation.text in html
    assert action.convenor_name in html
    assert page(reviewer_client, "notice", action.pk)

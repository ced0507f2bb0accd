"""Bad input to every model's admin form gets a clear Chinese error, and good input saves.

Each case does what a user would: a superuser (language zh-hans) opens the admin add or change page,
keeps what the page shows, changes a few fields and submits. A refused form comes back (200) with
exactly the expected message on the named field, the message is on the rendered page, and no row
was written. Messages are compared with the ``Msg`` constants, or with the full Chinese text when
the message is formatted (so the formatting is tested too).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests import factories
from tiers import models
from tiers.choices import GroupRole, LeadingGroupKind, PostTitle, UnitKind
from tiers.messages import Msg

pytestmark = pytest.mark.django_db

START = datetime.date(2019, 7, 31)
REQUIRED = "该字段是必填项。"  # Django's own messages, as the zh-hans catalogue words them
INVALID_CHOICE = "选择一个有效的选项。 %s 不在可用的选项中。"


# --- helpers --------------------------------------------------------------------------------------


def pk(model: str, **lookup: Any) -> Callable[[], int]:
    """The primary key of a row, looked up when the case runs (fixtures make the rows)."""
    return lambda: apps.get_model("tiers", model).objects.filter(**lookup).order_by("pk").first().pk


def place(code: str) -> Callable[[], int]:
    return pk("place", code=code)


def unit(code: str) -> Callable[[], int]:
    return pk("unit", code=code)


def person(code: str) -> Callable[[], int]:
    return pk("person", code=code)


def admin_url(model: str, target: dict[str, Any] | None = None) -> str:
    """The add page of ``model``, or the change page of the first row matching ``target``."""
    if target is None:
        return reverse(f"admin:tiers_{model}_add")
    return reverse(f"admin:tiers_{model}_change", args=[pk(model, **target)()])


def page_data(response: Any) -> dict[str, Any]:
    """What the page would submit untouched: the main form, and each inline's management form and rows."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:  # empty, or an unticked checkbox: not sent
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def submit(client: Client, url: str, changes: dict[str, Any]) -> Any:
    """Open ``url``, change the fields in ``changes`` (callables give primary keys) and submit."""
    page = client.get(url)
    assert page.status_code == 200
    data = page_data(page)
    data.update({name: value() if callable(value) else value for name, value in changes.items()})
    return client.post(url, data)


def form_errors(response: Any) -> dict[str, list[str]]:
    """The main form's errors as the user reads them (rendered in zh-hans)."""
    with translation.override("zh-hans"):
        return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def inline_formset(response: Any, prefix: str) -> Any:
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    return formset


def inline_errors(response: Any, prefix: str) -> tuple[list[dict[str, list[str]]], list[str]]:
    """Errors of one inline: per row, and those of the whole inline."""
    formset = inline_formset(response, prefix)
    with translation.override("zh-hans"):
        rows = [{field: list(errors) for field, errors in row.items()} for row in formset.errors]
        return rows, list(formset.non_form_errors())


def text(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


def rows(model: str) -> list[dict[str, Any]]:
    return list(apps.get_model("tiers", model).objects.order_by("pk").values())


@pytest.fixture
def admin_zh(client: Client, django_user_model: Any) -> Client:
    """The test client, logged in as a superuser who reads Chinese (no password: hashing is slow)."""
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.com", password=None))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.fixture
def world(place_tree: factories.Tree) -> factories.Tree:
    """The small tree, three units, two people, and one current row of each kind of assignment."""
    t = place_tree
    provincial = factories.UnitFactory(code="UA", name="省直单位甲", place=t.province)
    county_unit = factories.UnitFactory(code="UB", name="县直单位乙", kind=UnitKind.COUNTY_UNIT, place=t["620122"])
    factories.UnitFactory(code="UC", name="省直单位丙", place=t.province)
    zhang = factories.PersonFactory(code="PA", name="张三", unit=provincial)
    factories.PersonFactory(code="PB", name="李四", unit=county_unit)
    models.Post.objects.create(person=zhang, title=PostTitle.PRINCIPAL, unit=provincial, start=START)
    models.ContactLeaderAssignment.objects.create(person=zhang, county=t["620122"], start=START)
    models.GroupLeaderAssignment.objects.create(unit=provincial, county=t["620122"], start=START)
    models.AssistanceAssignment.objects.create(unit=provincial, village=t["620122101201"], start=START)
    models.SectorLeadMembership.objects.create(lead_unit=provincial, member_unit=county_unit, start=START)
    group = models.LeadingGroup.objects.create(
        kind=LeadingGroupKind.COORDINATION, place=t["620122"], name="榆中县领导小组"
    )
    models.LeadingGroupMember.objects.create(group=group, person=zhang, role=GroupRole.HEAD, start=START)
    return t


# --- bad input, one field at a time ---------------------------------------------------------------

NEW_COUNTY = {"parent": place("620100"), "code": "620124", "name": "新县", "level": "county"}
NEW_POST = {"person": person("PA"), "title": "deputy", "unit": unit("UA"), "start": "2020-01-01"}
NEW_CONTACT = {"person": person("PB"), "county": place("620123"), "start": "2020-01-01"}
NEW_GROUP = {"kind": "coordination", "place": place("620123"), "name": "新领导小组"}
NEW_MEMBER = {"group": pk("leadinggroup", name="榆中县领导小组"), "person": person("PB"), "start": "2020-01-01"}
NEW_DOCUMENT = {
    "code": "甘办发〔2020〕1号",
    "title": "新清单",
    "issuer": "省委办公厅",
    "issued_on": "2020-01-01",
    "in_force_from": "2020-01-01",
}
R09_1 = {"code": "R09.1"}


def admin_user() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin").pk


NEW_GRANT = {"user": admin_user, "role": "county_staff", "place": place("620123")}
ADMONISH = {"escalation__code": "E03.1", "action": "admonish"}
TODAY = timezone.localdate()  # what DutyRecord.clean compares with (TIME_ZONE, not the machine's zone)
TOMORROW = TODAY + datetime.timedelta(days=1)
NEW_RECORD_KIND = {"code": "new-kind", "name": "新类别", "clause": "七(二)", "rules": pk("rule", code="R07.2")}
NEW_RECORD = {
    "kinds": pk("dutyrecordkind", code="county-promotion-meeting"),
    "date": "2019-09-01",
    "title": "推进会",
    "place": place("620122"),
}
NEW_FINDING = {
    "duty": pk("duty", code="D02.1"),
    "place": place("620122"),
    "period_start": "2019-07-01",
    "period_end": "2019-12-31",
    "result": "met",
    "evidence": "会议纪要",
}

BAD_INPUT = [
    # Place: the code and the level are checked against the parent (PlaceAdminForm + validate_placement).
    pytest.param("place", None, NEW_COUNTY | {"code": "6201AB"}, "code", Msg.CODE_DIGITS, id="place-code-letters"),
    # Digits are 0-9 only (tiers.validators.is_ascii_digits): str.isdigit took full-width and Arabic-Indic ones.
    pytest.param(
        "place", None, NEW_COUNTY | {"code": "６２０１２３"}, "code", Msg.CODE_DIGITS, id="place-code-full-width"
    ),
    pytest.param("place", None, NEW_COUNTY | {"code": "٦٢٠١٢٣"}, "code", Msg.CODE_DIGITS, id="place-code-arabic-indic"),
    pytest.param(
        "place",
        None,
        NEW_COUNTY | {"code": "62012"},
        "code",
        "县（市、区）的区划代码应为 6 位数字，现为 5 位。",
        id="place-code-length",
    ),
    pytest.param(
        "place",
        None,
        NEW_COUNTY | {"code": "620523"},
        "code",
        "区划代码 620523 与上级 兰州市（620100）不一致：应以 6201 开头。",
        id="place-code-prefix",
    ),
    pytest.param(
        "place",
        None,
        NEW_COUNTY | {"parent": place("620000")},
        "level",
        "甘肃省 之下只能设市（州），不能设县（市、区）。",
        id="place-county-under-province",
    ),
    pytest.param("place", None, NEW_COUNTY | {"parent": ""}, "level", Msg.ROOT_LEVEL, id="place-no-parent"),
    pytest.param(
        "place",
        None,
        NEW_COUNTY | {"code": "620123"},
        "code",
        "区划代码 620123 已被“县620123”使用。",
        id="place-code-taken",
    ),
    pytest.param(
        "place",
        None,
        NEW_COUNTY | {"parent": place("620122101201")},
        "parent",
        "选择一个有效的选项： 该选择不在可用的选项中。",
        id="place-village-as-parent",
    ),
    pytest.param("place", {"code": "620122"}, {"code": "62012X"}, "code", Msg.CODE_DIGITS, id="place-change-letters"),
    pytest.param(
        "place",
        {"code": "620122"},
        {"code": "620123"},
        "code",
        "区划代码 620123 已被“县620123”使用。",
        id="place-change-code-taken",
    ),
    # Unit, Person: codes and phone.
    pytest.param(
        "unit",
        None,
        {"code": "ua 1", "name": "新单位", "kind": "university", "place": place("620000")},
        "code",
        Msg.UNIT_CODE,
        id="unit-code",
    ),
    pytest.param("unit", {"code": "UA"}, {"kind": "ministry"}, "kind", INVALID_CHOICE % "ministry", id="unit-kind"),
    pytest.param("person", {"code": "PA"}, {"code": "pa"}, "code", Msg.PERSON_CODE, id="person-code"),
    pytest.param("person", {"code": "PA"}, {"phone": "找办公室"}, "phone", Msg.PHONE, id="person-phone"),
    # Post: dates, and exactly one organisation.
    pytest.param("post", None, NEW_POST | {"end": "2019-12-31"}, "end", Msg.DATES_ORDER, id="post-dates"),
    pytest.param(
        "post", None, NEW_POST | {"place": place("620122")}, "__all__", Msg.POST_ORG, id="post-unit-and-place"
    ),
    pytest.param("post", None, NEW_POST | {"unit": ""}, "__all__", Msg.POST_ORG, id="post-no-organisation"),
    # ContactLeaderAssignment.
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"county": place("620100")},
        "county",
        Msg.MUST_BE_COUNTY,
        id="contact-county-not-county",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"charged_township": place("620122101")},
        "charged_township",
        Msg.CHARGE_OUTSIDE_COUNTY,
        id="contact-township-outside-county",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"charged_village": place("620122101201")},
        "charged_village",
        Msg.CHARGE_OUTSIDE_COUNTY,
        id="contact-village-outside-county",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"charged_township": place("620123101201")},
        "charged_township",
        Msg.MUST_BE_TOWNSHIP,
        id="contact-township-not-township",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"charged_village": place("620123101")},
        "charged_village",
        Msg.MUST_BE_VILLAGE,
        id="contact-village-not-village",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"county": place("620122")},
        "__all__",
        "同一时期已有相同的任职或分工（张三 → 县620122），请先结束原记录。",
        id="contact-overlap",
    ),
    pytest.param(
        "contactleaderassignment",
        None,
        NEW_CONTACT | {"end": "2019-01-01"},
        "end",
        Msg.DATES_ORDER,
        id="contact-dates",
    ),
    # GroupLeaderAssignment.
    pytest.param(
        "groupleaderassignment",
        None,
        {"unit": unit("UC"), "county": place("620123101"), "start": "2020-01-01"},
        "county",
        Msg.MUST_BE_COUNTY,
        id="group-leader-county-not-county",
    ),
    pytest.param(
        "groupleaderassignment",
        None,
        {"unit": unit("UC"), "county": place("620122"), "start": "2020-01-01"},
        "__all__",
        "同一时期已有相同的任职或分工（省直单位甲 → 县620122），请先结束原记录。",
        id="group-leader-overlap",
    ),
    # AssistanceAssignment.
    pytest.param(
        "assistanceassignment",
        None,
        {"unit": unit("UA"), "village": place("620122101"), "start": "2020-01-01"},
        "village",
        Msg.MUST_BE_VILLAGE,
        id="assistance-village-not-village",
    ),
    pytest.param(
        "assistanceassignment",
        None,
        {"unit": unit("UA"), "village": place("620122101201"), "start": "2020-01-01"},
        "__all__",
        "同一时期已有相同的任职或分工（省直单位甲 → 村620122101201），请先结束原记录。",
        id="assistance-overlap",
    ),
    # SectorLeadMembership.
    pytest.param(
        "sectorleadmembership",
        None,
        {"lead_unit": unit("UC"), "member_unit": unit("UC"), "start": "2020-01-01"},
        "member_unit",
        Msg.LEAD_UNIT_NOT_SELF,
        id="sector-lead-self",
    ),
    pytest.param(
        "sectorleadmembership",
        None,
        {"lead_unit": unit("UC"), "member_unit": unit("UB"), "start": "2020-01-01"},
        "__all__",
        "同一时期已有相同的任职或分工（省直单位甲 → 县直单位乙），请先结束原记录。",
        id="sector-lead-overlap",
    ),
    # LeadingGroup and its members.
    pytest.param(
        "leadinggroup",
        None,
        NEW_GROUP | {"kind": "village_work", "place": place("620100")},
        "place",
        Msg.VILLAGE_WORK_COUNTY,
        id="group-village-work-not-county",
    ),
    pytest.param(
        "leadinggroup",
        None,
        NEW_GROUP | {"place": place("620123101")},
        "place",
        Msg.GROUP_PLACE_LEVEL,
        id="group-at-township",
    ),
    pytest.param(
        "leadinggroup",
        None,
        NEW_GROUP | {"place": place("620122")},
        "__all__",
        "包含 类别 和 行政区划 的 领导小组 已经存在。",
        id="group-duplicate",
    ),
    pytest.param(
        "leadinggroupmember",
        None,
        NEW_MEMBER | {"role": "head"},
        "__all__",
        "同一时期已有相同的任职或分工（榆中县领导小组 组长 张三），请先结束原记录。",
        id="member-two-heads",
    ),
    pytest.param(
        "leadinggroupmember",
        None,
        NEW_MEMBER | {"role": "member", "end": "2019-12-31"},
        "end",
        Msg.DATES_ORDER,
        id="member-dates",
    ),
    # The catalogue.
    pytest.param("document", None, NEW_DOCUMENT | {"title": ""}, "title", REQUIRED, id="document-title-missing"),
    pytest.param("document", None, NEW_DOCUMENT | {"issued_on": ""}, "issued_on", REQUIRED, id="document-date-missing"),
    pytest.param(
        "document",
        None,
        NEW_DOCUMENT | {"issued_on": "2020-13-01"},
        "issued_on",
        "输入一个有效的日期。",
        id="document-date-invalid",
    ),
    pytest.param("tier", {"code": "T02"}, {"code": "T2"}, "code", Msg.TIER_CODE, id="tier-code"),
    pytest.param("duty", {"code": "D02.1"}, {"code": "D2.1"}, "code", Msg.DUTY_CODE, id="duty-code"),
    pytest.param("escalation", {"code": "E03.1"}, {"code": "E3.1"}, "code", Msg.ESCALATION_CODE, id="escalation-code"),
    pytest.param("rule", R09_1, {"code": "R9.1"}, "code", Msg.RULE_CODE, id="rule-code"),
    pytest.param("rule", R09_1, {"minimum": "0"}, "minimum", Msg.MINIMUM_POSITIVE, id="rule-minimum-zero"),
    pytest.param(
        "rule", R09_1, {"minimum": "-1"}, "minimum", "确保该值大于或等于0。", id="rule-minimum-negative-django"
    ),
    pytest.param(
        "rule",
        R09_1,
        {"minimum_by_rank": '{"colonel": 3}'},
        "minimum_by_rank",
        Msg.MINIMUM_BY_RANK,
        id="rule-by-rank-unknown-rank",
    ),
    pytest.param(
        "rule",
        R09_1,
        {"minimum_by_rank": '{"bureau": 0}'},
        "minimum_by_rank",
        Msg.MINIMUM_BY_RANK,
        id="rule-by-rank-zero",
    ),
    pytest.param(
        "rule",
        R09_1,
        {"minimum_by_rank": '["bureau", 3]'},
        "minimum_by_rank",
        Msg.MINIMUM_BY_RANK,
        id="rule-by-rank-not-a-mapping",
    ),
    pytest.param(
        "rule",
        R09_1,
        {"minimum_by_rank": '{"bureau": 3'},
        "minimum_by_rank",
        "输入一个有效的JSON。",
        id="rule-by-rank-not-json",
    ),
    pytest.param(
        "rule",
        R09_1,
        {"period": "point", "pro_rated": "on"},
        "pro_rated",
        Msg.POINT_NOT_PRO_RATED,
        id="rule-point-pro-rated",
    ),
    pytest.param("rule", R09_1, {"deadline": "13-40"}, "deadline", Msg.DEADLINE_FORMAT, id="rule-deadline"),
    pytest.param(
        "rule", R09_1, {"duty": pk("duty", code="D02.1")}, "duty", Msg.RULE_DUTY_TIER, id="rule-duty-other-tier"
    ),
    pytest.param(
        "escalationtrigger",
        {"escalation__code": "E03.1"},
        {"kind": "rumour"},
        "kind",
        INVALID_CHOICE % "rumour",
        id="trigger-kind",
    ),
    pytest.param(
        "escalationtrigger",
        {"escalation__code": "E03.1"},
        {"escalation": ""},
        "escalation",
        REQUIRED,
        id="trigger-no-escalation",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"min_severity": "3", "max_severity": "1"},
        "max_severity",
        Msg.SEVERITY_RANGE,
        id="action-severity-range",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"max_severity": "4"},
        "max_severity",
        "确保该值小于或等于3。",
        id="action-severity-above-3",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"convenor": ""},
        "convenor",
        Msg.ADMONISH_NEEDS_CONVENOR,
        id="action-admonish-without-convenor",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"targets": "[]"},
        "targets",
        Msg.ADMONISH_NEEDS_TARGETS,
        id="action-admonish-without-targets",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"targets": '["principal", "mayor"]'},
        "targets",
        Msg.TARGETS_INVALID,
        id="action-unknown-target",
    ),
    pytest.param(
        "escalationaction",
        ADMONISH,
        {"targets": '"principal"'},
        "targets",
        Msg.TARGETS_INVALID,
        id="action-targets-not-a-list",
    ),
    pytest.param(
        "policy", {"key": "rebuttal_days"}, {"value": "十天"}, "value", "输入一个数字。", id="policy-value-not-number"
    ),
    pytest.param(
        "policy", {"key": "rebuttal_days"}, {"description": ""}, "description", REQUIRED, id="policy-no-description"
    ),
    # RoleAssignment: the node must fit the role.
    pytest.param(
        "roleassignment",
        None,
        NEW_GRANT | {"place": place("620100")},
        "place",
        "角色“县（市、区）工作人员”必须授予在县（市、区）一级的行政区划上。",
        id="grant-county-role-on-prefecture",
    ),
    pytest.param(
        "roleassignment",
        None,
        NEW_GRANT | {"role": "unit_liaison"},
        "unit",
        "角色“帮扶单位联络员”必须授予在一个单位上。",
        id="grant-liaison-without-unit",
    ),
    pytest.param(
        "roleassignment",
        None,
        NEW_GRANT | {"role": "helper", "place": ""},
        "user",
        Msg.ROLE_NEEDS_PERSON,
        id="grant-helper-without-person",
    ),
    # Duty records of tiers 2–8: the kind's code is a slug, a record is not dated in the future, and a
    # finding's period ends after it starts.
    pytest.param(
        "dutyrecordkind",
        None,
        NEW_RECORD_KIND | {"code": "county promotion"},
        "code",
        "输入由字母，数字，下划线或连字符号组成的有效“字段”。",
        id="record-kind-code-not-slug",
    ),
    pytest.param(
        "dutyrecord",
        None,
        NEW_RECORD | {"date": f"{TOMORROW:%Y-%m-%d}"},
        "date",
        f"日期不能晚于今天（{TODAY:%Y-%m-%d}）。",
        id="record-in-the-future",
    ),
    pytest.param(
        "dutyrecord",
        None,
        NEW_RECORD | {"date": "0001-01-01"},
        "date",
        "日期不能早于 2013-01-01（精准扶贫工作开始之前没有记录）。",
        id="record-before-the-campaign",
    ),
    pytest.param(
        "finding",
        None,
        NEW_FINDING | {"period_start": "2012-12-31"},
        "period_start",
        "期间开始不能早于 2013-01-01（精准扶贫工作开始之前没有记录）。",
        id="finding-before-the-campaign",
    ),
    pytest.param(
        "finding",
        None,
        NEW_FINDING | {"period_end": "2019-06-30"},
        "period_end",
        Msg.DATES_ORDER,
        id="finding-ends-before-it-starts",
    ),
]


@pytest.mark.parametrize(("model", "target", "changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_chinese_message(
    admin_zh: Client, world: Any, model: str, target: Any, changes: dict, field: str, message: Any
) -> None:
    before = rows(model)

    response = submit(admin_zh, admin_url(model, target), changes)

    assert response.status_code == 200
    assert form_errors(response) == {field: [text(message)]}
    assert escape(text(message)) in response.content.decode()
    assert rows(model) == before


def test_every_registered_model_has_a_bad_input_case() -> None:
    registered = {m._meta.model_name for m in admin.site._registry if m._meta.app_label == "tiers"}
    assert registered == {case.values[0] for case in BAD_INPUT}


# --- bad input in inline rows ---------------------------------------------------------------------


def test_person_with_a_bad_post_row_is_refused(admin_zh: Client, world: Any) -> None:
    people, posts = rows("person"), rows("post")
    changes = {
        "code": "PC",
        "name": "王五",
        "rank": "division",
        "unit": unit("UA"),
        "posts-TOTAL_FORMS": "1",
        "posts-0-title": "principal",
        "posts-0-unit": unit("UA"),
        "posts-0-place": place("620122"),
        "posts-0-start": "2020-01-01",
        "posts-0-end": "2019-12-31",
    }

    response = submit(admin_zh, admin_url("person"), changes)

    assert response.status_code == 200
    assert inline_errors(response, "posts") == (
        [{"end": [text(Msg.DATES_ORDER)], "__all__": [text(Msg.POST_ORG)]}],
        [],
    )
    assert rows("person") == people
    assert rows("post") == posts


def test_two_overlapping_heads_entered_together_are_refused(admin_zh: Client, world: Any) -> None:
    members = rows("leadinggroupmember")
    changes = NEW_GROUP | {
        "name": "永登县领导小组",
        "members-TOTAL_FORMS": "2",
        "members-0-person": person("PA"),
        "members-0-role": "head",
        "members-0-start": "2020-01-01",
        "members-1-person": person("PB"),
        "members-1-role": "head",
        "members-1-start": "2020-06-01",
    }

    response = submit(admin_zh, admin_url("leadinggroup"), changes)

    assert response.status_code == 200
    assert inline_errors(response, "members") == (
        [{}, {}],
        ["同一时期已有相同的任职或分工（永登县领导小组 组长 张三），请先结束原记录。"],
    )
    assert not models.LeadingGroup.objects.filter(name="永登县领导小组").exists()
    assert rows("leadinggroupmember") == members


def test_a_second_head_added_on_the_group_page_is_refused(admin_zh: Client, world: Any) -> None:
    members = rows("leadinggroupmember")
    changes = {
        "members-TOTAL_FORMS": "2",
        "members-1-person": person("PB"),
        "members-1-role": "head",
        "members-1-start": "2020-01-01",
    }

    response = submit(admin_zh, admin_url("leadinggroup", {"name": "榆中县领导小组"}), changes)

    assert response.status_code == 200
    assert inline_errors(response, "members")[0][1] == {
        "__all__": ["同一时期已有相同的任职或分工（榆中县领导小组 组长 张三），请先结束原记录。"]
    }
    assert rows("leadinggroupmember") == members


def test_escalation_with_bad_trigger_and_action_rows_is_refused(admin_zh: Client, world: Any) -> None:
    triggers, actions = rows("escalationtrigger"), rows("escalationaction")
    url = admin_url("escalation", {"code": "E03.1"})
    shown = inline_formset(admin_zh.get(url), "actions").forms
    admonish = next(index for index, form in enumerate(shown) if form.instance.action == "admonish")
    changes = {
        "triggers-0-kind": "rumour",
        f"actions-{admonish}-convenor": "",
        f"actions-{admonish}-targets": '["mayor"]',
    }

    response = submit(admin_zh, url, changes)

    assert response.status_code == 200
    assert inline_errors(response, "triggers")[0][0] == {"kind": [INVALID_CHOICE % "rumour"]}
    assert inline_errors(response, "actions")[0][admonish] == {
        "convenor": [text(Msg.ADMONISH_NEEDS_CONVENOR)],
        "targets": [text(Msg.TARGETS_INVALID)],
    }
    assert rows("escalationtrigger") == triggers
    assert rows("escalationaction") == actions


# --- good input saves -----------------------------------------------------------------------------


def test_a_good_county_is_added_under_its_prefecture(admin_zh: Client, world: Any) -> None:
    response = submit(admin_zh, admin_url("place"), NEW_COUNTY)

    assert response.status_code == 302
    county = models.Place.objects.get(code="620124")
    assert (county.name, county.level, models.Place.objects.get_parent(county).code) == ("新县", "county", "620100")


def test_a_good_code_change_of_a_place_is_saved(admin_zh: Client, world: Any) -> None:
    response = submit(admin_zh, admin_url("place", {"code": "620122101"}), {"code": "620122102"})

    assert response.status_code == 302
    assert models.Place.objects.filter(code="620122102", level="township").exists()


def test_a_good_contact_leader_assignment_is_saved(admin_zh: Client, world: Any) -> None:
    changes = NEW_CONTACT | {"charged_township": place("620123101"), "charged_village": place("620123101202")}

    response = submit(admin_zh, admin_url("contactleaderassignment"), changes)

    assert response.status_code == 302
    assert models.ContactLeaderAssignment.objects.get(county__code="620123").charged_village.code == "620123101202"


def test_successive_heads_are_saved(admin_zh: Client, world: Any) -> None:
    changes = NEW_GROUP | {
        "members-TOTAL_FORMS": "2",
        "members-0-person": person("PA"),
        "members-0-role": "head",
        "members-0-start": "2019-01-01",
        "members-0-end": "2019-12-31",
        "members-1-person": person("PB"),
        "members-1-role": "head",
        "members-1-start": "2020-01-01",
    }

    response = submit(admin_zh, admin_url("leadinggroup"), changes)

    assert response.status_code == 302
    assert models.LeadingGroup.objects.get(name="新领导小组").members.count() == 2


def test_a_good_rule_change_is_saved(admin_zh: Client, world: Any) -> None:
    changes = {"minimum": "200", "minimum_by_rank": "", "deadline": "12-31"}

    response = submit(admin_zh, admin_url("rule", R09_1), changes)

    assert response.status_code == 302
    rule = models.Rule.objects.get(code="R09.1")
    assert (rule.minimum, rule.minimum_by_rank, rule.deadline) == (200, {}, "12-31")


def test_an_action_without_targets_is_saved(admin_zh: Client, world: Any) -> None:
    target = {"escalation__code": "E03.2", "action": "award_ban"}

    response = submit(admin_zh, admin_url("escalationaction", target), {"targets": "", "joint_liability": "on"})

    assert response.status_code == 302
    action = models.EscalationAction.objects.get(escalation__code="E03.2", action="award_ban")
    assert (action.targets, action.joint_liability) == ([], True)

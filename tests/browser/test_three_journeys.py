"""The three main journeys, end to end and one after the other in Debian's chromium (issue 10): an
administrator imports the roster; a helper it names logs visits on a phone; after the year's compliance
and escalation runs (beat's work, done here by the same services), the provincial group reviews the
dashboard and confirms the 约谈 of the helper who never visited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accountability.compliance import engine as compliance
from accountability.escalation.engine import escalations_compute
from accountability.models import Action
from households.models import Visit
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_roster_journey import tasks  # noqa: F401 — the fixture: a real worker in CI
from tests.rosters.test_workbook import HH, PAIR, xlsx
from tiers import services
from tiers.choices import Role
from tiers.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"
UNITS = ["单位编码", "单位名称", "单位类别", "所属区划代码"]
PEOPLE = ["人员编码", "姓名", "职级", "所在单位编码"]
POSTS = ["人员编码", "职务", "单位编码", "区划代码", "开始日期", "结束日期"]


def test_import_log_review_and_confirm(phone: Any, place_tree: Any, tasks: bool, tmp_path: Any, settings: Any) -> None:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    year = timezone.localdate().year - 1
    start = f"{year}-01-01"
    factories.UserFactory(username="guanli", is_superuser=True, is_staff=True)
    workbook = tmp_path / "榆中县名册.xlsx"
    workbook.write_bytes(
        xlsx(
            {
                "单位": [UNITS, ["X-NY", "县农业农村局", "县（市、区）单位", "620123"]],
                "人员": [PEOPLE, ["P-J0", "赵局长", "处级", "X-NY"], ["P-J1", "王帮扶", "科级及以下", "X-NY"],
                         ["P-J2", "李帮扶", "科级及以下", "X-NY"]],
                "任职": [POSTS, ["P-J0", "主要负责同志", "X-NY", None, start]],
                "帮扶户": [HH, ["H-J1", "张福", "620123101201", 4], ["H-J2", "赵贵", "620123101202", 3]],
                "结对帮扶": [PAIR, ["P-J1", "H-J1", start], ["P-J2", "H-J2", start]],
            }
        )
    )  # fmt: skip

    # 1. The administrator imports the roster: upload, preview, confirm.
    log_in(phone, "guanli", PASSWORD)
    phone.goto(f"{phone.base_url}/rosters/import/")
    phone.set_input_files("input[type=file]", str(workbook))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并预览").tap()
    phone.wait_for_selector("#outcome", timeout=60_000)
    assert "已预览" in phone.locator("#outcome").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认导入").tap()
    phone.wait_for_selector("#outcome", timeout=60_000)
    assert "已导入" in phone.locator("#outcome").inner_text()
    phone.context.clear_cookies()

    # 2. The helper 王帮扶 (their account linked to the imported person) logs two visits on the phone.
    user = factories.UserFactory(username="wangbangfu")
    Person.objects.filter(code="P-J1").update(user=user)
    services.role_grant(user=user, role=Role.HELPER)
    log_in(phone, "wangbangfu", PASSWORD)
    for day in (datetime.date(year, 3, 5), datetime.date(year, 9, 12)):
        phone.goto(f"{phone.base_url}/helper/")
        assert "张福户" in phone.locator("main").inner_text()
        with phone.expect_navigation():
            phone.get_by_role("link", name="记录走访").first.tap()
        phone.locator("[name=household]").select_option("H-J1")
        phone.locator("[name=date]").fill(day.isoformat())
        with phone.expect_navigation():
            phone.get_by_role("button", name="保存").tap()
        assert "已记录走访" in phone.content()
    assert list(Visit.objects.values_list("household__code", "entered_by__username")) == [("H-J1", "wangbangfu")] * 2
    phone.context.clear_cookies()

    # 3. Beat's work: the year's compliance run, then the escalation engine.
    run = compliance.compliance_run_execute(
        compliance.compliance_run_create(trigger="beat", year=year, rules=["R10.2"])
    )
    assert run.status == "succeeded"
    escalations_compute(year=year)
    action = Action.objects.get(escalation__code="E10.1")
    assert action.person.code == "P-J2"  # 王帮扶 visited twice; 李帮扶 never

    # 4. The provincial group reviews the dashboard, then confirms the 约谈.
    services.role_grant(user=factories.UserFactory(username="shengzu"), role=Role.PROVINCIAL_GROUP,
                        place=place_tree.province)  # fmt: skip
    log_in(phone, "shengzu", PASSWORD)
    phone.goto(f"{phone.base_url}/dashboard/?year={year}")
    assert "甘肃省" in phone.locator("h1").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("link", name="兰州市").first.tap()
    with phone.expect_navigation():
        phone.get_by_role("link", name="县620123").first.tap()
    assert "R10.2" in phone.locator("main").inner_text()  # the rule its helpers fail, among the county's rules

    phone.goto(f"{phone.base_url}/admonishments/?year={year}")
    with phone.expect_navigation():
        phone.get_by_role("link", name="李帮扶").first.tap()
    assert "应达到 2，实际 0" in phone.content()
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认").tap()
    action.refresh_from_db()
    assert action.status == "confirmed"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

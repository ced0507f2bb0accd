"""Audit (issue 10): every change of a record is kept with who, when and the values before, and is
shown on the record's page; bulk imports write the same history per record; the compliance engine's
writes are recorded per run (who or what started it, when) on each violation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accountability.compliance import engine
from accountability.models import Violation
from households.models import Visit
from rosters.services import roster_import
from tests.factories import PersonFactory, UserFactory, user_with_role
from tests.households.factories import HouseholdFactory, PairingFactory
from tests.rosters.test_workbook import HH, xlsx
from tiers.choices import Role

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def staff(place_tree: Any) -> Client:
    client = Client()
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    return client


def test_a_change_is_shown_on_the_records_page_with_who_when_and_the_value_before(
    place_tree: Any, staff: Client
) -> None:
    household = HouseholdFactory(code="H-AUDIT", village=place_tree["620123101201"], members=4)
    editor = UserFactory(username="editor", first_name="", last_name="")
    household._history_user = editor
    household.members = 5
    household.save()
    page = staff.get(reverse("households:household-detail", args=["H-AUDIT"])).content.decode()
    assert "建档立卡贫困户的修改记录" in page
    assert "家庭人口：4 → 5" in page and "editor" in page
    latest, first = household.history.order_by("-history_id")
    assert (latest.history_type, latest.history_user, latest.members) == ("~", editor, 5)
    assert (first.history_type, first.members) == ("+", 4)


def test_a_visit_edited_on_its_page_keeps_the_text_before(place_tree: Any, user_with_role: Any, today_is: Any) -> None:
    today_is(D(2019, 3, 10))
    village = place_tree["620123101201"]
    helper = PersonFactory(code="P-AUDIT")
    household = HouseholdFactory(village=village)
    PairingFactory(helper=helper, household=household, start=D(2019, 1, 1))
    visit = Visit.objects.create(helper=helper, household=household, date=D(2019, 3, 5), industry="种植")
    user = user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="xiaowang")
    client = Client()
    client.force_login(user)
    url = reverse("households:visit-edit", args=[visit.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {name: value for name, value in form.context["form"].initial.items() if value is not None}
    data |= {"date": "2019-03-05", "industry": "种植中药材 2 亩", "reason": "补充"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(url).content.decode()
    assert "产业：种植 → 种植中药材 2 亩" in page and "xiaowang" in page


def test_a_roster_import_shows_on_the_households_page_as_its_reason(place_tree: Any, staff: Client) -> None:
    roster = xlsx({"帮扶户": [HH, ["H-ROSTER", "张三", "620123101201", 4]]})
    admin = UserFactory(username="importer")
    assert roster_import(roster, file_name="三月名册.xlsx", dry_run=False, user=admin).saved
    again = xlsx({"帮扶户": [HH, ["H-ROSTER", "张三", "620123101201", 6]]})
    assert roster_import(again, file_name="四月名册.xlsx", dry_run=False, user=admin).saved
    page = staff.get(reverse("households:household-detail", args=["H-ROSTER"])).content.decode()
    assert "花名册导入：三月名册.xlsx" in page and "花名册导入：四月名册.xlsx" in page
    assert "家庭人口：4 → 6" in page and "importer" in page


def test_a_violation_names_the_runs_that_found_and_last_changed_it(place_tree: Any, user_with_role: Any) -> None:
    starter = UserFactory(username="runner")
    run = engine.compliance_run_create(
        trigger="command", year=2019, as_of=D(2019, 5, 20), rules=["R07.3"], user=starter
    )
    assert engine.compliance_run_execute(run).status == "succeeded"
    again = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 5, 21), rules=["R07.3"])
    )
    # May is still open: its warning is rewritten by every run; the closed months keep their run.
    violation = Violation.objects.get(place__code="620123", status="at_risk")
    assert (violation.first_run_id, violation.run_id) == (run.pk, again.pk)
    client = Client()
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    page = client.get(f"/dashboard/violations/{violation.pk}/").content.decode()
    assert f"第 {run.pk} 次合规评估" in page and "runner" in page and f"第 {again.pk} 次合规评估" in page

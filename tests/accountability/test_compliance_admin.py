"""The admin of the compliance engine: starting a run, and violations scoped like every list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from accountability.compliance import engine
from accountability.models import ComplianceRun, Violation
from tests.factories import UserFactory
from tiers.choices import Role

pytestmark = pytest.mark.django_db


def test_an_administrator_starts_a_run_from_the_admin(client: Any, django_capture_on_commit_callbacks: Any) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accountability_compliancerun_add")
    form = {"year": "2019", "as_of": "2019-12-31", "mode": "all", "rule_codes": "r07.3, R08.2"}

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, form)

    assert response.status_code == 302
    run = ComplianceRun.objects.get()
    assert (run.trigger, run.user, run.rules, run.as_of) == (
        "user",
        admin,
        ["R07.3", "R08.2"],
        datetime.date(2019, 12, 31),
    )
    assert len(callbacks) == 1  # the run is sent to the workers once the transaction commits

    bad = client.post(url, {**form, "rule_codes": "R99.9"})
    assert bad.status_code == 200 and "R99.9" in bad.content.decode()
    assert ComplianceRun.objects.count() == 1


def test_violations_in_the_admin_are_scoped(client: Any, place_tree: Any, user_with_role: Any) -> None:
    engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=datetime.date(2019, 12, 31), rules=["R07.2"])
    )
    mine, other = (Violation.objects.get(place=place_tree[code]) for code in ("620123", "620521"))
    user = user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], is_staff=True)
    client.force_login(user)

    page = client.get(reverse("admin:accountability_violation_changelist"))
    assert page.status_code == 200
    assert [v.pk for v in page.context["cl"].result_list] == [mine.pk]
    assert client.get(reverse("admin:accountability_violation_change", args=[mine.pk])).status_code == 200
    hidden = client.get(reverse("admin:accountability_violation_change", args=[other.pk]))
    assert hidden.status_code in (302, 404)
    assert client.get(reverse("admin:accountability_compliancerun_add")).status_code == 403

"""Threshold changes are kept with who and when (django-simple-history), made through the admin."""

import pytest
from django.urls import reverse

from tests import factories
from tiers.models import Policy, Rule

pytestmark = pytest.mark.django_db


def rule_form(rule: Rule, **changes) -> dict:
    data = {
        "tier": rule.tier_id,
        "duty": rule.duty_id,
        "code": rule.code,
        "clause": rule.clause,
        "subject_kind": rule.subject_kind,
        "subject": rule.subject,
        "counted": rule.counted,
        "period": rule.period,
        "measure": rule.measure,
        "minimum": rule.minimum,
        "minimum_by_rank": "{}",
        "unit": rule.unit,
        "pro_rated": "on" if rule.pro_rated else "",
        "deadline": rule.deadline,
        "note": rule.note,
        "active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_admin_threshold_change_is_kept_with_who_and_when(client):
    admin = factories.UserFactory(username="shenhe", is_staff=True, is_superuser=True)
    client.force_login(admin)
    rule = Rule.objects.get(code="R09.1")

    response = client.post(reverse("admin:tiers_rule_change", args=[rule.pk]), rule_form(rule, minimum=200))
    assert response.status_code == 302

    rule.refresh_from_db()
    assert rule.minimum == 200
    latest, previous = rule.history.order_by("-history_date")[:2]
    assert latest.minimum == 200 and latest.history_user == admin and latest.history_type == "~"
    assert previous.minimum == 220 and previous.history_type == "+"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("minimum", 220, 200)]

    history_page = client.get(reverse("admin:tiers_rule_history", args=[rule.pk]))
    assert history_page.status_code == 200
    assert "shenhe" in history_page.content.decode()


def test_policy_change_is_kept():
    policy = Policy.objects.get(key="rebuttal_days")
    policy.value = 15
    policy.save()
    assert [h.value for h in policy.history.order_by("history_date")] == [10, 15]

"""Tasks run on a real Celery worker over the Redis broker (CI), never in eager mode."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.celery_worker


def test_worker_reaches_the_test_database(celery_app_worker):
    from accountability.tasks import health_check

    result = health_check.delay().get(timeout=30)
    assert result["database"] == "postgresql"
    assert result["rules"] == 25


def test_check_services_round_trip(celery_app_worker, capsys):
    call_command("check_services", timeout=30)
    out = capsys.readouterr().out
    assert "Celery 工作进程" in out
    assert "启用规则 25 条" in out


def test_a_deactivated_rule_is_seen_by_the_worker(celery_app_worker):
    """The worker reads committed data: a change made by the test is visible to it."""
    from accountability.tasks import health_check
    from tiers.models import Rule

    Rule.objects.filter(code="R07.3").update(active=False)
    assert health_check.delay().get(timeout=30)["rules"] == 24

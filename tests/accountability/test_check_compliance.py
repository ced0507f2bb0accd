"""``manage.py check_compliance``: the same engine in-process, with a progress bar."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accountability.models import ComplianceRun, Violation
from tests.villagecorps.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_command_runs_one_rule_as_of_a_day_and_reports_progress(place_tree: Any) -> None:
    MembershipFactory()
    out = StringIO()
    call_command("check_compliance", "--year", "2019", "--as-of", "2019-06-30", "--rule", "R09.1", stdout=out)
    text = out.getvalue()
    assert "2019年，基准日 2019-06-30，1 条规则" in text
    assert "[##############################] 1/1 R09.1" in text
    assert "at_risk 1" in text and "已完成" in text
    run = ComplianceRun.objects.get()
    assert (run.trigger, run.as_of, run.rules) == ("command", datetime.date(2019, 6, 30), ["R09.1"])
    assert Violation.objects.get().status == "at_risk"


def test_the_command_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="R99.9"):
        call_command("check_compliance", "--year", "2019", "--rule", "R99.9", stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("check_compliance", "--year", "2019", "--as-of", "2019-02-30", stdout=StringIO())
    assert not ComplianceRun.objects.exists()

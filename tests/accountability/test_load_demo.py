"""``manage.py load_demo``: the whole demo (tree, households, teams) and its logins."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from households.models import Household, Pairing, Visit
from villagecorps.choices import DUTY_KINDS, NIGHT_KINDS
from villagecorps.models import DutyDay, Membership, Team

pytestmark = pytest.mark.django_db


def test_load_demo_builds_households_and_teams_with_mixed_compliance(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo", townships=1, villages=2, households=2)
    out = capsys.readouterr().out
    assert "admin" in out and "yuzhong" in out and "zhucun" in out and "gansu-demo-2019" in out

    assert Household.objects.count() == 86 * 2 * 2
    assert Pairing.objects.count() == Household.objects.count()
    visits = Visit.objects.values("household").annotate(n=Count("pk")).values_list("n", flat=True)
    assert len(set(visits)) > 1  # helpers differ: some visit enough, some do not

    assert Team.objects.count() == 86  # one per township
    per_member = Membership.objects.annotate(
        days=Count("duty_days", filter=Q(duty_days__kind__in=DUTY_KINDS)),
        nights=Count("duty_days", filter=Q(duty_days__kind__in=NIGHT_KINDS)),
    )
    assert all(m.nights <= m.days for m in per_member)
    assert any(m.days >= 220 and m.nights >= 160 for m in per_member)
    assert any(m.days < 220 or m.nights < 160 for m in per_member)
    assert DutyDay.objects.exists()

    # Duty records of tiers 2–8, with gaps: some county-months have no 总队长 meeting.
    from tiers.duty_figures import county_team_head_meetings
    from tiers.models import DutyRecord
    from tiers.periods import Period

    assert DutyRecord.objects.exists()
    last_year = timezone.localdate().year - 1
    january = {row["figure"] for row in county_team_head_meetings(Period("month", last_year, 1))}
    assert 1 in january

    # The compliance engine ran over the demo: last year's violations and this year's warnings.
    from accountability.models import Violation

    assert f"{last_year}年合规评估" in out
    assert Violation.objects.filter(period_year=last_year, status="violation", rule__code="R10.2").exists()
    assert Violation.objects.filter(period_year=last_year + 1).exists()
    visited = (
        Visit.objects.filter(date__year=last_year)
        .values("helper", "household")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("helper", "household")
    )
    keys = {f"{row['helper']}-{row['household']}" for row in visited}
    listed = set(
        Violation.objects.filter(rule__code="R10.2", period_year=last_year).values_list("subject_key", flat=True)
    )
    assert keys and listed and not keys & listed  # those who visited twice are not listed

    rows = Violation.objects.count()
    call_command("load_demo", townships=1, villages=2, households=2)  # idempotent
    assert Team.objects.count() == 86 and Household.objects.count() == 86 * 2 * 2
    assert Violation.objects.count() == rows


def test_load_demo_refuses_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")

"""Every create is idempotent (issue 17, item 6): ten parallel POSTs of one form submission make one
record, and every answer is a redirect to the first one's page — never a second record, never a 500.

The POSTs are real HTTP against the live test server, from ten threads at once (a barrier releases them
together), with a logged-in session cookie and the CSRF and submission tokens scraped from the form as a
browser would send them. The natural keys are exercised without a token (a duty day per person and day, a
rating per person and year), and two escalation computations of one year run at once on PostgreSQL."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from accountability.models import Action, Incident
from tests import factories
from tests.conftest import REQUIRE_SERVICES
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from villagecorps.choices import MemberRole

D = datetime.date


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("the parallel-submit tests need PostgreSQL")
        pytest.skip("needs PostgreSQL (concurrent writers); CI sets DATABASE_URL")


# --- two escalation computations at once ------------------------------------------------------------------------


def _actions() -> set[tuple]:
    return set(
        Action.objects.values_list("escalation__code", "kind", "bearer", "slot", "subject_key", "status", "severity")
    )


def test_two_escalation_computations_at_once_serialise_and_equal_one(
    transactional_db: None, django_db_serialized_rollback: None
) -> None:
    from accountability.escalation.engine import ESCALATION_LOCK, escalations_compute
    from tiers.locks import advisory_xact_lock

    needs_postgres()
    tree = factories.build_tree()
    village = tree["620122101201"]
    team = TeamFactory(village=village, start=D(2019, 1, 1))
    MembershipFactory(team=team, role=MemberRole.LEADER, start=D(2019, 1, 1))
    unit = factories.UnitFactory(name="帮扶单位")
    for n in range(5):
        Incident.objects.create(village=village, date=D(2019, 8, n + 1), description=f"事件{n}", team=team, unit=unit)
    as_of = D(2020, 2, 1)

    results: list[Any] = []
    with transaction.atomic():
        advisory_xact_lock(ESCALATION_LOCK, 2019)  # hold the year: both runs start, and wait, together
        threads = [threading.Thread(target=lambda: results.append(_compute(escalations_compute, as_of))) for _ in "ab"]
        for thread in threads:
            thread.start()
        _wait_for_waiters(2)
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and all(not isinstance(r, Exception) for r in results), results
    after_both = _actions()
    assert after_both and Action.objects.count() == len(after_both)
    counts = sorted(results, key=lambda r: r.get("proposed", 0))
    assert counts[0].get("proposed", 0) == 0 and counts[1]["proposed"] == len(after_both)  # the second added none

    Action.objects.all().delete()
    escalations_compute(year=2019, as_of=as_of)
    assert _actions() == after_both


def _compute(compute: Any, as_of: datetime.date) -> Any:
    try:
        return compute(year=2019, as_of=as_of)
    except Exception as exc:  # reported by the test, not lost in the thread
        return exc
    finally:
        connections.close_all()


def _wait_for_waiters(count: int, timeout: float = 30) -> None:
    """Until ``count`` sessions wait on an advisory lock (inside a transaction, the statistics views are a
    snapshot taken once: cleared before each look)."""
    import time

    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError("the computations never waited on the year's lock")

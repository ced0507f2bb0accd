"""Test set-up: services, a real Celery worker, and users with roles.

With REQUIRE_SERVICES=1 (CI), the suite refuses to run unless the database is PostgreSQL and Redis
answers; the Celery tests then use a real worker on the Redis broker. Without it (a laptop with no
services), they are skipped and everything else runs on SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from tests import factories

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if not REQUIRE_SERVICES:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"REQUIRE_SERVICES=1 but the database engine is {engine}; set DATABASE_URL.", returncode=3)
    if not settings.REDIS_URL:
        pytest.exit("REQUIRE_SERVICES=1 but REDIS_URL is not set.", returncode=3)
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis at {settings.REDIS_URL} does not answer: {exc}", returncode=3)


@pytest.fixture(scope="session")
def celery_session_worker_app() -> Iterator[Any]:
    """A real Celery worker thread consuming from the Redis broker for the whole session."""
    if not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("REDIS_URL is required for the Celery tests")
        pytest.skip("needs REDIS_URL (a real broker); CI sets it")
    from celery.contrib.testing.worker import start_worker

    from accountability.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        yield app


@pytest.fixture
def celery_app_worker(
    celery_session_worker_app: Any, transactional_db: None, django_db_serialized_rollback: None
) -> Any:
    """The worker, with a database the worker thread can see (committed transactions).

    Serialized rollback restores the rows the data migrations wrote (the catalogue), which a
    transactional test's flush would otherwise take away from the tests after it.
    """
    return celery_session_worker_app


@pytest.fixture
def place_tree(db: None) -> factories.Tree:
    """Two prefectures, each with two counties, each with a township and two villages."""
    return factories.build_tree()


@pytest.fixture
def user_with_role(db: None) -> Callable[..., Any]:
    """Make a user holding ``role`` on ``place`` or ``unit``."""
    return factories.user_with_role


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], Any]:
    """Pin ``timezone.localdate()`` (services, forms and selectors all ask it) to a given day."""
    from django.utils import timezone

    real = timezone.localdate

    def pin(day: Any) -> Any:
        def localdate(value: Any = None, timezone: Any = None) -> Any:
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return pin


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache() -> Iterator[None]:
    """Each test starts with no cached dashboard overview (ids, and so cache keys, repeat on SQLite)."""
    from django.core.cache import caches

    caches["dashboards"].clear()
    yield

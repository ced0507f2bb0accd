"""Handing work to the Celery workers without making a page depend on the broker (issue 10).

A page that starts background work (a roster preview, a compliance run started from the admin) saves
its record first and sends the task after the transaction commits. If Redis cannot be reached then,
the page still answers: ``send`` logs the failure and returns ``None``, the record stays waiting, and
``requeue_waiting`` (a beat task every few minutes) sends what is still waiting once the broker is
back. In the embedded default (no broker: tasks run in the request) nothing is caught.
"""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: What sending raises when the broker is down (refused, reset or timed out).
BROKER_ERRORS = (OperationalError, RedisError, ConnectionError, TimeoutError)


def _broker_down(exc: BaseException) -> bool:
    """A broker error, or the ``RuntimeError`` kombu wraps one in when it gives up reconnecting."""
    while exc is not None:
        if isinstance(exc, BROKER_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def send(task: Any, *args: Any) -> str | None:
    """Send ``task(*args)`` to the workers now; its id, or ``None`` when the broker is unreachable."""
    if task.app.conf.task_always_eager:
        return task.apply_async(args).id
    try:
        return task.apply_async(args, retry=False).id
    except (*BROKER_ERRORS, RuntimeError) as exc:
        if not _broker_down(exc):
            raise
        logger.warning("broker unreachable: %s%r left waiting (%s)", task.name, args, exc)
        return None

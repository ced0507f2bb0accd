"""PostgreSQL advisory locks: work that must not run twice at once (two escalation computations of one
year, two evaluations of one rule's year, two workers on one roster import) waits or steps aside
instead of racing into a unique constraint.

A lock is named by a string and a few integers (``"escalations", 2019``), hashed to one 64-bit key.
On any other database (the embedded SQLite default, one process) there is nothing to lock: the
functions are no-ops that report the lock as held.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from django.db import connection


def lock_key(name: str, *parts: int) -> int:
    """The signed 64-bit key of the lock ``name`` on ``parts`` (stable across processes and releases)."""
    text = ":".join([name, *(str(part) for part in parts)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def _locks() -> bool:
    return connection.vendor == "postgresql"


def advisory_xact_lock(name: str, *parts: int) -> None:
    """Wait for the lock ``name`` on ``parts`` and hold it until the current transaction ends.

    Must be called inside ``transaction.atomic`` (outside one, PostgreSQL would release it at once)."""
    if not _locks():
        return
    if connection.get_autocommit():
        raise RuntimeError("advisory_xact_lock needs a transaction (transaction.atomic)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name, *parts)])


@contextlib.contextmanager
def try_advisory_lock(name: str, *parts: int, wait: bool = False) -> Iterator[bool]:
    """Take the session lock ``name`` on ``parts`` — at once if no one holds it, else (``wait``) once it is
    released; yields whether it was taken (always, when waiting).

    Held until the block ends, across transactions, and released by PostgreSQL when the holding
    process dies (its connection closes) — so "the lock is free" also means "no live process holds it"."""
    if not _locks():
        yield True
        return
    key = lock_key(name, *parts)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            taken = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def advisory_lock_free(name: str, *parts: int) -> bool:
    """Whether no session holds the lock ``name`` on ``parts`` right now (always ``True`` off PostgreSQL)."""
    with try_advisory_lock(name, *parts) as taken:
        return taken

"""Bulk writers of the synthetic region: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Rows are tuples in the order of the writer's attribute names; values are written as their ``str()``
(dates as ISO strings, ``None`` as NULL). Generated text never holds a tab, a newline or a
backslash, so the COPY text format needs no escaping. Parent tables get explicit ids from
:class:`Ids` (so that children can point at them before they are written); sequences are reset
at the end with :func:`reset_sequences`.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

#: Rows kept in memory per table before they are written (≈ 20–40 MB of text per chunk).
CHUNK_ROWS = 200_000


def is_postgresql() -> bool:
    """True when the default database is PostgreSQL (COPY is available)."""
    return connection.vendor == "postgresql"


class Ids:
    """Hands out primary keys above the largest one in each table, so that rows can be linked before they exist."""

    def __init__(self) -> None:
        self._next: dict[type[Model], int] = {}

    def take(self, model: type[Model], count: int = 1) -> int:
        """The first of ``count`` consecutive new ids of ``model``."""
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return first

    @property
    def models(self) -> list[type[Model]]:
        return list(self._next)


class TableWriter:
    """Buffers rows of one model and writes them in chunks; counts rows and the seconds spent writing."""

    def __init__(self, model: type[Model], attnames: list[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.model = model
        self.attnames = attnames
        self.columns = [fields[name].column for name in attnames]
        self.rows: list[tuple] = []
        self.count = 0
        self.seconds = 0.0
        self.postgresql = is_postgresql()

    def add(self, row: tuple) -> None:
        """Queue one row (values in the order of ``attnames``)."""
        self.rows.append(row)
        if len(self.rows) >= CHUNK_ROWS:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        """Queue many rows."""
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        """Write the queued rows."""
        if not self.rows:
            return
        started = time.perf_counter()
        if self.postgresql:
            self._copy(self.rows)
        else:
            model, names = self.model, self.attnames
            model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in self.rows], 2000)
        self.count += len(self.rows)
        self.rows = []
        self.seconds += time.perf_counter() - started

    def _copy(self, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        text = "".join("\t".join(r"\N" if v is None else str(v) for v in row) + "\n" for row in rows)
        sql = f"COPY {quote(self.model._meta.db_table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, io.StringIO(text))


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """Move the id sequences past the ids given out explicitly (PostgreSQL; SQLite tracks them itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def skip_foreign_key_triggers() -> bool:
    """On PostgreSQL, skip the per-row foreign-key triggers for this transaction (needs a superuser).

    The generator links rows by ids it handed out itself and the tests check every foreign key, so
    the deferred per-row checks (tens of millions of trigger events at scale 1) are pure cost.
    Returns False, and leaves the checks on, when the role may not do it.
    """
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def analyze(models: Iterable[type[Model]]) -> None:
    """Refresh the planner's statistics of the tables written (PostgreSQL)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def describe(writers: dict[str, TableWriter]) -> dict[str, Any]:
    """Row counts by table name."""
    return {name: w.count for name, w in writers.items()}


@contextmanager
def deferred_indexes(models: Iterable[type[Model]], out: Callable[[str], None]) -> Iterator[None]:
    """On PostgreSQL, drop the secondary indexes and unique constraints of the big tables for the
    load and build them again afterwards, in the same transaction (a sorted build is several times
    faster than maintaining six indexes row by row). The definitions are read from the catalogue,
    so they come back exactly as the migrations made them; a duplicate fails the rebuild."""
    if not is_postgresql():
        yield
        return
    quote = connection.ops.quote_name
    saved: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'u' ORDER BY conname",
                [table],
            )
            uniques = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
                "ORDER BY indexname",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _ in uniques:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            saved.append((table, uniques, indexes))
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, uniques, indexes in saved:
            for _, definition in indexes:
                cursor.execute(definition)
            for name, definition in uniques:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    out(f"索引重建：{time.perf_counter() - started:.1f} s")

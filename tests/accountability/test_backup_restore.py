"""Backup and restore (issue 10, docs/operations.md): a ``pg_dump`` of the database restored with
``pg_restore`` into a new database gives the same compliance results — the rows as dumped, and the
same rows again when the engine re-evaluates the year on the restored copy."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.db import connection

from accountability.compliance import engine
from tests.conftest import REQUIRE_SERVICES
from tests.households.factories import PairingFactory, VisitFactory

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date
OUTCOME = (
    "SELECT r.code, v.period_kind, v.period_year, v.period_index, v.subject_key, v.status, v.required, v.actual, "
    "v.shortfall, v.severity FROM accountability_violation v JOIN tiers_rule r ON r.id = v.rule_id"
)


def outcome(dbname: str) -> set[tuple]:
    db = connection.settings_dict
    with psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=dbname) as conn:
        with conn.cursor() as cursor:
            cursor.execute(OUTCOME)
            return set(cursor.fetchall())


def test_a_restored_dump_gives_the_same_compliance_results(
    transactional_db: None, django_db_serialized_rollback: None, place_tree: Any, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("the restore test needs PostgreSQL")
        pytest.skip("pg_dump / pg_restore need PostgreSQL")
    for n in range(4):
        pairing = PairingFactory(start=D(2019, 1, 1))
        for month in range(1, n + 1):
            VisitFactory(pairing=pairing, date=D(2019, month * 2, 1))
    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=2019, as_of=D(2019, 12, 31), rules=["R10.2", "R10.3"])
    )
    assert run.status == "succeeded"
    db = connection.settings_dict
    original = outcome(db["NAME"])
    assert original

    server = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    dump = tmp_path / "accountability.dump"
    subprocess.run(["pg_dump", *server, "-Fc", "-f", str(dump), db["NAME"]], check=True)
    copy = f"{db['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    subprocess.run(["createdb", *server, copy], check=True)
    try:
        subprocess.run(["pg_restore", *server, "--no-owner", "-d", copy, str(dump)], check=True)
        assert outcome(copy) == original  # the rows as dumped
        env = os.environ | {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{copy}",
            "REDIS_URL": "",
        }
        rerun = subprocess.run(
            [sys.executable, "manage.py", "check_compliance", "--year", "2019", "--as-of", "2019-12-31",
             "--rule", "R10.2", "--rule", "R10.3"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert outcome(copy) == original  # and the engine, run again on the copy, agrees
    finally:
        subprocess.run(["dropdb", *server, "--if-exists", copy], check=True)

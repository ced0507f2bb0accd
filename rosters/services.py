"""Importing a roster workbook: previewed, all-or-nothing, idempotent (issue 9).

``roster_import`` reads the workbook (``workbook.read_workbook``), then imports its sheets in order
(``kinds.SPECS``) through their django-import-export resources inside one transaction, so a later sheet
sees the rows of an earlier one (a pairing of a household the same workbook adds). The transaction is
rolled back after a preview (``dry_run``) and whenever any row of any sheet has a problem: nothing is
ever half-written. Rows are matched on their stable codes, unchanged rows are left alone (importing the
same file twice changes nothing), and an open pairing of a household the pairings sheet names, that
the sheet no longer lists, is ended on ``as_of`` — never deleted, so its history stays.

Every call is recorded as a ``RosterImport`` (who, when, file name and hash, counts, outcome).
"""

from __future__ import annotations

import datetime
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from households.models import Pairing
from rosters.kinds import SPECS
from rosters.models import Outcome, RosterImport
from rosters.resources import HouseholdResource, PairingResource
from rosters.workbook import Problem, Sheet, SheetSpec, read_workbook

RESOURCES = {"households": HouseholdResource, "pairings": PairingResource}


@dataclass
class SheetCounts:
    """What importing one sheet did (or would do)."""

    title: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    ended: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "ended": self.ended}  # fmt: skip


@dataclass
class RosterReport:
    """The outcome of a preview or an import: counts per sheet and every problem."""

    record: RosterImport
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.record.outcome == Outcome.IMPORTED


def _dataset(spec: SheetSpec, sheet: Sheet) -> tuple[tablib.Dataset, list[int]]:
    fields = [c.field for c in spec.columns]
    dataset = tablib.Dataset(headers=fields)
    numbers = []
    for number, values in sheet.rows:
        dataset.append([values.get(f) for f in fields])
        numbers.append(number)
    return dataset, numbers


def _problems(spec: SheetSpec, result: Any, numbers: list[int]) -> list[Problem]:
    """The row problems of an import-export result, with the sheet's row numbers and headers."""
    headers = {c.field: c.header for c in spec.columns}
    problems = []
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            for message in messages:
                problems.append(Problem(str(message), spec.title, numbers[invalid.number - 1], headers.get(name, "")))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(Problem(str(error.error), spec.title, numbers[number - 1]))
    return sorted(problems, key=lambda p: (p.row or 0, p.column))


def _end_missing_pairings(sheet: Sheet, as_of: datetime.date) -> int:
    """End (on ``as_of``) the open pairings of the households the sheet names that it no longer lists."""
    listed = {(v["helper"], v["household"], v["start"]) for _, v in sheet.rows}
    households = {v["household"] for _, v in sheet.rows}
    open_pairings = Pairing.objects.filter(household__code__in=households, start__lte=as_of).filter(
        Q(end__isnull=True) | Q(end__gt=as_of)
    )
    ended = [
        p
        for p in open_pairings.select_related("helper", "household")
        if (p.helper.code, p.household.code, p.start) not in listed
    ]
    for pairing in ended:
        pairing.end = as_of
    Pairing.objects.bulk_update(ended, ["end"], batch_size=5000)
    return len(ended)


def roster_import(
    content: bytes,
    *,
    file_name: str,
    user: Any = None,
    dry_run: bool = True,
    as_of: datetime.date | None = None,
) -> RosterReport:
    """Preview (``dry_run``) or import a roster workbook, all or nothing, and record it."""
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    sheets, problems = read_workbook(content, SPECS)
    counts: dict[str, SheetCounts] = {}
    if not problems:
        with transaction.atomic():
            for spec in SPECS:
                sheet = sheets.get(spec.kind)
                if sheet is None:
                    continue
                dataset, numbers = _dataset(spec, sheet)
                result = RESOURCES[spec.kind]().import_data(
                    dataset, dry_run=False, raise_errors=False, use_transactions=False
                )
                problems += _problems(spec, result, numbers)
                totals = result.totals
                counts[spec.kind] = SheetCounts(
                    spec.title, new=totals.get("new", 0), changed=totals.get("update", 0),
                    unchanged=totals.get("skip", 0),
                )  # fmt: skip
                if spec.kind == "pairings" and not problems:
                    counts[spec.kind].ended = _end_missing_pairings(sheet, as_of)
            if dry_run or problems:
                transaction.set_rollback(True)
    outcome = Outcome.REFUSED if problems else (Outcome.PREVIEWED if dry_run else Outcome.IMPORTED)
    record = RosterImport.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        dry_run=dry_run,
        as_of=as_of,
        outcome=outcome,
        counts={kind: c.as_dict() for kind, c in counts.items()},
        problems=[str(p) for p in problems[:500]],
        seconds=round(time.monotonic() - started, 2),
    )
    return RosterReport(record=record, counts=counts, problems=problems)

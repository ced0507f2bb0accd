"""Importing a roster workbook: previewed, all-or-nothing, idempotent (issue 9).

``roster_import`` reads the workbook (``workbook.read_workbook``), then imports its sheets in order
(``kinds.SPECS``) through their django-import-export resources inside one transaction, so a later sheet
sees the rows of an earlier one (a pairing of a household the same workbook adds). The transaction is
rolled back after a preview (``dry_run``) and whenever any row of any sheet has a problem: nothing is
ever half-written. Rows are matched on their stable codes, unchanged rows are left alone (importing the
same file twice changes nothing), and an open pairing of a household the pairings sheet names (or a
membership of a team the members sheet names) that the sheet no longer lists is ended on ``as_of`` —
never deleted, so its history stays.

Every call is recorded as a ``RosterImport`` (who, when, file name and hash, counts, outcome).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rosters.kinds import SPECS
from rosters.messages import Msg
from rosters.models import Outcome, RosterImport, Status
from rosters.resources import RESOURCES
from rosters.workbook import Problem, Sheet, SheetSpec, read_workbook
from tiers.locks import try_advisory_lock

logger = logging.getLogger(__name__)

#: Most problems kept on the record (all of them are reported to the caller).
MAX_PROBLEMS = 500


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
    texts = {c.field for c in spec.columns if c.type == "text"}  # an empty text cell is "", never NULL
    for number, values in sheet.rows:
        dataset.append([("" if values.get(f) is None and f in texts else values.get(f)) for f in fields])
        numbers.append(number)
    return dataset, numbers


def _problems(spec: SheetSpec, resource: Any, result: Any, numbers: list[int]) -> list[Problem]:
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
    # Checks across the sheet once it is written (overlapping dates, days after a member's end) — not
    # when the database refused a batch: the sheet is not all written, and the import is refused anyway.
    for number, name, message in [] if result.base_errors else resource.sheet_problems():
        problems.append(Problem(message, spec.title, numbers[number - 1] if number else None, headers.get(name, "")))
    # A batch the database refused (bulk writes report it for the sheet, not for a row).
    problems += [
        Problem(str(_("写入数据库失败：%(error)s")) % {"error": e.error}, spec.title) for e in result.base_errors
    ]
    return sorted(problems, key=lambda p: (p.row or 0, p.column))


#: ``progress(done, total, stage)``: rows done of all rows, and what is being done.
Progress = Callable[[int, int, str], None]


def roster_import(
    content: bytes,
    *,
    file_name: str,
    user: Any = None,
    dry_run: bool = True,
    as_of: datetime.date | None = None,
    record: RosterImport | None = None,
    progress: Progress | None = None,
) -> RosterReport:
    """Preview (``dry_run``) or import a roster workbook, all or nothing, and record it (in ``record``
    when given: an upload waiting for its task)."""
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    report = progress or (lambda done, total, stage: None)
    report(0, 0, str(_("读取并检查文件")))
    sheets, problems = read_workbook(content, SPECS)
    total = sum(len(sheet.rows) for sheet in sheets.values())
    done = 0
    counts: dict[str, SheetCounts] = {}
    if not problems:
        with transaction.atomic():
            for spec in SPECS:
                sheet = sheets.get(spec.kind)
                if sheet is None:
                    continue
                dataset, numbers = _dataset(spec, sheet)
                resource = RESOURCES[spec.kind]()
                resource.as_of, resource.user = as_of, user
                resource.change_reason = _("花名册导入：%(file)s") % {"file": file_name}
                resource.progress = lambda n, base=done, title=spec.title: report(base + n, total, title)
                result = resource.import_data(
                    dataset, dry_run=False, raise_errors=False, use_transactions=False, user=user
                )
                done += len(sheet.rows)
                problems += _problems(spec, resource, result, numbers)
                if result.base_errors:  # the transaction is broken: roll back, import no further sheet
                    break
                totals = result.totals
                counts[spec.kind] = SheetCounts(
                    spec.title, new=totals.get("new", 0), changed=totals.get("update", 0),
                    unchanged=totals.get("skip", 0),
                )  # fmt: skip
                counts[spec.kind].ended = len(resource.ended_rows)
            if dry_run or problems:
                transaction.set_rollback(True)
    values = {
        "file_name": file_name[:255],
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "dry_run": dry_run,
        "as_of": as_of,
        "status": Status.FINISHED,
        "outcome": Outcome.REFUSED if problems else (Outcome.PREVIEWED if dry_run else Outcome.IMPORTED),
        "counts": {kind: c.as_dict() for kind, c in counts.items()},
        "problems": [str(p) for p in problems[:MAX_PROBLEMS]],
        "seconds": round(time.monotonic() - started, 2),
    }
    if record is None:
        record = RosterImport.objects.create(user=user if getattr(user, "is_authenticated", False) else None, **values)
    else:
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
    report(total, total, str(_("完成")))
    return RosterReport(record=record, counts=counts, problems=problems)


def roster_upload(
    file: Any,
    *,
    user: Any,
    dry_run: bool = True,
    as_of: datetime.date | None = None,
    source: RosterImport | None = None,
) -> RosterImport:
    """Keep an uploaded workbook (or, to import what was previewed, ``source``'s file) and queue its
    preview or import; the task starts once this transaction commits."""
    from rosters.tasks import roster_import_task

    record = RosterImport(
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=(source.file_name if source else getattr(file, "name", "roster.xlsx"))[:255],
        sha256=source.sha256 if source else "",
        size=source.size if source else getattr(file, "size", 0),
        dry_run=dry_run,
        as_of=as_of or (source.as_of if source else timezone.localdate()),
        status=Status.QUEUED,
        preview=source if source and not dry_run else None,
    )
    if source:
        record.file.name = source.file.name
    else:
        record.file.save(f"{uuid.uuid4().hex}.xlsx", file, save=False)
    record.save()
    transaction.on_commit(lambda: _enqueue(roster_import_task, record))
    return record


def _enqueue(task: Any, record: RosterImport) -> None:
    """Send the task; while the broker is down the upload waits without a task id, and
    ``accountability.tasks.requeue_waiting`` sends it once the broker is back."""
    from accountability.queueing import send

    if task_id := send(task, record.pk):
        RosterImport.objects.filter(pk=record.pk, task_id="").update(task_id=task_id)


def roster_confirm(*, user: Any, source: RosterImport) -> tuple[RosterImport, bool]:
    """Queue the import of what ``source`` previewed, once: returns the import and whether this call
    queued it. The preview's transition is a conditional update (``confirmed_at`` from empty), so of two
    confirmations at once the second waits for the first's row lock, updates nothing and gets the first
    one's import; the import's one-to-one ``preview`` guarantees it in the database too."""
    with transaction.atomic():
        claimed = RosterImport.objects.filter(
            pk=source.pk, outcome=Outcome.PREVIEWED, confirmed_at__isnull=True
        ).update(confirmed_at=timezone.now())
        if claimed:
            return roster_upload(None, user=user, dry_run=False, source=source), True
    existing = RosterImport.objects.filter(preview=source).first()
    if existing is None:  # confirmed before imports pointed back at their preview
        existing = (
            RosterImport.objects.filter(sha256=source.sha256, dry_run=False, created_at__gt=source.created_at)
            .order_by("created_at")
            .first()
        )
    return existing or source, False


#: The session lock a worker holds while it previews or imports an upload (``tiers.locks``).
IMPORT_LOCK = "roster_import"
#: Without PostgreSQL's locks (SQLite), an upload still "running" after this long is taken as stalled.
STALL_AFTER = datetime.timedelta(minutes=30)


def roster_import_execute(record_id: int, *, progress: Progress | None = None) -> RosterImport:
    """Do a queued upload's preview or import (the task's body). A confirmation whose file changed
    since its preview is refused.

    The worker holds the upload's advisory lock while it works: a second delivery of the task (a retry,
    ``requeue_waiting``) waits for it and then finds the upload finished. The claim is a conditional
    update (queued or running → running): an upload left "running" by a worker that died (its lock went
    with its connection) is taken over and done again — the import is all or nothing, so the dead
    worker wrote nothing. An unexpected error marks the upload failed instead of leaving it running."""
    with try_advisory_lock(IMPORT_LOCK, record_id, wait=True):
        claimed = RosterImport.objects.filter(pk=record_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.RUNNING, started_at=timezone.now()
        )
        record = RosterImport.objects.get(pk=record_id)
        if not claimed:  # finished or failed already
            return record
        try:
            return _execute(record, progress)
        except Exception as exc:
            logger.exception("roster upload %s failed", record_id)
            RosterImport.objects.filter(pk=record_id, status=Status.RUNNING).update(
                status=Status.FAILED,
                outcome=Outcome.REFUSED,
                problems=[str(Msg.CRASHED % {"error": f"{type(exc).__name__}: {exc}"[:500]})],
            )
            return RosterImport.objects.get(pk=record_id)


def roster_import_stalled(record: RosterImport) -> bool:
    """Whether ``record`` says it is being processed while no live worker is on it: on PostgreSQL, its
    advisory lock is free (the worker that set it running died, lock and all); elsewhere, it started more
    than ``STALL_AFTER`` ago."""
    if record.status != Status.RUNNING:
        return False
    if connection.vendor != "postgresql":
        return record.started_at is None or record.started_at < timezone.now() - STALL_AFTER
    with try_advisory_lock(IMPORT_LOCK, record.pk) as free:
        # Re-read under the lock: a worker that just finished has released it, and its record says so.
        return free and RosterImport.objects.filter(pk=record.pk, status=Status.RUNNING).exists()


def roster_import_retry(*, record: RosterImport) -> bool:
    """Queue a stalled upload again (a conditional update from running); whether it was requeued."""
    if not roster_import_stalled(record):
        return False
    from rosters.tasks import roster_import_task

    with transaction.atomic():
        if not RosterImport.objects.filter(pk=record.pk, status=Status.RUNNING).update(
            status=Status.QUEUED, task_id=""
        ):
            return False
        transaction.on_commit(lambda: _enqueue(roster_import_task, record))
    return True


def roster_imports_recover() -> int:
    """Queue again every stalled upload (the beat's ``requeue_waiting`` calls this); returns how many."""
    return sum(roster_import_retry(record=record) for record in RosterImport.objects.filter(status=Status.RUNNING))


def _execute(record: RosterImport, progress: Progress | None) -> RosterImport:
    try:
        with record.file.open("rb") as handle:
            content = handle.read()
    except OSError:
        record.status, record.outcome = Status.FAILED, Outcome.REFUSED
        record.problems = [str(_("上传的文件已不存在，请重新上传。"))]
        record.save()
        return record
    if record.sha256 and hashlib.sha256(content).hexdigest() != record.sha256:
        record.status, record.outcome = Status.FAILED, Outcome.REFUSED
        record.problems = [str(_("文件与预览时不同，请重新预览。"))]
        record.save()
        return record
    record = roster_import(
        content, file_name=record.file_name, dry_run=record.dry_run, as_of=record.as_of, record=record,
        progress=progress,
    ).record  # fmt: skip
    if record.outcome != Outcome.PREVIEWED:
        _discard_file(record)  # imported, or refused: nothing left to confirm
    return record


def _discard_file(record: RosterImport) -> None:
    """Delete an upload's stored workbook (kept by its preview and its import alike); the records keep
    its name, size and SHA-256."""
    name = record.file.name
    if name:
        record.file.storage.delete(name)
        RosterImport.objects.filter(file=name).update(file="")


def roster_uploads_purge(*, days: int | None = None) -> int:
    """Delete the workbooks of previews older than ``days`` (``settings.ROSTER_UPLOAD_DAYS``) that were
    never confirmed; returns how many. A preview past that age must be uploaded again to be imported."""
    days = settings.ROSTER_UPLOAD_DAYS if days is None else days
    old = RosterImport.objects.exclude(file="").filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    purged = 0
    for record in old:
        if record.file.name:
            _discard_file(record)
            purged += 1
    return purged

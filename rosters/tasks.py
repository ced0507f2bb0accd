"""Celery task of the roster import: a large workbook is previewed or imported on a worker, reporting
its progress through the task's state (``PROGRESS`` with rows done, total and stage)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from rosters.services import roster_import_execute, roster_uploads_purge


@shared_task(bind=True, acks_late=True)
def roster_import_task(self: Any, record_id: int) -> str:
    """Preview or import the upload ``record_id``; returns its outcome."""

    def progress(done: int, total: int, stage: str) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total, "stage": stage})

    return roster_import_execute(record_id, progress=progress).outcome


@shared_task
def purge_uploads() -> int:
    """Daily (beat): delete the workbooks of previews never confirmed within ``ROSTER_UPLOAD_DAYS``."""
    return roster_uploads_purge()

"""Celery tasks of the tiers app (thin: they call a service)."""

from __future__ import annotations

from celery import shared_task

from tiers.submissions import submission_tokens_purge


@shared_task
def purge_submission_tokens() -> int:
    """Daily (beat): delete the form submission tokens older than a day."""
    return submission_tokens_purge()

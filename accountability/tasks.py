"""Celery tasks of the project package. Tasks are thin: they take ids and call a service."""

from typing import Any

from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(acks_late=True)
def health_check() -> dict[str, Any]:
    """Prove a worker can reach the database: vendor, catalogue size and the worker's clock."""
    from tiers.models import Rule

    return {
        "database": connection.vendor,
        "rules": Rule.objects.filter(active=True).count(),
        "checked_at": timezone.now().isoformat(),
    }

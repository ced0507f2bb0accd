"""The project package: settings, URLs, the Celery app and (later) the compliance and escalation engines."""

from .celery import app as celery_app

__all__ = ["celery_app"]

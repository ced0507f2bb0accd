"""The Celery application.

With REDIS_URL set, tasks go to the Redis broker and run on a worker. Without it (the embedded
default of ``make run``) ``task_always_eager`` runs them in-process, so nothing else is needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accountability.settings")

app = Celery("accountability")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

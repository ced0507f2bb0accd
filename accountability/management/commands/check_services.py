"""``manage.py check_services``: the database, the broker and a worker answer, or the command fails."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accountability.tasks import health_check


class Command(BaseCommand):
    help = "检查数据库、消息队列和 Celery 工作进程是否可用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0, help="等待工作进程应答的秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            result = health_check.apply().get()
            mode = "进程内执行（未设置 REDIS_URL）"
        else:
            try:
                result = health_check.delay().get(timeout=options["timeout"])
            except Exception as exc:  # the broker or the worker did not answer
                raise CommandError(f"Celery 工作进程未在 {options['timeout']} 秒内应答：{exc}") from exc
            mode = "Celery 工作进程"
        self.stdout.write(f"数据库：{result['database']}；启用规则 {result['rules']} 条；执行方式：{mode}")

"""``manage.py refresh_dashboards --year 2019``: recompute the dashboards' summaries of a year.

Each compliance run and each escalation computation refreshes them on its own; this is for an
operator (after restoring a backup, or after changing the organisation tree). Idempotent.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accountability.dashboards.summaries import action_summaries_refresh, summaries_refresh


class Command(BaseCommand):
    help = "重新计算一个年度的统计看板汇总（合规汇总与问责汇总）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2019")

    def handle(self, *args: Any, year: int, **options: Any) -> None:
        started = time.monotonic()
        rules = summaries_refresh(year)
        actions = action_summaries_refresh(year)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{year}年看板汇总已更新：合规汇总 {rules} 行，问责汇总 {actions} 行，用时 {seconds:.1f} 秒。"
        )

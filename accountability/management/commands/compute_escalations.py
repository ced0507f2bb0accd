"""``manage.py compute_escalations --year 2019 [--as-of 2020-02-01]``: the escalation engine in-process.

Turns the year's violations, failed findings, incidents, cases and 不称职 ratings into actions (the
same service a Celery task runs after each compliance run) and prints what changed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accountability.escalation.engine import escalations_compute


class Command(BaseCommand):
    help = "根据一个年度的违规、审核认定、重大涉贫事件、弄虚作假和不称职考核，计算问责措施（约谈、不得评优等）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2019")
        parser.add_argument("--as-of", dest="as_of", help="计算日期 YYYY-MM-DD（默认今天；申辩期限由此起算）")

    def handle(self, *args: Any, year: int, as_of: str | None, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{as_of}") from exc
        counts = escalations_compute(year=year, as_of=day)
        labels = {"proposed": "新提出", "kept": "保持", "decided": "已决定（未改动）", "reopened": "重新提出"}
        labels |= {"withdrawn": "撤销", "actions": "问责措施", "triggers": "触发依据"}
        text = "，".join(f"{labels.get(k, k)} {v}" for k, v in counts.items())
        self.stdout.write(f"{year}年问责计算完成：{text}。")

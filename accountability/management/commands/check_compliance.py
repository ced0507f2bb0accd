"""``manage.py check_compliance --year 2019 [--as-of 2019-06-30] [--rule R09.1] [--mode all]``.

Runs a compliance run in this process — the same services the Celery tasks call — rule after rule,
with a progress bar, and prints what it found. Exits non-zero when a rule failed.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accountability.choices import RunMode, RunStatus, RunTrigger
from accountability.compliance import engine
from accountability.models import RuleEvaluation

BAR = 30


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{value}") from exc


class Command(BaseCommand):
    help = "评估一个年度的频次规则，生成违规和“有风险”预警（与定时任务相同的代码，在本进程内运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="评估的年度，如 2019")
        parser.add_argument("--as-of", dest="as_of", help="评估基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--rule", action="append", default=[], help="只评估这条规则，如 R09.1（可重复）")
        parser.add_argument(
            "--mode", choices=RunMode.values, default=RunMode.ALL, help="all：全部周期（默认）；nightly；closing"
        )

    def handle(self, *args: Any, year: int, as_of: str | None, rule: list[str], mode: str, **options: Any) -> None:
        try:
            run = engine.compliance_run_create(
                trigger=RunTrigger.COMMAND, year=year, as_of=_date(as_of) if as_of else None, rules=rule, mode=mode
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        total = engine.measurable_rules(run.rules).count()
        done = 0
        started = time.monotonic()
        self.stdout.write(f"合规评估 #{run.pk}：{run.year}年，基准日 {run.as_of:%Y-%m-%d}，{total} 条规则")

        def progress(evaluation: RuleEvaluation) -> None:
            nonlocal done
            done += 1
            filled = BAR * done // max(total, 1)
            found = ", ".join(f"{k} {v}" for k, v in sorted(evaluation.counts.items()))
            status = "" if evaluation.status == RunStatus.SUCCEEDED else f" 失败：{evaluation.error}"
            self.stdout.write(
                f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {evaluation.rule.code} "
                f"{time.monotonic() - started:6.1f} s  {found}{status}"
            )

        run = engine.compliance_run_execute(run, progress=progress)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
        self.stdout.write(f"完成：{run.get_status_display()}，用时 {run.duration.total_seconds():.1f} 秒；{counts}")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)

"""``manage.py import_roster FILE.xlsx [--dry-run] [--as-of 2019-12-31] [--user NAME]``: a roster workbook,
previewed or imported all or nothing (the same service as the import page)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rosters.services import roster_import


class Command(BaseCommand):
    help = "导入花名册工作簿（.xlsx）：先检查，全部无误才写入；--dry-run 只预览。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="花名册工作簿 .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument(
            "--as-of", dest="as_of", help="生效日期 YYYY-MM-DD（名册中不再出现的结对以此日结束；默认今天）"
        )
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args: Any, file: str, dry_run: bool, as_of: str | None, user: str | None, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{as_of}") from exc
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户不存在：{user}")
        report = roster_import(path.read_bytes(), file_name=path.name, user=account, dry_run=dry_run, as_of=day)
        for counts in report.counts.values():
            numbers = f"新增 {counts.new}，变更 {counts.changed}，未变 {counts.unchanged}，结束 {counts.ended}"
            self.stdout.write(f"{counts.title}：{numbers}")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"有 {len(report.problems)} 处错误，未写入任何数据。")
        self.stdout.write("预览完成，未写入。" if dry_run else "导入完成。")

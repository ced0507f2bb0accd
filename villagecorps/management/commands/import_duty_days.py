"""``manage.py import_duty_days FILE --user USERNAME``: import duty days from an .xlsx or .csv file.

Runs ``villagecorps.importing.import_attendance`` as USERNAME (whose scope applies, as in the UI): all or
nothing. Prints the number of days saved; on a problem, prints every problem, one per line, saves
nothing and exits with a non-zero status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from villagecorps.importing import MAX_BYTES, import_attendance


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 文件导入驻村考勤（表头：人员编码、日期、类别，可选：位置）；有错误时不保存任何数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--user", required=True, help="以哪个账号的名义导入（适用该账号的工作范围）")

    def handle(self, *args: Any, file: str, user: str, **options: Any) -> None:
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"找不到账号 {user}。")
        path = Path(file)
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_BYTES + 1)  # one byte more than allowed: enough to refuse it
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}") from exc
        try:
            count = import_attendance(user=account, file_name=path.name, content=content)
        except ValidationError as exc:
            first, *rest = exc.messages
            for message in rest:
                self.stderr.write(message)
            raise CommandError(first) from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 条驻村考勤。"))

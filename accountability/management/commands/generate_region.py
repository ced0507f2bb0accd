"""``manage.py generate_region``: a synthetic region for benchmarks and load tests."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accountability.region import RegionNotEmpty, generate_region


class Command(BaseCommand):
    help = (
        "生成合成区域（基准测试与压力测试用）：规模 1.0 约为一个省——1.6 万个村、100 万户、800 万条驻村考勤，"
        "含一定比例的未达标情形。同一种子生成完全相同的数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="规模倍数（1.0 = 一个省；0.001 用于测试）")
        parser.add_argument("--year", type=int, default=2019, help="各类记录所在年度")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--replace", action="store_true", help="先删除先前生成的合成数据（GEN- 编码）再生成")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            generate_region(
                scale=options["scale"],
                year=options["year"],
                seed=options["seed"],
                replace=options["replace"],
                stdout=self.stdout,
            )
        except (RegionNotEmpty, ValueError) as exc:
            raise CommandError(str(exc)) from exc

"""``manage.py load_demo``: the demo region of Gansu and one demo login per role."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accountability.choices import RunTrigger, ViolationStatus
from accountability.compliance import engine
from accountability.escalation import demo as escalation_demo
from accountability.escalation.engine import escalations_compute
from accountability.models import Violation
from households import demo as households_demo
from tiers import demo_records
from tiers.demo import DEMO_PASSWORD_DEFAULT, DemoSize, demo_load
from villagecorps import demo as villagecorps_demo


class Command(BaseCommand):
    help = "加载演示数据：甘肃省市州与县区、生成的乡镇与村、单位、干部、分工、建档立卡户及帮扶记录、演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--townships", type=int, default=3, help="每个县生成的乡镇数")
        parser.add_argument("--villages", type=int, default=4, help="每个乡镇生成的村数")
        parser.add_argument("--households", type=int, default=4, help="每个村生成的建档立卡户数")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也加载（不建议在生产环境使用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("演示数据只应加载到开发环境（DEBUG 关闭时请加 --force）。")
        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        result = demo_load(size=DemoSize(options["townships"], options["villages"]), password=password)
        self.stdout.write(
            f"演示数据已就绪：新建区划 {result['places_created']} 个，"
            f"单位 {result['units']} 个，干部 {result['people']} 名。"
        )
        homes = households_demo.demo_load(households_per_village=options["households"])
        if homes["households"]:
            self.stdout.write(
                f"新建建档立卡户 {homes['households']} 户，结对 {homes['pairings']} 对，"
                f"走访 {homes['visits']} 次，实事好事 {homes['deeds']} 件。"
            )
        records = demo_records.demo_load()
        if records["records"]:
            self.stdout.write(f"新建各级履责记录（会议、研究、督查、调研等）{records['records']} 条。")
        corps = villagecorps_demo.demo_load(password=password)
        if corps["teams"]:
            self.stdout.write(
                f"新建驻村帮扶工作队 {corps['teams']} 支，驻村干部 {corps['members']} 名，考勤 {corps['days']} 天。"
            )
        triggers = escalation_demo.demo_load()
        if any(triggers.values()):
            self.stdout.write(
                f"新建重大涉贫事件 {triggers['incidents']} 起，核查认定 {triggers['cases']} 项，"
                f"年度考核 {triggers['ratings']} 条。"
            )
        today = timezone.localdate()
        for year in (today.year - 1, today.year):
            engine.compliance_run_execute(
                engine.compliance_run_create(trigger=RunTrigger.COMMAND, year=year, as_of=today)
            )
            rows = Violation.objects.filter(period_year=year)
            found = (
                rows.filter(status=ViolationStatus.VIOLATION).count(),
                rows.filter(status=ViolationStatus.AT_RISK).count(),
            )
            actions = escalations_compute(year=year, as_of=today)["actions"]
            self.stdout.write(f"{year}年合规评估：未达标 {found[0]} 项，有风险 {found[1]} 项；问责措施 {actions} 项。")
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for username, role, scope in result["logins"]:
            self.stdout.write(f"  {username:<12} {role}：{scope}")
        self.stdout.write(f"  {villagecorps_demo.DEMO_MEMBER_USERNAME:<12} 驻村干部：记录本人驻村情况")

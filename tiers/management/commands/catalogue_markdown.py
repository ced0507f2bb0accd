"""``manage.py catalogue_markdown [--output PATH]``: the catalogue in force, rendered to Markdown.

Reads the database (not ``tiers/catalogue/data_2019_33.py``), so the output shows the catalogue as an
administrator has left it: document, tiers, frequency rules, escalations (triggers and actions), the
duties of every tier with their text, and the policy values. Labels of choices are the Chinese ones
(rendered under ``translation.override("zh-hans")``) and every list is ordered by code, so the output
depends only on the data. ``docs/catalogue.md`` is generated with it and a test keeps the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Prefetch, TextChoices
from django.utils import timezone, translation

from tiers import choices
from tiers.models import Document, Duty, Escalation, EscalationAction, EscalationTrigger, Policy, Rule, Tier

GENERATE_COMMAND = "python manage.py catalogue_markdown --output docs/catalogue.md"
DASH = "—"
LIST_SEP = "、"
_DEADLINE = re.compile(r"^(\d{2})-(\d{2})$")


def current_document(day: date | None = None) -> Document | None:
    """The document in force on ``day`` (today by default): the latest one in force from that day or before."""
    day = day or timezone.localdate()
    return Document.objects.filter(in_force_from__lte=day).order_by("-in_force_from", "-issued_on", "code").first()


def render_catalogue(document: Document) -> str:
    """The Markdown text of the catalogue of ``document``, with Chinese labels whatever the active language."""
    with translation.override("zh-hans"):
        return _Renderer(document).render()


def _cell(value: Any) -> str:
    """A value made safe for one Markdown table cell (no pipes, no line breaks); empty becomes a dash."""
    text = str(value if value is not None else "").strip()
    if not text:
        return DASH
    return text.replace("|", r"\|").replace("\r\n", "\n").replace("\n", "<br>")


def _row(values: Iterable[Any]) -> str:
    return "| " + " | ".join(_cell(value) for value in values) + " |"


def _table(headers: list[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    lines = [_row(headers), "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend(_row(row) for row in rows)
    return lines


def _label(choice_class: type[TextChoices], value: str) -> str:
    """The label of ``value`` in ``choice_class``; an unknown value is shown as it is stored."""
    try:
        return str(choice_class(value).label)
    except ValueError:
        return value


def _labels(choice_class: type[TextChoices], values: Iterable[str]) -> str:
    return LIST_SEP.join(_label(choice_class, value) for value in values)


def _quote(text: str) -> list[str]:
    """A Markdown block quote of ``text``, one quoted line per line of the text."""
    lines = text.strip().replace("\r\n", "\n").split("\n")
    return [f"> {line}".rstrip() for line in lines]


def _decimal(value: Decimal) -> str:
    """``30.00`` → ``30``, ``0.50`` → ``0.5``: the same text on SQLite and PostgreSQL."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


class _Renderer:
    """Collects the catalogue of one document in a few queries and renders it section by section."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.tiers: list[Tier] = list(
            Tier.objects.filter(document=document)
            .order_by("code")
            .prefetch_related(
                Prefetch(
                    "duties",
                    queryset=Duty.objects.order_by("code").prefetch_related(
                        Prefetch("rules", queryset=Rule.objects.order_by("code"))
                    ),
                )
            )
        )
        self.rules: list[Rule] = list(
            Rule.objects.filter(tier__document=document).select_related("tier").order_by("code")
        )
        self.escalations: list[Escalation] = list(
            Escalation.objects.filter(document=document)
            .select_related("tier")
            .prefetch_related(
                Prefetch(
                    "triggers",
                    queryset=EscalationTrigger.objects.order_by("id").prefetch_related(
                        Prefetch("rules", queryset=Rule.objects.order_by("code")),
                        Prefetch("tiers", queryset=Tier.objects.order_by("code")),
                    ),
                ),
                Prefetch("actions", queryset=EscalationAction.objects.order_by("id")),
            )
            .order_by("code")
        )
        self.policies: list[Policy] = list(Policy.objects.order_by("key"))

    def render(self) -> str:
        sections = [
            self.header(),
            self.tier_section(),
            self.rule_section(),
            self.escalation_section(),
            self.duty_section(),
            self.policy_section(),
        ]
        return "\n\n".join("\n".join(lines) for lines in sections) + "\n"

    # --- sections ---------------------------------------------------------------------------------

    def header(self) -> list[str]:
        doc = self.document
        return [
            f"# {doc.code}《{doc.title}》",
            "",
            f"> 本文件由 `{GENERATE_COMMAND}` 根据数据库中现行的责任清单生成，请勿手工编辑。"
            "系统管理员在管理后台对层级、规则、问责规则或政策参数所作的修改，须重新生成后才会反映在本文件中。",
            ">",
            f"> Generated from the database by `{GENERATE_COMMAND}`; do not edit by hand. "
            "Administrators' edits in the database are not reflected here until the file is regenerated.",
            "",
            f"- 文号：{doc.code}",
            f"- 印发机关：{doc.issuer}",
            f"- 印发日期：{doc.issued_on.isoformat()}",
            f"- 施行日期：{doc.in_force_from.isoformat()}",
            f"- 同时废止：{doc.replaces or DASH}",
        ]

    def tier_section(self) -> list[str]:
        rows = [(tier.code, tier.section, tier.name, tier.name_en, tier.subject) for tier in self.tiers]
        return ["## 责任层级", "", *_table(["编码", "章节", "名称", "英文名称", "责任主体"], rows)]

    def rule_section(self) -> list[str]:
        active = [rule for rule in self.rules if rule.active]
        inactive = [rule for rule in self.rules if not rule.active]
        headers = ["编码", "条款", "层级", "检查对象", "计数内容", "周期", "最低要求", "按在岗时长折算", "期限"]
        lines = ["## 频次规则", "", *_table(headers, (self.rule_row(rule) for rule in active))]
        noted = [rule for rule in active if rule.note.strip()]
        if noted:
            lines += ["", "说明：", ""]
            lines += [f"- {rule.code}：{' '.join(rule.note.split())}" for rule in noted]
        if inactive:
            lines += ["", "### 已停用的规则", "", *_table(headers, (self.rule_row(rule) for rule in inactive))]
        return lines

    def escalation_section(self) -> list[str]:
        lines = ["## 问责规则"]
        for escalation in self.escalations:
            tier = f"{escalation.tier.code} {escalation.tier.name}" if escalation.tier else DASH
            lines += [
                "",
                f"### {escalation.code}",
                "",
                f"- 条款：{escalation.clause}",
                f"- 责任层级：{tier}",
                f"- 触发情形：{' '.join(escalation.trigger.split())}",
                "",
                "触发条件：",
                "",
            ]
            triggers = list(escalation.triggers.all())
            lines += [f"- {self.trigger_text(trigger)}" for trigger in triggers] or [f"- {DASH}"]
            lines += ["", "问责措施：", ""]
            actions = list(escalation.actions.all())
            lines += [f"- {self.action_text(action)}" for action in actions] or [f"- {DASH}"]
            if escalation.text.strip():
                lines += ["", "条款原文：", "", *_quote(escalation.text)]
        return lines

    def duty_section(self) -> list[str]:
        lines = ["## 各层级责任事项", "", "标注“定性要求”的责任事项没有频次规则，由审核人认定是否履行。"]
        for tier in self.tiers:
            lines += ["", f"### {tier.code} {tier.section}、{tier.name}"]
            for duty in tier.duties.all():
                rules = list(duty.rules.all())
                if rules:
                    kind = "频次规则：" + LIST_SEP.join(
                        rule.code if rule.active else f"{rule.code}（已停用）" for rule in rules
                    )
                else:
                    kind = "定性要求"
                lines += ["", f"#### {duty.code} {duty.clause} {duty.title}", "", f"*{kind}*", "", *_quote(duty.text)]
        return lines

    def policy_section(self) -> list[str]:
        rows = [(policy.key, _decimal(policy.value), policy.description) for policy in self.policies]
        return ["## 政策参数", "", *_table(["键", "取值", "说明"], rows)]

    # --- pieces -----------------------------------------------------------------------------------

    def rule_row(self, rule: Rule) -> tuple[str, ...]:
        return (
            rule.code,
            rule.clause,
            rule.tier.code,
            rule.subject,
            rule.counted,
            rule.get_period_display(),
            self.minimum_text(rule),
            "是" if rule.pro_rated else "否",
            self.deadline_text(rule.deadline),
        )

    @staticmethod
    def minimum_text(rule: Rule) -> str:
        """``220 天``; ``2 户（地厅级 3 户）`` with by-rank minimums; ``须具备`` for a rule of existence."""
        if rule.measure == choices.Measure.EXISTS:
            return "须具备"
        if rule.measure == choices.Measure.COVERED:
            return "须覆盖全期"
        unit = f" {rule.unit}" if rule.unit else ""
        text = f"{rule.minimum}{unit}"
        by_rank = rule.minimum_by_rank if isinstance(rule.minimum_by_rank, dict) else {}
        if by_rank:
            rank_order = {value: index for index, value in enumerate(choices.Rank.values)}
            ranks = sorted(by_rank, key=lambda key: (rank_order.get(key, len(rank_order)), key))
            text += "（" + "，".join(f"{_label(choices.Rank, rank)} {by_rank[rank]}{unit}" for rank in ranks) + "）"
        return text

    @staticmethod
    def deadline_text(deadline: str) -> str:
        match = _DEADLINE.match(deadline or "")
        if not match:
            return deadline or DASH
        return f"{int(match.group(1))}月{int(match.group(2))}日前"

    @staticmethod
    def trigger_text(trigger: EscalationTrigger) -> str:
        parts = [trigger.get_kind_display()]
        rules = [rule.code for rule in trigger.rules.all()]
        if rules:
            parts.append("规则 " + LIST_SEP.join(rules))
        tiers = [f"{tier.code} {tier.name}" for tier in trigger.tiers.all()]
        if tiers:
            parts.append("层级 " + LIST_SEP.join(tiers))
        parts.append(f"关联关系：{trigger.get_relation_display()}")
        return "；".join(parts)

    @staticmethod
    def action_text(action: EscalationAction) -> str:
        parts = [f"**{action.get_action_display()}**", f"承担者：{action.get_bearer_display()}"]
        if action.convenor:
            parts.append(f"约谈主体：{action.get_convenor_display()}")
        targets = action.targets if isinstance(action.targets, list) else []
        if targets:
            parts.append(f"约谈对象：{_labels(choices.Target, targets)}")
        if (action.min_severity, action.max_severity) != (1, 3):
            if action.min_severity == action.max_severity:
                parts.append(f"严重程度：{action.min_severity}")
            else:
                parts.append(f"严重程度：{action.min_severity}–{action.max_severity}")
        if action.joint_liability:
            parts.append("**连带责任**")
        return "；".join(parts)


class Command(BaseCommand):
    help = "将现行责任清单（层级、频次规则、问责规则、责任事项、政策参数）从数据库导出为 Markdown。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="PATH", help="写入该文件（UTF-8）；不指定时输出到标准输出")

    def handle(self, *args: Any, **options: Any) -> None:
        document = current_document()
        if document is None:
            raise CommandError("数据库中没有现行的责任清单文件（请先运行 migrate）。")
        text = render_catalogue(document)
        output = options.get("output")
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        self.stdout.write(f"已写入 {path}")

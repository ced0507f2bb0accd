"""The compliance engine's records: a run, the evaluation of each rule in it, the closure of a rule's
period (after which its result is final), and one violation or warning per rule × subject × period."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accountability.choices import RunMode, RunStatus, RunTrigger, ViolationStatus
from tiers.choices import Period as PeriodKind
from tiers.choices import SubjectKind
from tiers.periods import Period
from tiers.scope import ScopedQuerySet


class ComplianceRun(models.Model):
    """One evaluation of the catalogue's rules for a year as of a day: who or what started it, which
    periods and rules, how it went, how long it took and what it found."""

    trigger = models.CharField(_("发起方式"), max_length=10, choices=RunTrigger.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发起人")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("评估基准日"))
    mode = models.CharField(_("评估范围"), max_length=10, choices=RunMode.choices, default=RunMode.ALL)
    rules = models.JSONField(_("规则"), default=list, help_text=_("评估的规则编码；空表示全部启用的规则"))
    periods = models.JSONField(_("周期"), default=list, help_text=_("评估的周期，如 2019-Q2"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    counts = models.JSONField(_("结果统计"), default=dict)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合规评估")
        verbose_name_plural = _("合规评估")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.year}年 截至{self.as_of:%Y-%m-%d} {self.get_status_display()}"

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class RuleEvaluation(models.Model):
    """The work of one rule in one run: the unit of a Celery task, redone whole when a worker dies."""

    run = models.ForeignKey(ComplianceRun, models.CASCADE, related_name="evaluations", verbose_name=_("合规评估"))
    rule = models.ForeignKey("tiers.Rule", models.PROTECT, related_name="+", verbose_name=_("规则"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("规则评估")
        verbose_name_plural = _("规则评估")
        ordering = ["run", "rule__code"]
        constraints = [models.UniqueConstraint(fields=["run", "rule"], name="rule_evaluation_once_per_run")]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.get_status_display()}"


class PeriodClosure(models.Model):
    """A rule's period whose result is final: later runs never rewrite its violations, they only flag
    the ones whose figure changed through late records."""

    rule = models.ForeignKey("tiers.Rule", models.PROTECT, related_name="+", verbose_name=_("规则"))
    period_kind = models.CharField(_("周期类型"), max_length=10, choices=PeriodKind.choices)
    period_year = models.PositiveSmallIntegerField(_("年度"))
    period_index = models.PositiveSmallIntegerField(_("期次"))
    as_of = models.DateField(_("关账基准日"))
    closed_at = models.DateTimeField(_("关账时间"))
    run = models.ForeignKey(ComplianceRun, models.PROTECT, related_name="closures", verbose_name=_("合规评估"))

    class Meta:
        verbose_name = _("周期关账")
        verbose_name_plural = _("周期关账")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period_kind", "period_year", "period_index"], name="period_closed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.period_year}-{self.period_kind}-{self.period_index}"


class ViolationQuerySet(ScopedQuerySet):
    """Violations and warnings, scoped by the subject's place, unit and person."""

    scope_place_paths = ("place__path",)
    scope_units = ("unit",)
    scope_persons = ("person",)


class Violation(models.Model):
    """A subject's failure (or, in an open period, its being behind pace) on a rule for a period, with
    the figures that explain it. Keyed by rule × subject × period and upserted by every run.

    Only the engine writes these rows, from joins over existing rows, so its links carry no database
    foreign-key constraints (``db_constraint=False``; the ORM still protects the rows they point to):
    checking eight constraints per row at commit doubled the time of a province-wide rule.
    """

    rule = models.ForeignKey(
        "tiers.Rule", models.PROTECT, related_name="violations", verbose_name=_("规则"), db_constraint=False
    )
    period_kind = models.CharField(_("周期类型"), max_length=10, choices=PeriodKind.choices)
    period_year = models.PositiveSmallIntegerField(_("年度"))
    period_index = models.PositiveSmallIntegerField(_("期次"))
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    subject_kind = models.CharField(_("检查对象类型"), max_length=40, choices=SubjectKind.choices)
    subject_key = models.CharField(_("检查对象标识"), max_length=60)
    person = models.ForeignKey(
        "tiers.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("人员"),
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    place = models.ForeignKey(
        "tiers.Place",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属地区"),
        db_constraint=False,
    )
    household = models.ForeignKey(
        "households.Household",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("帮扶户"),
        db_constraint=False,
    )
    membership = models.ForeignKey(
        "villagecorps.Membership",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("驻村干部"),
        db_constraint=False,
    )
    status = models.CharField(_("状态"), max_length=10, choices=ViolationStatus.choices)
    required = models.PositiveIntegerField(_("应达到"))
    actual = models.PositiveIntegerField(_("实际完成"))
    shortfall = models.IntegerField(_("差额"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), null=True, blank=True)
    assigned_days = models.PositiveIntegerField(_("在岗天数"))
    checked_on = models.DateField(_("评估基准日"))
    final = models.BooleanField(_("已关账"), default=False)
    late = models.BooleanField(_("关账后有补录"), default=False)
    late_actual = models.PositiveIntegerField(_("补录后实际完成"), null=True, blank=True)
    evaluation = models.CharField(_("评估批次"), max_length=32)
    run = models.ForeignKey(
        ComplianceRun, models.PROTECT, related_name="violations", verbose_name=_("最近一次评估"), db_constraint=False
    )
    first_run = models.ForeignKey(
        ComplianceRun, models.PROTECT, related_name="+", verbose_name=_("首次发现"), db_constraint=False
    )
    created_at = models.DateTimeField(_("发现时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    resolved_at = models.DateTimeField(_("纠正时间"), null=True, blank=True)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("违规与预警")
        verbose_name_plural = _("违规与预警")
        ordering = ["rule__code", "period_start", "subject_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period_kind", "period_year", "period_index", "subject_key"],
                name="violation_once_per_rule_subject_period",
            )
        ]
        indexes = [
            models.Index(fields=["period_year", "status"], name="violation_year_status"),
            models.Index(fields=["person"], name="violation_person"),
            models.Index(fields=["unit"], name="violation_unit"),
            models.Index(fields=["place"], name="violation_place"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.subject_key} {self.period} {self.get_status_display()}"

    @property
    def period(self) -> Period:
        kind = PeriodKind.YEAR if self.period_kind == PeriodKind.POINT else self.period_kind
        return Period(kind, self.period_year, self.period_index)

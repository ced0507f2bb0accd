"""What the dashboards read: precomputed counts, never live aggregates over millions of rows.

- ``Coverage``: how many subjects one rule checked in one period, per subject place. The engine writes
  it beside the violations in the same rule × period transaction (violations only name the failing
  subjects; a compliance rate needs the ones checked too).
- ``Summary``: one place's standing on one rule for one period, rolled up from coverage and
  violations to the place and every ancestor (village → … → province), refreshed at the end of each
  compliance run. A province overview reads a few hundred of these rows.
- ``ActionSummary``: actions per place (and ancestors), kind and status, refreshed after each
  escalation computation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accountability.choices import ActionStatus
from tiers.choices import ActionKind
from tiers.choices import Period as PeriodKind
from tiers.scope import ScopedQuerySet


class Coverage(models.Model):
    """Subjects a rule checked in one period at one place (the subject's place, as on its violation)."""

    rule = models.ForeignKey("tiers.Rule", models.CASCADE, related_name="+", db_constraint=False)
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_year = models.PositiveSmallIntegerField()
    period_index = models.PositiveSmallIntegerField()
    due = models.DateField(help_text="the period's end, or the rule's deadline within it")
    place = models.ForeignKey("tiers.Place", models.CASCADE, related_name="+", db_constraint=False)
    checked = models.PositiveIntegerField()
    open = models.BooleanField(help_text="the period was still open (pace warnings only)")

    class Meta:
        verbose_name = _("检查覆盖")
        verbose_name_plural = _("检查覆盖")
        indexes = [
            models.Index(fields=["rule", "period_kind", "period_year", "period_index"], name="coverage_period"),
            models.Index(fields=["period_year"], name="coverage_year"),
        ]


class SummaryQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)


class Summary(models.Model):
    """A place's standing on a rule for a period: subjects checked, violations, warnings (rolled up)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    place = models.ForeignKey("tiers.Place", models.CASCADE, related_name="+", verbose_name=_("地区"))
    depth = models.PositiveSmallIntegerField()
    rule = models.ForeignKey("tiers.Rule", models.CASCADE, related_name="+", verbose_name=_("规则"))
    period_kind = models.CharField(_("周期类型"), max_length=10, choices=PeriodKind.choices)
    period_index = models.PositiveSmallIntegerField(_("期次"))
    due = models.DateField(_("截止日期"))
    checked = models.PositiveIntegerField(_("已到期检查数"), default=0)
    violations = models.PositiveIntegerField(_("违规数"), default=0)
    severe = models.PositiveIntegerField(_("严重违规数"), default=0)
    checked_open = models.PositiveIntegerField(_("进行中检查数"), default=0)
    at_risk = models.PositiveIntegerField(_("预警数"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("合规汇总")
        verbose_name_plural = _("合规汇总")
        indexes = [
            models.Index(fields=["year", "place"], name="summary_year_place"),
            models.Index(fields=["year", "depth"], name="summary_year_depth"),
        ]


class ActionSummaryQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)


class ActionSummary(models.Model):
    """Actions a place and its subtree bear in a year, per kind and status (rolled up)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    place = models.ForeignKey("tiers.Place", models.CASCADE, related_name="+", verbose_name=_("地区"))
    depth = models.PositiveSmallIntegerField()
    kind = models.CharField(_("措施"), max_length=20, choices=ActionKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ActionStatus.choices)
    count = models.PositiveIntegerField(_("数量"))

    objects = ActionSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责汇总")
        verbose_name_plural = _("问责汇总")
        indexes = [models.Index(fields=["year", "place"], name="action_summary_year_place")]


class UnitSummaryQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)


class UnitSummary(models.Model):
    """A unit's violations and warnings in a place and its subtree in a year (rolled up), so that the
    worst units of any part of the province are one indexed read."""

    year = models.PositiveSmallIntegerField(_("年度"))
    place = models.ForeignKey("tiers.Place", models.CASCADE, related_name="+", verbose_name=_("地区"))
    depth = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("tiers.Unit", models.CASCADE, related_name="+", verbose_name=_("单位"))
    violations = models.PositiveIntegerField(_("违规数"), default=0)
    severe = models.PositiveIntegerField(_("严重违规数"), default=0)
    at_risk = models.PositiveIntegerField(_("预警数"), default=0)

    objects = UnitSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位汇总")
        verbose_name_plural = _("单位汇总")
        indexes = [models.Index(fields=["year", "place", "-violations"], name="unit_summary_worst")]

"""Choices of the compliance engine. Labels are Chinese (the product's default language)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunTrigger(models.TextChoices):
    """What started a compliance run."""

    SCHEDULE = "schedule", _("定时任务")
    USER = "user", _("用户发起")
    COMMAND = "command", _("命令行")


class RunStatus(models.TextChoices):
    """Where a compliance run (or one rule of it) stands."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class RunMode(models.TextChoices):
    """Which periods a run evaluates: all of the year's periods, only those not yet closed, or only
    those whose closing day has come (the final evaluation)."""

    ALL = "all", _("全部周期")
    NIGHTLY = "nightly", _("未关账周期（每日进度预警）")
    CLOSING = "closing", _("到期关账（期末评估）")


class ViolationStatus(models.TextChoices):
    """A subject's standing on a rule for a period."""

    AT_RISK = "at_risk", _("有风险")
    VIOLATION = "violation", _("未达标")
    RESOLVED = "resolved", _("已纠正")


class PeriodState(models.TextChoices):
    """A rule's period as seen on the as-of day of an evaluation."""

    NOT_STARTED = "not_started", _("未开始")
    OPEN = "open", _("进行中")
    ENDED = "ended", _("已到期（待关账）")
    CLOSING = "closing", _("关账")
    CLOSED = "closed", _("已关账")

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


class RatingGrade(models.TextChoices):
    """Grades of a cadre's annual assessment (年度考核)."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class CaseKind(models.TextChoices):
    """Inspection findings that trigger escalations besides violations and incidents."""

    FALSIFICATION = "falsification", _("弄虚作假")
    SERIOUS = "serious", _("造成严重后果")


class ActionStatus(models.TextChoices):
    """Where an action stands in its due process."""

    PROPOSED = "proposed", _("拟处理")
    CONFIRMED = "confirmed", _("已确认")
    HELD = "held", _("已约谈")
    WAIVED = "waived", _("免予处理")
    WITHDRAWN = "withdrawn", _("已撤销")


class RebuttalStatus(models.TextChoices):
    """A 申辩 and its decision."""

    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("申辩成立")
    REJECTED = "rejected", _("申辩不成立")

"""Every roster import or preview is recorded: who, when, which file (name and SHA-256), counts, outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    PREVIEWED = "previewed", _("已预览")
    IMPORTED = "imported", _("已导入")
    REFUSED = "refused", _("有错误，未导入")


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("出错")


class RosterImport(models.Model):
    """One upload of a roster workbook, previewed or imported (a Celery task does the work). A preview is
    confirmed at most once: its import points back to it (``preview``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    dry_run = models.BooleanField(_("仅预览"))
    as_of = models.DateField(_("生效日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.FINISHED)
    file = models.FileField(_("文件"), upload_to="rosters/%Y/%m/", blank=True)
    task_id = models.CharField(_("任务"), max_length=50, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, blank=True)
    counts = models.JSONField(_("各表统计"), default=dict)
    problems = models.JSONField(_("错误"), default=list)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    #: On a preview: when its import was asked for (once: a conditional update sets it).
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    #: On an import: the preview it confirms (one import per preview).
    preview = models.OneToOneField(
        "self", models.SET_NULL, null=True, blank=True, related_name="confirmation", verbose_name=_("所确认的预览")
    )

    class Meta:
        verbose_name = _("花名册导入记录")
        verbose_name_plural = _("花名册导入记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.get_outcome_display()}"

"""Form submissions already handled, by their one-time token (``tiers.submissions``)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubmissionToken(models.Model):
    """One submission of a create form: claimed (inserted) in the transaction that creates the record, so a
    second POST of the same form waits on the unique token and then finds what the first one created.

    Kept for a day (``tiers.submissions.TOKEN_DAYS``), then purged by a daily task."""

    token = models.CharField(_("提交令牌"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("提交人"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    content_type = models.ForeignKey(
        ContentType, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("记录类型")
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"), null=True, blank=True)
    result = GenericForeignKey("content_type", "object_id")
    redirect_to = models.CharField(_("结果页面"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("表单提交记录")
        verbose_name_plural = _("表单提交记录")

    def __str__(self) -> str:
        return f"{self.token[:8]}… {self.created_at:%Y-%m-%d %H:%M}"

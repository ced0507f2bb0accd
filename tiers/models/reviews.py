"""Edit requests: a change to a record entered more than N days ago (policy) waits for a reviewer."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiers.scope import ScopedQuerySet


class EditRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class EditRequestQuerySet(ScopedQuerySet):
    """Requests seen by a user: by the place of the record (e.g. the household's village), or their own."""

    scope_place_paths = ("place__path",)

    def visible_to(self, user):  # type: ignore[override]
        if not user.is_authenticated:
            return self.none()
        return (super().visible_to(user) | self.filter(requested_by=user)).distinct()


class EditRequest(models.Model):
    """A proposed change to a record, kept with the values before; applied only when a reviewer approves."""

    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name=_("记录类型"))
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    target = GenericForeignKey("content_type", "object_id")
    place = models.ForeignKey("tiers.Place", models.PROTECT, related_name="edit_requests", verbose_name=_("所在区划"))
    changes = models.JSONField(_("修改内容"))
    previous = models.JSONField(_("修改前"))
    reason = models.TextField(_("修改理由"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=EditRequestStatus.choices, default=EditRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="edit_requests", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    objects = EditRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("修改申请")
        verbose_name_plural = _("修改申请")
        ordering = ["-requested_at"]
        permissions = [("review_editrequest", _("可审核修改申请"))]
        indexes = [models.Index(fields=["content_type", "object_id"], name="editrequest_target")]

    def __str__(self) -> str:
        return f"{self.content_type.name} #{self.object_id} {self.get_status_display()}"

"""Role assignments: who holds which role on which node, granted by whom and when."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers import choices
from tiers.scope import ScopedQuerySet


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)
    scope_units = ("unit",)


class RoleAssignment(models.Model):
    """A role granted to a user on a place or a unit (or, for a helper, on no node).

    The record of the grant (who granted it and when); the scope itself lives in django-guardian's
    object-permission rows, which ``services.role_grant`` and ``role_revoke`` keep in step with it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_assignments", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=choices.Role.choices)
    place = models.ForeignKey(
        "tiers.Place",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("行政区划"),
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.CASCADE, null=True, blank=True, related_name="role_assignments", verbose_name=_("单位")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授权人"),
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place"], condition=Q(place__isnull=False), name="role_unique_on_place"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"], condition=Q(unit__isnull=False), name="role_unique_on_unit"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(place__isnull=True, unit__isnull=True), name="role_unique_no_node"
            ),
            models.CheckConstraint(
                condition=~Q(place__isnull=False, unit__isnull=False), name="role_assignment_one_node"
            ),
        ]

    def __str__(self) -> str:
        node = self.place or self.unit
        return f"{self.user} {self.get_role_display()}" + (f"：{node}" if node else "")

"""Units (单位): provincial departments, central units in Gansu, universities, enterprises, …"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from tiers import choices
from tiers.choices import Role
from tiers.messages import Msg
from tiers.roles import UNIT_ROLES, role_codename
from tiers.scope import ScopedQuerySet

CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,39}$", Msg.UNIT_CODE)


class UnitQuerySet(ScopedQuerySet):
    """Units seen by a user: those located in a granted subtree, and units granted directly."""

    scope_place_paths = ("place__path",)
    scope_units = ("pk",)


class Unit(models.Model):
    """An organisation that can lead, assist and dispatch cadres, with a stable code.

    ``place`` is the jurisdiction the unit belongs to: the province for provincial and central
    units, a prefecture, county or township for local ones.
    """

    code = models.CharField(_("单位编码"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类别"), max_length=20, choices=choices.UnitKind.choices)
    place = models.ForeignKey("tiers.Place", models.PROTECT, related_name="units", verbose_name=_("所属行政区划"))

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]
        permissions = [(role_codename(r), f"在该单位担任：{Role(r).label}") for r in UNIT_ROLES]

    def __str__(self) -> str:
        return self.name


class UnitUserObjectPermission(UserObjectPermissionBase):
    """A user's scope grant on a unit (django-guardian direct foreign key)."""

    content_object = models.ForeignKey(Unit, models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("用户单位权限")
        verbose_name_plural = _("用户单位权限")


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    """A group's scope grant on a unit (django-guardian direct foreign key)."""

    content_object = models.ForeignKey(Unit, models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("用户组单位权限")
        verbose_name_plural = _("用户组单位权限")

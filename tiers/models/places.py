"""The places of the organisation tree: 甘肃省 → 市（州） → 县（市、区） → 乡镇 → 村."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from tiers import choices
from tiers.choices import Role
from tiers.messages import Msg
from tiers.roles import PLACE_ROLES, role_codename
from tiers.scope import ScopedQuerySet
from tiers.validators import is_ascii_digits


class PlaceQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    """Places, restricted by the subtrees granted to a user."""

    scope_place_paths = ("path",)

    def of_level(self, level: str) -> "PlaceQuerySet":
        return self.filter(level=level)


class PlaceManager(MP_NodeManager.from_queryset(PlaceQuerySet)):
    """Keeps treebeard's ordering by path and adds ``visible_to``."""

    def get_queryset(self) -> PlaceQuerySet:
        return PlaceQuerySet(self.model, using=self._db).order_by("path")


class Place(MP_Node):
    """An administrative division, keyed by its division code (GB/T 2260; 统计用区划代码 below the county).

    The materialised path (``path``) lets every scope check be a prefix match in SQL.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=choices.PlaceLevel.choices, db_index=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)

    node_order_by = ["code"]
    #: Depth of the deepest level (村).
    MAX_DEPTH = len(choices.LEVEL_ORDER)
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])
    objects = PlaceManager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        permissions = [(role_codename(r), f"在该区划及其下级担任：{Role(r).label}") for r in PLACE_ROLES]
        indexes = [models.Index(fields=["path"], name="place_path_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def full_name(self) -> str:
        """Names from the prefecture down, e.g. 兰州市 榆中县 某镇."""
        return " ".join(
            p.name for p in [*Place.objects.get_ancestors(self), self] if p.level != choices.PlaceLevel.PROVINCE
        )

    def validate_placement(self, parent: "Place | None", *, check_taken: bool = True) -> None:
        """Check level and code against the parent; raise ValidationError with Chinese messages.

        ``check_taken=False`` skips the query for a duplicate code, for callers that checked it in bulk.
        """
        errors: dict[str, list] = {}
        level_label = choices.PlaceLevel(self.level).label if self.level in choices.LEVEL_ORDER else ""
        if self.code and not is_ascii_digits(self.code):
            errors.setdefault("code", []).append(Msg.CODE_DIGITS)
        elif self.code and self.level in choices.CODE_LENGTH and len(self.code) != choices.CODE_LENGTH[self.level]:
            errors.setdefault("code", []).append(
                ValidationError(
                    Msg.CODE_LENGTH,
                    params={
                        "level": level_label,
                        "length": choices.CODE_LENGTH[self.level],
                        "actual": len(self.code),
                    },
                )
            )
        if parent is None:
            if self.level != choices.PlaceLevel.PROVINCE:
                errors.setdefault("level", []).append(Msg.ROOT_LEVEL)
        else:
            expected = choices.LEVEL_ORDER[choices.LEVEL_ORDER.index(parent.level) + 1 :][:1]
            if [self.level] != expected:
                errors.setdefault("level", []).append(
                    ValidationError(
                        Msg.LEVEL_UNDER_PARENT,
                        params={
                            "parent": parent.name,
                            "expected": choices.PlaceLevel(expected[0]).label if expected else "—",
                            "level": level_label,
                        },
                    )
                )
            elif "code" not in errors and self.code:
                prefix = parent.code[: choices.PARENT_PREFIX[self.level]]
                if not self.code.startswith(prefix):
                    errors.setdefault("code", []).append(
                        ValidationError(
                            Msg.CODE_PREFIX,
                            params={
                                "code": self.code,
                                "parent": parent.name,
                                "parent_code": parent.code,
                                "prefix": prefix,
                            },
                        )
                    )
        clash = Place.objects.filter(code=self.code).exclude(pk=self.pk).first() if self.code and check_taken else None
        if clash:
            errors.setdefault("code", []).append(
                ValidationError(Msg.CODE_TAKEN, params={"code": self.code, "name": clash.name})
            )
        if errors:
            raise ValidationError(errors)


class PlaceUserObjectPermission(UserObjectPermissionBase):
    """A user's scope grant on a place (django-guardian direct foreign key)."""

    content_object = models.ForeignKey(Place, models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("用户区划权限")
        verbose_name_plural = _("用户区划权限")


class PlaceGroupObjectPermission(GroupObjectPermissionBase):
    """A group's scope grant on a place (django-guardian direct foreign key)."""

    content_object = models.ForeignKey(Place, models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("用户组区划权限")
        verbose_name_plural = _("用户组区划权限")

"""People (cadres) and the posts they hold."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers import choices
from tiers.messages import Msg
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet

PERSON_CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,39}$", Msg.PERSON_CODE)


class PersonQuerySet(ScopedQuerySet):
    """People seen by a user: those of units in scope."""

    scope_place_paths = ("unit__place__path",)
    scope_units = ("unit",)


class Person(models.Model):
    """A cadre, with a stable code, a rank and the unit they belong to (may log in as ``user``)."""

    code = models.CharField(_("人员编码"), max_length=40, unique=True, validators=[PERSON_CODE_VALIDATOR])
    name = models.CharField(_("姓名"), max_length=50)
    rank = models.CharField(_("职级"), max_length=12, choices=choices.Rank.choices)
    unit = models.ForeignKey("tiers.Unit", models.PROTECT, related_name="people", verbose_name=_("所在单位"))
    title = models.CharField(_("职务名称"), max_length=100, blank=True)
    phone = models.CharField(
        _("联系电话"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[0-9+\- ]{5,20}$", Msg.PHONE)],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit_id else self.name


class PostQuerySet(DatedQuerySet, ScopedQuerySet):
    """Posts seen by a user: in scope through the unit or the place of the post."""

    scope_place_paths = ("unit__place__path", "place__path")
    scope_units = ("unit",)


class Post(Dated):
    """A post held by a person in a unit or in the party committee/government of a place, with dates."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="posts", verbose_name=_("干部"))
    title = models.CharField(_("职务"), max_length=30, choices=choices.PostTitle.choices)
    unit = models.ForeignKey(
        "tiers.Unit", models.CASCADE, null=True, blank=True, related_name="posts", verbose_name=_("单位")
    )
    place = models.ForeignKey(
        "tiers.Place",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("行政区划（党委政府）"),
    )

    history = HistoricalRecords()
    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, place__isnull=True) | Q(unit__isnull=True, place__isnull=False)),
                name="post_one_organisation",
            ),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="post_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.unit or self.place} {self.get_title_display()}"

    def clean(self) -> None:
        errors = self.clean_dates()
        if bool(self.unit_id) == bool(self.place_id):
            errors["__all__"] = Msg.POST_ORG
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        """Skip ``post_one_organisation`` here: clean() reports it as Msg.POST_ORG (the database still enforces it).

        Otherwise forms would show Django's generic "约束 “post_one_organisation” 是无效的" next to it.
        """
        super().validate_constraints(exclude={*(exclude or ()), "unit", "place"})

"""Registered poor households (建档立卡贫困户) and their pairings with helpers."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.choices import INDICATORS, HouseholdStatus
from households.messages import Msg
from tiers.choices import PlaceLevel
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet


class HouseholdQuerySet(ScopedQuerySet):
    """Households seen by a user: in a granted subtree; assisted (today) by, or paired with a cadre of, a
    granted unit; or paired (now or before) with the user."""

    scope_place_paths = ("village__path",)
    scope_units = ("pairings__helper__unit",)
    scope_dated_units = ("village__assisting_units",)
    scope_persons = ("pairings__helper",)


class Household(models.Model):
    """A registered poor household, its status and its 两不愁三保障 + safe drinking water indicators."""

    code = models.CharField(
        _("户编码"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,39}$", Msg.HOUSEHOLD_CODE)],
    )
    head_name = models.CharField(_("户主姓名"), max_length=50)
    village = models.ForeignKey("tiers.Place", models.PROTECT, related_name="households", verbose_name=_("所在村"))
    members = models.PositiveSmallIntegerField(
        _("家庭人口"), default=1, validators=[MinValueValidator(1, Msg.MEMBERS_MIN)]
    )
    status = models.CharField(_("状态"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.POOR)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    # 两不愁三保障 and safe drinking water: met or not, with a note (INDICATORS gives the labels).
    food_clothing_ok = models.BooleanField(_("不愁吃、不愁穿"), default=False)
    food_clothing_note = models.CharField(_("吃穿情况说明"), max_length=300, blank=True)
    education_ok = models.BooleanField(_("义务教育有保障"), default=False)
    education_note = models.CharField(_("义务教育情况说明"), max_length=300, blank=True)
    medical_ok = models.BooleanField(_("基本医疗有保障"), default=False)
    medical_note = models.CharField(_("基本医疗情况说明"), max_length=300, blank=True)
    housing_ok = models.BooleanField(_("住房安全有保障"), default=False)
    housing_note = models.CharField(_("住房安全情况说明"), max_length=300, blank=True)
    water_ok = models.BooleanField(_("饮水安全有保障"), default=False)
    water_note = models.CharField(_("饮水安全情况说明"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("建档立卡贫困户")
        verbose_name_plural = _("建档立卡贫困户")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.code}）"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.village_id and self.village.level != PlaceLevel.VILLAGE:
            errors["village"] = Msg.MUST_BE_VILLAGE
        if self.status == HouseholdStatus.LIFTED and not self.exit_year:
            errors["exit_year"] = Msg.EXIT_YEAR_NEEDED
        elif self.status == HouseholdStatus.POOR and self.exit_year:
            errors["exit_year"] = Msg.EXIT_YEAR_ONLY_LIFTED
        elif self.exit_year and not 2013 <= self.exit_year <= timezone.localdate().year:
            errors["exit_year"] = Msg.EXIT_YEAR_RANGE
        if errors:
            raise ValidationError(errors)

    def indicators(self) -> list[tuple[str, bool, str]]:
        """(label, met, note) of each indicator, in the document's order."""
        return [(str(label), getattr(self, f"{key}_ok"), getattr(self, f"{key}_note")) for key, label in INDICATORS]


class PairingQuerySet(DatedQuerySet, ScopedQuerySet):
    """Pairings seen by a user: by the household's village, the helper's unit, or the helper themself."""

    scope_place_paths = ("household__village__path",)
    scope_units = ("helper__unit",)
    scope_persons = ("helper",)


class Pairing(Dated):
    """A helper (帮扶责任人) paired with a household from ``start`` to ``end``; history is kept by ending rows."""

    helper = models.ForeignKey("tiers.Person", models.PROTECT, related_name="pairings", verbose_name=_("帮扶责任人"))
    household = models.ForeignKey(Household, models.PROTECT, related_name="pairings", verbose_name=_("帮扶户"))
    history = HistoricalRecords()

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["household__code", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="pairing_dates")
        ]
        indexes = [models.Index(fields=["helper", "household", "start"], name="pairing_helper_household")]

    def __str__(self) -> str:
        return f"{self.helper.name} ↔ {self.household.head_name}户"

    #: The fields of the rows this one may not overlap (``clean`` here; set-wise in a roster import).
    exclusive = ("household",)

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        return self.clean_dates()

    def clean(self) -> None:
        errors = self.clean_own()
        if not errors and self.household_id:
            other = (
                Pairing.objects.filter(household=self.household)
                .exclude(pk=self.pk)
                .overlapping(self.start, self.end)
                .select_related("helper")
                .first()
            )
            if other is not None:
                errors["__all__"] = ValidationError(
                    Msg.PAIRING_OVERLAP, params={"other": f"{other.helper.name}，自{other.start:%Y-%m-%d}"}
                )
        if errors:
            raise ValidationError(errors)

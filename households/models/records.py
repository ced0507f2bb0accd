"""What a helper does for a paired household: 一户一策 plan revisions, visits (入户走访) and deeds (实事好事)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.choices import ReportedTo
from households.messages import Msg
from tiers.scope import ScopedQuerySet
from tiers.validators import record_date_errors


class RecordQuerySet(ScopedQuerySet):
    """Records seen by a user: by the household's village, the helper's unit, or the helper themself."""

    scope_place_paths = ("household__village__path",)
    scope_units = ("helper__unit",)
    scope_persons = ("helper",)


class HelperRecord(models.Model):
    """A dated record by a helper about a household, entered by a user (the helper, or a clerk for them)."""

    helper = models.ForeignKey("tiers.Person", models.PROTECT, related_name="+", verbose_name=_("帮扶责任人"))
    household = models.ForeignKey("households.Household", models.PROTECT, related_name="+", verbose_name=_("帮扶户"))
    date = models.DateField(_("日期"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("录入人"), null=True, blank=True
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date", "-entered_at"]

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        if not errors and self.date and self.helper_id and self.household_id and not self.paired_on(self.date):
            errors["date"] = ValidationError(
                Msg.HELPER_NOT_PAIRED, params={"date": f"{self.date:%Y-%m-%d}", "helper": self.helper.name}
            )
        if errors:
            raise ValidationError(errors)

    def paired_on(self, day: datetime.date) -> bool:
        """Whether the helper was paired with the household on ``day``."""
        from households.models.households import Pairing

        return Pairing.objects.filter(helper_id=self.helper_id, household_id=self.household_id).current_on(day).exists()


class Visit(HelperRecord):
    """入户走访 (十(二), 十(四)): what the helper found per category, and the problems raised and to whom."""

    helper = models.ForeignKey("tiers.Person", models.PROTECT, related_name="visits", verbose_name=_("帮扶责任人"))
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="visits", verbose_name=_("帮扶户")
    )
    industry = models.TextField(_("产业"), blank=True)
    employment = models.TextField(_("就业"), blank=True)
    education = models.TextField(_("教育"), blank=True)
    medical = models.TextField(_("医疗"), blank=True)
    housing = models.TextField(_("住房"), blank=True)
    water = models.TextField(_("饮水"), blank=True)
    problems = models.TextField(_("发现的问题"), blank=True)
    reported_to = models.CharField(_("反映给"), max_length=10, choices=ReportedTo.choices, blank=True)
    history = HistoricalRecords()

    class Meta(HelperRecord.Meta):
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "household", "date"],
                name="visit_once_a_day",
                violation_error_message=Msg.DUPLICATE_VISIT,
            )
        ]
        indexes = [models.Index(fields=["household", "helper", "date"], name="visit_household_helper_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.helper.name} 走访 {self.household.head_name}户"

    def validate_constraints(self, exclude: object = None) -> None:
        """Check ``visit_once_a_day`` here, naming the helper and the day on the date field.

        Django formats a constraint's own message with ``%(name)s`` only (a KeyError on this
        message's ``%(helper)s``), so the constraint is left out of the generic check (its fields
        are excluded; it is the only constraint on them); the database still enforces it. It is
        checked even when ``helper`` is excluded (a form that sets the helper from the pairing, not
        from a field), not when the date or the household already failed.
        """
        skipped = set(exclude or ())
        super().validate_constraints(exclude=skipped | {"helper", "household", "date"})
        if skipped & {"household", "date"} or not (self.helper_id and self.household_id and self.date):
            return
        same_day = Visit._default_manager.filter(
            helper_id=self.helper_id, household_id=self.household_id, date=self.date
        )
        if not self._state.adding and self.pk is not None:
            same_day = same_day.exclude(pk=self.pk)
        if same_day.exists():
            raise ValidationError(
                {
                    "date": ValidationError(
                        Msg.DUPLICATE_VISIT,
                        code="unique",
                        params={"helper": self.helper.name, "date": f"{self.date:%Y-%m-%d}"},
                    )
                }
            )


class Deed(HelperRecord):
    """实事好事 (十(四)): a concrete practical deed done for the household."""

    helper = models.ForeignKey("tiers.Person", models.PROTECT, related_name="deeds", verbose_name=_("帮扶责任人"))
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="deeds", verbose_name=_("帮扶户")
    )
    description = models.TextField(_("办理的实事好事"))
    history = HistoricalRecords()

    class Meta(HelperRecord.Meta):
        verbose_name = _("实事好事")
        verbose_name_plural = _("实事好事")
        indexes = [models.Index(fields=["household", "helper", "date"], name="deed_household_helper_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.helper.name} 为 {self.household.head_name}户 {self.description[:20]}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if self.description and not self.description.strip():  # empty is Django's "required"
            errors["description"] = [ValidationError(Msg.DEED_TEXT)]
        if errors:
            raise ValidationError(errors)


class Plan(HelperRecord):
    """A dated revision of the household's 一户一策 plan (十(一)); every revision is kept."""

    helper = models.ForeignKey("tiers.Person", models.PROTECT, related_name="plans", verbose_name=_("帮扶责任人"))
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="plans", verbose_name=_("帮扶户")
    )
    year = models.PositiveSmallIntegerField(_("计划年度"), validators=[MinValueValidator(2013)])
    family_situation = models.TextField(_("家庭情况"))
    poverty_causes = models.TextField(_("致贫原因"))
    income_paths = models.TextField(_("增收途径"))
    support_measures = models.TextField(_("帮扶（保障）措施"))
    targets = models.TextField(_("目标任务"), blank=True)
    history = HistoricalRecords()

    class Meta(HelperRecord.Meta):
        verbose_name = _("一户一策计划")
        verbose_name_plural = _("一户一策计划")
        indexes = [models.Index(fields=["household", "helper", "date"], name="plan_household_helper_date")]

    def __str__(self) -> str:
        return f"{self.household.head_name}户 {self.year} 年一户一策（{self.date:%Y-%m-%d} 修订）"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if self.date and self.year and self.year not in (self.date.year, self.date.year + 1):
            errors["year"] = [ValidationError(Msg.PLAN_YEAR)]
        if errors:
            raise ValidationError(errors)

"""Resources of the household sheets: households, pairings, and the helpers' logs (visits, deeds,
一户一策 plan revisions)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from households.choices import HouseholdStatus
from households.messages import Msg as HouseholdMsg
from households.models import Deed, Household, Pairing, Plan, Visit
from rosters.resources.base import CachedForeignKeyWidget, CodedResource
from tiers.choices import PlaceLevel
from tiers.models import Person, Place
from tiers.validators import date_error


def helper_field() -> fields.Field:
    return fields.Field(
        attribute="helper",
        column_name="helper",
        widget=CachedForeignKeyWidget(Person, missing=_("帮扶责任人编码不存在：%(code)s")),
    )


def household_field() -> fields.Field:
    return fields.Field(
        attribute="household",
        column_name="household",
        widget=CachedForeignKeyWidget(Household, missing=_("户编码不存在：%(code)s")),
    )


class HouseholdResource(CodedResource):
    village = fields.Field(
        attribute="village",
        column_name="village",
        widget=CachedForeignKeyWidget(
            Place, missing=_("所在村代码不存在：%(code)s"), filter={"level": PlaceLevel.VILLAGE}
        ),
    )

    class Meta:
        model = Household
        fields = ("code", "head_name", "village", "members", "status", "exit_year")
        import_id_fields = ("code",)

    compare = ("head_name", "village_id", "members", "status", "exit_year")
    keep_when_empty = ("status", "exit_year")  # a new household without 状态 gets the model's default

    def import_instance(self, instance: Household, row: Any, **kwargs: Any) -> None:
        """An empty 脱贫年度 keeps the recorded year, unless the row says 未脱贫 (which has no year)."""
        super().import_instance(instance, row, **kwargs)
        if row.get("status") == HouseholdStatus.POOR and row.get("exit_year") in (None, ""):
            instance.exit_year = None


class PairingResource(CodedResource):
    """结对帮扶: the sheet lists every pairing of the households it names; one helper per household at a
    time is checked for the whole sheet at once."""

    helper = helper_field()
    household = household_field()

    class Meta:
        model = Pairing
        fields = ("helper", "household", "start", "end")
        import_id_fields = ("helper", "household", "start")

    key = ("helper", "household", "start")
    anchor = "household"
    ends_missing = "household"
    compare = ("end",)


class HelperRecordResource(CodedResource):
    """A helper's log about a household (visits, deeds, plans): the user importing is recorded as the one
    who entered new records. The pairing in force on the day is checked from the pairings loaded once,
    not by a query per row as ``HelperRecord.clean`` does for a single record."""

    helper = helper_field()
    household = household_field()
    anchor = "household"
    unchecked = ("entered_by",)

    def preload(self, dataset: Any) -> None:
        super().preload(dataset)
        households = list(self.lookups()["household"].cache.values())
        self.pairings: dict[tuple[int, int], list[tuple[Any, Any]]] = {}
        for p in Pairing.objects.filter(household__in=households).values("helper_id", "household_id", "start", "end"):
            self.pairings.setdefault((p["helper_id"], p["household_id"]), []).append((p["start"], p["end"]))

    def record_checks(self, instance: Any) -> dict[str, Any]:
        """Checks of the record itself beyond its fields (e.g. a plan's year against its date)."""
        return {}

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        instance.clean_fields(exclude=[*self.unchecked, *self.lookups()])
        errors = self.record_checks(instance)
        spans = self.pairings.get((instance.helper_id, instance.household_id), [])
        if error := date_error(instance.date, label=instance._meta.get_field("date").verbose_name):
            errors["date"] = error
        elif not any(start <= instance.date and (end is None or instance.date <= end) for start, end in spans):
            errors["date"] = ValidationError(
                HouseholdMsg.HELPER_NOT_PAIRED,
                params={"date": f"{instance.date:%Y-%m-%d}", "helper": instance.helper.name},
            )
        if errors:
            raise ValidationError(errors)
        if instance.pk is None:
            user = kwargs.get("user")
            instance.entered_by = user if getattr(user, "is_authenticated", False) else None


class VisitResource(HelperRecordResource):
    """入户走访: one per helper, household and day (the model's own rule)."""

    class Meta:
        model = Visit
        fields = ("helper", "household", "date", "industry", "employment", "education", "medical", "housing",
                  "water", "problems")  # fmt: skip
        import_id_fields = ("helper", "household", "date")

    key = ("helper", "household", "date")
    compare = ("industry", "employment", "education", "medical", "housing", "water", "problems")


class DeedResource(HelperRecordResource):
    """实事好事: several a day are possible, so a deed is matched on its day and its description too."""

    class Meta:
        model = Deed
        fields = ("helper", "household", "date", "description")
        import_id_fields = ("helper", "household", "date", "description")

    key = ("helper", "household", "date", "description")
    compare = ("description",)


class PlanResource(HelperRecordResource):
    """一户一策: a dated revision of a household's plan, matched on helper, household and revision date;
    every revision is kept."""

    class Meta:
        model = Plan
        fields = ("helper", "household", "date", "year", "family_situation", "poverty_causes", "income_paths",
                  "support_measures", "targets")  # fmt: skip
        import_id_fields = ("helper", "household", "date")

    key = ("helper", "household", "date")
    compare = ("year", "family_situation", "poverty_causes", "income_paths", "support_measures", "targets")

    def record_checks(self, instance: Plan) -> dict[str, Any]:
        if instance.year not in (instance.date.year, instance.date.year + 1):
            return {"year": ValidationError(HouseholdMsg.PLAN_YEAR)}
        return {}

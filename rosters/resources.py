"""django-import-export resources of the roster sheets, with cached lookups (issue 9).

The library's default path asks the database once per row for the row's instance and once per
foreign key. Here each resource loads, once per import, the instances its rows name (by their stable
codes) and the rows they refer to (villages, helpers, households), so a sheet of 100,000 rows is a
handful of queries plus the library's bulk writes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from households.messages import Msg as HouseholdMsg
from households.models import Deed, Household, Pairing, Visit
from tiers.choices import PlaceLevel
from tiers.models import Person, Place, Unit


class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by code, looked up in a dict loaded once (``load``), not one query per row."""

    def __init__(self, model: type, field: str = "code", *, missing: Any) -> None:
        super().__init__(model, field)
        self.cache: dict[str, Any] = {}
        self.missing = missing

    def load(self, codes: set[str], queryset: Any = None) -> None:
        queryset = self.model.objects.all() if queryset is None else queryset
        self.cache = {getattr(o, self.field): o for o in queryset.filter(**{f"{self.field}__in": codes})}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return self.cache[str(value)]
        except KeyError:
            raise ValueError(str(self.missing) % {"code": value}) from None


class CodedResource(resources.ModelResource):
    """A resource whose rows are matched on a stable code, with its existing instances preloaded.

    Unchanged rows are found by comparing the instance's plain column values (``compare``, e.g.
    ``village_id``) before and after the row is applied, instead of the library's diff, which deep-copies
    every instance with its related objects and renders an HTML diff per row (``skip_diff``)."""

    existing: dict[Any, Any]
    compare: tuple[str, ...] = ()
    keep_when_empty: tuple[str, ...] = ()
    _before: dict[str, Any] | None = None

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        self._before = None if new else {name: getattr(instance, name) for name in self.compare}

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """Apply the row; an empty optional cell (``keep_when_empty``) keeps an existing row's value."""
        super().import_instance(instance, row, **kwargs)
        if self._before is not None:
            for name in self.keep_when_empty:
                if row.get(name) in (None, ""):
                    setattr(instance, name, self._before[name])

    #: Called as ``progress(rows done)`` every ``PROGRESS_EVERY`` rows (set by the import service).
    progress: Any = None
    PROGRESS_EVERY = 2000
    _rows = 0

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        self._rows += 1
        if self.progress and self._rows % self.PROGRESS_EVERY == 0:
            self.progress(self._rows)

    #: Fields not checked per row by ``clean_fields`` (foreign keys: the widget has resolved them, and
    #: checking would cost a query per row).
    unchecked: tuple[str, ...] = ()

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """The model's own checks (field validators, choices, ``clean``) before it is written; a
        ``ValidationError`` makes the row invalid, with the fields it names."""
        instance.clean_fields(exclude=list(self.unchecked))
        instance.clean()

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if import_validation_errors or self._before is None:
            return False
        return all(getattr(instance, name) == value for name, value in self._before.items())

    def preload(self, dataset: Any) -> None:
        raise NotImplementedError

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self.preload(dataset)

    def instance_key(self, row: Any) -> Any:
        raise NotImplementedError

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        return self.existing.get(self.instance_key(row))


class UnitResource(CodedResource):
    place = fields.Field(
        attribute="place",
        column_name="place",
        widget=CachedForeignKeyWidget(Place, missing=_("区划代码不存在：%(code)s")),
    )

    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "place")
        import_id_fields = ("code",)
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000

    compare = ("name", "kind", "place_id")
    unchecked = ("place",)

    def preload(self, dataset: Any) -> None:
        self.existing = Unit.objects.in_bulk(set(dataset["code"]), field_name="code")
        self.fields["place"].widget.load(set(dataset["place"]))

    def instance_key(self, row: Any) -> Any:
        return row["code"]


class PersonResource(CodedResource):
    unit = fields.Field(
        attribute="unit", column_name="unit", widget=CachedForeignKeyWidget(Unit, missing=_("单位编码不存在：%(code)s"))
    )

    class Meta:
        model = Person
        fields = ("code", "name", "rank", "unit", "title", "phone")
        import_id_fields = ("code",)
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000

    compare = ("name", "rank", "unit_id", "title", "phone")
    keep_when_empty = ("title", "phone")
    unchecked = ("unit", "user")

    def preload(self, dataset: Any) -> None:
        self.existing = Person.objects.in_bulk(set(dataset["code"]), field_name="code")
        self.fields["unit"].widget.load(set(dataset["unit"]))

    def instance_key(self, row: Any) -> Any:
        return row["code"]


class HouseholdResource(CodedResource):
    village = fields.Field(
        attribute="village",
        column_name="village",
        widget=CachedForeignKeyWidget(Place, missing=_("所在村代码不存在：%(code)s")),
    )

    class Meta:
        model = Household
        fields = ("code", "head_name", "village", "members", "status", "exit_year")
        import_id_fields = ("code",)
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000
        clean_model_instances = False

    compare = ("head_name", "village_id", "members", "status", "exit_year")

    keep_when_empty = ("status", "exit_year")  # a new household without 状态 gets the model's default
    unchecked = ("village",)

    def preload(self, dataset: Any) -> None:
        codes = set(dataset["code"])
        self.existing = Household.objects.in_bulk(codes, field_name="code")
        villages = Place.objects.filter(level=PlaceLevel.VILLAGE)
        self.fields["village"].widget.load(set(dataset["village"]), villages)

    def instance_key(self, row: Any) -> Any:
        return row["code"]


class PairingResource(CodedResource):
    helper = fields.Field(
        attribute="helper",
        column_name="helper",
        widget=CachedForeignKeyWidget(Person, missing=_("帮扶责任人编码不存在：%(code)s")),
    )
    household = fields.Field(
        attribute="household",
        column_name="household",
        widget=CachedForeignKeyWidget(Household, missing=_("户编码不存在：%(code)s")),
    )

    class Meta:
        model = Pairing
        fields = ("helper", "household", "start", "end")
        import_id_fields = ("helper", "household", "start")
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000
        clean_model_instances = False

    compare = ("end",)

    def preload(self, dataset: Any) -> None:
        self.fields["helper"].widget.load(set(dataset["helper"]))
        self.fields["household"].widget.load(set(dataset["household"]))
        households = self.fields["household"].widget.cache.values()
        self.existing = {
            (p.helper.code, p.household.code, p.start): p
            for p in Pairing.objects.filter(household__in=households).select_related("helper", "household")
        }

    def instance_key(self, row: Any) -> Any:
        return (row["helper"], row["household"], row["start"])

    unchecked = ("helper", "household")

    def before_save_instance(self, instance: Pairing, row: Any, **kwargs: Any) -> None:
        if instance.end and instance.end < instance.start:
            raise ValueError(str(_("结束日期早于开始日期。")))
        super().before_save_instance(instance, row, **kwargs)


class HelperRecordResource(CodedResource):
    """A helper's log about a household (visits, deeds): matched on ``key_fields``; the user importing is
    recorded as the one who entered new records. The pairing in force on the day is checked from the
    pairings loaded once, not by a query per row as ``HelperRecord.clean`` does for a single record."""

    helper = fields.Field(
        attribute="helper",
        column_name="helper",
        widget=CachedForeignKeyWidget(Person, missing=_("帮扶责任人编码不存在：%(code)s")),
    )
    household = fields.Field(
        attribute="household",
        column_name="household",
        widget=CachedForeignKeyWidget(Household, missing=_("户编码不存在：%(code)s")),
    )
    key_fields: tuple[str, ...] = ("date",)
    unchecked = ("helper", "household", "entered_by")

    def preload(self, dataset: Any) -> None:
        self.fields["helper"].widget.load(set(dataset["helper"]))
        self.fields["household"].widget.load(set(dataset["household"]))
        households = list(self.fields["household"].widget.cache.values())
        records = self._meta.model.objects.filter(household__in=households).select_related("helper", "household")
        self.existing = {
            (r.helper.code, r.household.code, *(getattr(r, f) for f in self.key_fields)): r for r in records
        }
        self.pairings: dict[tuple[int, int], list[tuple[Any, Any]]] = {}
        for p in Pairing.objects.filter(household__in=households).values("helper_id", "household_id", "start", "end"):
            self.pairings.setdefault((p["helper_id"], p["household_id"]), []).append((p["start"], p["end"]))

    def instance_key(self, row: Any) -> Any:
        return (row["helper"], row["household"], *(row[f] for f in self.key_fields))

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        instance.clean_fields(exclude=list(self.unchecked))
        today = timezone.localdate()
        if instance.date > today:
            raise ValidationError(
                {"date": ValidationError(HouseholdMsg.FUTURE_DATE, params={"today": f"{today:%Y-%m-%d}"})}
            )
        spans = self.pairings.get((instance.helper_id, instance.household_id), [])
        if not any(start <= instance.date and (end is None or instance.date <= end) for start, end in spans):
            raise ValidationError(
                {
                    "date": ValidationError(
                        HouseholdMsg.HELPER_NOT_PAIRED,
                        params={"date": f"{instance.date:%Y-%m-%d}", "helper": instance.helper.name},
                    )
                }
            )
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
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000

    compare = ("industry", "employment", "education", "medical", "housing", "water", "problems")


class DeedResource(HelperRecordResource):
    """实事好事: several a day are possible, so a deed is matched on its day and its description too."""

    class Meta:
        model = Deed
        fields = ("helper", "household", "date", "description")
        import_id_fields = ("helper", "household", "date", "description")
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000

    key_fields = ("date", "description")
    compare = ("description",)

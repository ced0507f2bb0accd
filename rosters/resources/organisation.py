"""Resources of the organisation sheets: places, units, people and posts, the assignments of tiers
2–5 (contact leaders, group-leader units, sector lead units, assisting units), and duty records."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from rosters.resources.base import CachedForeignKeyWidget, CachedManyWidget, CodedResource
from tiers.choices import LEVEL_ORDER
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    DutyRecordKind,
    GroupLeaderAssignment,
    Person,
    Place,
    Post,
    SectorLeadMembership,
    Unit,
)
from tiers.services import places_bulk_create

PLACE_MISSING = _("区划代码不存在：%(code)s")
UNIT_MISSING = _("单位编码不存在：%(code)s")
PERSON_MISSING = _("人员编码不存在：%(code)s")


def fk(name: str, model: type, missing: Any, **kwargs: Any) -> fields.Field:
    """A foreign key column, looked up by code in a dict loaded once per import."""
    return fields.Field(
        attribute=name, column_name=name, widget=CachedForeignKeyWidget(model, missing=missing, **kwargs)
    )


class PlaceResource(CodedResource):
    """行政区划: new places are added under their parent (which may be a row of the same sheet), their
    materialised paths computed for the whole sheet at once (``places_bulk_create``); an existing
    place's name and coordinates can change, its level and parent cannot (a division is not moved by a
    roster: its households, teams and history hang from it)."""

    parent = fields.Field(attribute=None, column_name="parent")

    class Meta:
        model = Place
        fields = ("code", "name", "level", "parent", "longitude", "latitude")
        import_id_fields = ("code",)
        batch_size = 10**9  # all new places in one call, so parents and children get their paths together

    compare = ("name", "level", "longitude", "latitude")
    keep_when_empty = ("longitude", "latitude")
    unchecked = ("path", "depth", "numchild")

    def preload(self, dataset: Any) -> None:
        super().preload(dataset)
        parents = {code for code in dataset["parent"] if code}
        self.parents = Place.objects.in_bulk(parents | set(dataset["code"]), field_name="code")
        self.in_sheet = {
            row[0]: Place(code=row[0], name=row[1], level=row[2])
            for row in zip(dataset["code"], dataset["name"], dataset["level"], strict=True)
        }

    def import_instance(self, instance: Place, row: Any, **kwargs: Any) -> None:
        """Apply the row, then check its place in the tree (here, so that a row whose only change is its
        parent is refused rather than skipped as unchanged)."""
        super().import_instance(instance, row, **kwargs)
        code = row.get("parent") or ""
        parent = self.parents.get(code) or self.in_sheet.get(code)
        if code and parent is None:
            raise ValidationError({"parent": ValidationError(PLACE_MISSING, params={"code": code})})
        if instance.pk is None:
            instance.validate_placement(parent, check_taken=False)
            instance.parent_code = code
            return
        if instance.level != self._before["level"]:
            label = dict(Place._meta.get_field("level").choices)[self._before["level"]]
            raise ValidationError(
                {"level": _("已登记的区划不能通过导入改变层级（原为%(level)s）。") % {"level": label}}
            )
        if (parent.path if parent is not None and parent.pk else "") != instance.path[: -Place.steplen]:
            raise ValidationError({"parent": _("已登记的区划不能通过导入改变上级区划。")})

    def before_save_instance(self, instance: Place, row: Any, **kwargs: Any) -> None:
        instance.clean_fields(exclude=list(self.unchecked))

    def bulk_create(self, using_transactions: bool, dry_run: bool, raise_errors: bool, batch_size: Any = None,
                    result: Any = None) -> None:  # fmt: skip
        if not self.create_instances:
            return
        rows = [
            {"code": p.code, "name": p.name, "level": p.level, "parent_code": p.parent_code,
             "longitude": p.longitude, "latitude": p.latitude}
            for p in sorted(self.create_instances, key=lambda p: (LEVEL_ORDER.index(p.level), p.code))
        ]  # fmt: skip
        try:
            places_bulk_create(rows=rows)
            created = Place.objects.filter(code__in=[row["code"] for row in rows])
            Place.history.bulk_history_create(list(created), **self._history_kwargs())
        except Exception as exc:  # noqa: BLE001 — reported as the sheet's problem, and the import rolled back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.create_instances.clear()


class UnitResource(CodedResource):
    place = fk("place", Place, PLACE_MISSING)

    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "place")
        import_id_fields = ("code",)

    compare = ("name", "kind", "place_id")


class PersonResource(CodedResource):
    unit = fk("unit", Unit, UNIT_MISSING)

    class Meta:
        model = Person
        fields = ("code", "name", "rank", "unit", "title", "phone")
        import_id_fields = ("code",)

    compare = ("name", "rank", "unit_id", "title", "phone")
    keep_when_empty = ("title", "phone")
    unchecked = ("user",)


class PostResource(CodedResource):
    """任职: a post in a unit, or in the party committee or government of a place; a person may hold
    several, so a post is matched on person, post, organisation and start."""

    person = fk("person", Person, PERSON_MISSING)
    unit = fk("unit", Unit, UNIT_MISSING)
    place = fk("place", Place, PLACE_MISSING)

    class Meta:
        model = Post
        fields = ("person", "title", "unit", "place", "start", "end")
        import_id_fields = ("person", "title", "unit", "place", "start")

    key = ("person", "title", "unit", "place", "start")
    anchor = "person"
    compare = ("end",)


class ContactLeaderResource(CodedResource):
    """省级联系领导 (二): a provincial leader's county, and the township and village in their charge."""

    person = fk("person", Person, PERSON_MISSING)
    county = fk("county", Place, PLACE_MISSING)
    charged_township = fk("charged_township", Place, PLACE_MISSING)
    charged_village = fk("charged_village", Place, PLACE_MISSING)

    class Meta:
        model = ContactLeaderAssignment
        fields = ("person", "county", "charged_township", "charged_village", "start", "end")
        import_id_fields = ("person", "county", "start")

    key = ("person", "county", "start")
    anchor = "county"
    compare = ("charged_township_id", "charged_village_id", "end")


class GroupLeaderResource(CodedResource):
    """组长单位 (三): the provincial group-leader unit of a county."""

    unit = fk("unit", Unit, UNIT_MISSING)
    county = fk("county", Place, PLACE_MISSING)

    class Meta:
        model = GroupLeaderAssignment
        fields = ("unit", "county", "start", "end")
        import_id_fields = ("unit", "county", "start")

    key = ("unit", "county", "start")
    anchor = "county"
    compare = ("end",)


class SectorLeadResource(CodedResource):
    """牵头单位 (四): a member unit under a sector lead unit's 归口管理."""

    lead_unit = fk("lead_unit", Unit, UNIT_MISSING)
    member_unit = fk("member_unit", Unit, UNIT_MISSING)

    class Meta:
        model = SectorLeadMembership
        fields = ("lead_unit", "member_unit", "start", "end")
        import_id_fields = ("lead_unit", "member_unit", "start")

    key = ("lead_unit", "member_unit", "start")
    anchor = "member_unit"
    compare = ("end",)


class AssistanceResource(CodedResource):
    """帮扶单位 (五): a unit assisting a village."""

    unit = fk("unit", Unit, UNIT_MISSING)
    village = fk("village", Place, PLACE_MISSING)

    class Meta:
        model = AssistanceAssignment
        fields = ("unit", "village", "start", "end")
        import_id_fields = ("unit", "village", "start")

    key = ("unit", "village", "start")
    anchor = "village"
    compare = ("end",)


class DutyRecordResource(CodedResource):
    """履责记录: a meeting, study session, inspection, visit, letter or submission, of one or more kinds
    (by name or code) and with its participants (by person code). Matched on date, title and what it is
    about (place, unit, leader). Written row by row: the library cannot bulk-write many-to-many fields,
    and a province holds thousands of these, not millions."""

    kinds = fields.Field(
        attribute="kinds",
        column_name="kinds",
        widget=CachedManyWidget(DutyRecordKind, missing=_("履责记录类别不存在：%(code)s"), also=("name",)),
    )
    place = fk("place", Place, PLACE_MISSING)
    unit = fk("unit", Unit, UNIT_MISSING)
    person = fk("person", Person, PERSON_MISSING)
    participants = fields.Field(
        attribute="participants",
        column_name="participants",
        widget=CachedManyWidget(Person, missing=_("参加人员编码不存在：%(code)s")),
    )

    class Meta:
        model = DutyRecord
        fields = ("date", "kinds", "title", "place", "unit", "person", "participants", "minutes")
        import_id_fields = ("date", "title", "place", "unit", "person")
        use_bulk = False

    key = ("date", "title", "place", "unit", "person")
    compare = ("minutes",)
    unchecked = ("entered_by", "attachment")

    def existing_queryset(self, dataset: Any) -> Any:
        return DutyRecord.objects.filter(
            date__in=set(dataset["date"]), title__in=set(dataset["title"])
        ).prefetch_related("kinds", "participants")

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if not new:
            self._before_many = {
                "kinds": {k.pk for k in instance.kinds.all()},
                "participants": {p.pk for p in instance.participants.all()},
            }

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """Apply the row, and resolve its kinds and participants now (the library sets many-to-many
        fields after saving, where a bad code would be an error of no column)."""
        super().import_instance(instance, row, **kwargs)
        self._many = {}
        for name in ("kinds", "participants"):
            try:
                self._many[name] = {o.pk for o in self.fields[name].widget.clean(row.get(name))}
            except ValueError as exc:
                raise ValidationError({name: str(exc)}) from None
        if not self._many["kinds"]:
            raise ValidationError({"kinds": _("请填写至少一个类别。")})

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return self._many == self._before_many

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().before_save_instance(instance, row, **kwargs)
        history = self._history_kwargs()
        instance._history_user, instance._change_reason = history["default_user"], history["default_change_reason"]
        if instance.pk is None:
            instance.entered_by = history["default_user"]

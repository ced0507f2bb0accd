"""Dated assignments between people, units and places, and the leading groups that convene."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers import choices
from tiers.messages import Msg
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet

DATES_CONSTRAINT = Q(end__isnull=True) | Q(end__gte=models.F("start"))


def _check_level(place, level: str, message: str) -> list:
    return [message] if place is not None and place.level != level else []


class ContactLeaderQuerySet(DatedQuerySet, ScopedQuerySet):
    scope_place_paths = ("county__path",)


class ContactLeaderAssignment(Dated):
    """二: a provincial leader linked to a county, and the township/village they personally take charge of."""

    person = models.ForeignKey(
        "tiers.Person", models.PROTECT, related_name="contact_counties", verbose_name=_("省级联系包抓领导")
    )
    county = models.ForeignKey(
        "tiers.Place", models.PROTECT, related_name="contact_leaders", verbose_name=_("联系县（市、区）")
    )
    charged_township = models.ForeignKey(
        "tiers.Place", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("包抓乡镇")
    )
    charged_village = models.ForeignKey(
        "tiers.Place", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("帮扶村")
    )

    history = HistoricalRecords()
    objects = ContactLeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("省级联系包抓")
        verbose_name_plural = _("省级联系包抓")
        ordering = ["county__code", "-start"]
        constraints = [models.CheckConstraint(condition=DATES_CONSTRAINT, name="contact_leader_dates")]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.county.name}"

    #: The fields of the rows this one may not overlap (``clean`` here; set-wise in a roster import).
    exclusive = ("county",)

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        errors: dict = self.clean_dates()
        if self.county_id:
            if self.county.level != choices.PlaceLevel.COUNTY:
                errors["county"] = Msg.MUST_BE_COUNTY
            else:
                for field, level, message in (
                    ("charged_township", choices.PlaceLevel.TOWNSHIP, Msg.MUST_BE_TOWNSHIP),
                    ("charged_village", choices.PlaceLevel.VILLAGE, Msg.MUST_BE_VILLAGE),
                ):
                    place = getattr(self, field)
                    if place is not None and place.level != level:
                        errors[field] = message
                    elif place is not None and not place.path.startswith(self.county.path):
                        errors[field] = Msg.CHARGE_OUTSIDE_COUNTY
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
        if self.county_id and not errors:
            errors.update(self.clean_overlap(ContactLeaderAssignment.objects.filter(county=self.county)))
        if errors:
            raise ValidationError(errors)


class GroupLeaderQuerySet(DatedQuerySet, ScopedQuerySet):
    scope_place_paths = ("county__path",)
    scope_units = ("unit",)


class GroupLeaderAssignment(Dated):
    """三: the provincial group-leader unit (省直组长单位) of a county."""

    unit = models.ForeignKey("tiers.Unit", models.PROTECT, related_name="group_leader_of", verbose_name=_("组长单位"))
    county = models.ForeignKey(
        "tiers.Place", models.PROTECT, related_name="group_leader_units", verbose_name=_("帮扶县（市、区）")
    )

    history = HistoricalRecords()
    objects = GroupLeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("组长单位分工")
        verbose_name_plural = _("组长单位分工")
        ordering = ["county__code", "-start"]
        constraints = [models.CheckConstraint(condition=DATES_CONSTRAINT, name="group_leader_dates")]

    def __str__(self) -> str:
        return f"{self.unit.name} → {self.county.name}"

    exclusive = ("county",)

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        errors: dict = self.clean_dates()
        if self.county_id and self.county.level != choices.PlaceLevel.COUNTY:
            errors["county"] = Msg.MUST_BE_COUNTY
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
        if self.county_id and not errors:
            errors.update(self.clean_overlap(GroupLeaderAssignment.objects.filter(county=self.county)))
        if errors:
            raise ValidationError(errors)


class AssistanceQuerySet(DatedQuerySet, ScopedQuerySet):
    scope_place_paths = ("village__path",)
    scope_units = ("unit",)


class AssistanceAssignment(Dated):
    """五: a unit assigned to assist a village (帮扶单位 ↔ 帮扶村)."""

    unit = models.ForeignKey("tiers.Unit", models.PROTECT, related_name="assisted_villages", verbose_name=_("帮扶单位"))
    village = models.ForeignKey("tiers.Place", models.PROTECT, related_name="assisting_units", verbose_name=_("帮扶村"))

    history = HistoricalRecords()
    objects = AssistanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶单位分工")
        verbose_name_plural = _("帮扶单位分工")
        ordering = ["village__code", "-start"]
        constraints = [models.CheckConstraint(condition=DATES_CONSTRAINT, name="assistance_dates")]

    def __str__(self) -> str:
        return f"{self.unit.name} → {self.village.name}"

    exclusive = ("village", "unit")

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        errors: dict = self.clean_dates()
        if self.village_id and self.village.level != choices.PlaceLevel.VILLAGE:
            errors["village"] = Msg.MUST_BE_VILLAGE
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
        if self.village_id and self.unit_id and not errors:
            errors.update(self.clean_overlap(AssistanceAssignment.objects.filter(village=self.village, unit=self.unit)))
        if errors:
            raise ValidationError(errors)


class SectorLeadQuerySet(DatedQuerySet, ScopedQuerySet):
    scope_units = ("lead_unit", "member_unit")


class SectorLeadMembership(Dated):
    """四: a sector lead unit (牵头单位) and a member unit under its 归口管理."""

    lead_unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, related_name="sector_members", verbose_name=_("牵头单位")
    )
    member_unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, related_name="sector_leads", verbose_name=_("归口单位")
    )

    history = HistoricalRecords()
    objects = SectorLeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("牵头归口关系")
        verbose_name_plural = _("牵头归口关系")
        ordering = ["lead_unit__code", "member_unit__code"]
        constraints = [models.CheckConstraint(condition=DATES_CONSTRAINT, name="sector_lead_dates")]

    def __str__(self) -> str:
        return f"{self.lead_unit.name} → {self.member_unit.name}"

    exclusive = ("member_unit",)

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        errors: dict = self.clean_dates()
        if self.lead_unit_id and self.lead_unit_id == self.member_unit_id:
            errors["member_unit"] = Msg.LEAD_UNIT_NOT_SELF
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
        if self.member_unit_id and not errors:
            errors.update(self.clean_overlap(SectorLeadMembership.objects.filter(member_unit=self.member_unit)))
        if errors:
            raise ValidationError(errors)


class LeadingGroupQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)


class LeadingGroup(models.Model):
    """A leading group that can convene: 省/市/县 脱贫攻坚帮扶工作协调领导小组, or a county 驻村工作领导小组."""

    kind = models.CharField(_("类别"), max_length=20, choices=choices.LeadingGroupKind.choices)
    place = models.ForeignKey("tiers.Place", models.PROTECT, related_name="leading_groups", verbose_name=_("行政区划"))
    name = models.CharField(_("名称"), max_length=200)
    established = models.DateField(_("成立日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = LeadingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导小组")
        verbose_name_plural = _("领导小组")
        ordering = ["place__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "place"], name="leading_group_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = {choices.PlaceLevel.PROVINCE, choices.PlaceLevel.PREFECTURE, choices.PlaceLevel.COUNTY}
        if self.place_id:
            if self.kind == choices.LeadingGroupKind.VILLAGE_WORK and self.place.level != choices.PlaceLevel.COUNTY:
                raise ValidationError({"place": Msg.VILLAGE_WORK_COUNTY})
            if self.place.level not in allowed:
                raise ValidationError({"place": Msg.GROUP_PLACE_LEVEL})


class LeadingGroupMemberQuerySet(DatedQuerySet, ScopedQuerySet):
    scope_place_paths = ("group__place__path",)


class LeadingGroupMember(Dated):
    """A person's seat in a leading group (组长, 副组长, 成员), with dates."""

    group = models.ForeignKey(LeadingGroup, models.CASCADE, related_name="members", verbose_name=_("领导小组"))
    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="leading_groups", verbose_name=_("干部"))
    role = models.CharField(_("职务"), max_length=12, choices=choices.GroupRole.choices)

    history = HistoricalRecords()
    objects = LeadingGroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["group", "role", "-start"]
        constraints = [models.CheckConstraint(condition=DATES_CONSTRAINT, name="leading_group_member_dates")]

    def __str__(self) -> str:
        return f"{self.group} {self.get_role_display()} {self.person.name}"

    def clean(self) -> None:
        errors: dict = self.clean_dates()
        if self.role == choices.GroupRole.HEAD and self.group_id and not errors:
            errors.update(
                self.clean_overlap(LeadingGroupMember.objects.filter(group=self.group, role=choices.GroupRole.HEAD))
            )
        if errors:
            raise ValidationError(errors)

"""Village-resident work teams (驻村帮扶工作队) and their members."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers.choices import PlaceLevel
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet
from villagecorps.choices import MemberRole
from villagecorps.messages import Msg

DATES = Q(end__isnull=True) | Q(end__gte=models.F("start"))


class TeamQuerySet(DatedQuerySet, ScopedQuerySet):
    """Teams seen by a user: in a granted subtree (a team leader's village), with a member dispatched by a
    granted unit, or with the user among its members."""

    scope_place_paths = ("village__path",)
    scope_units = ("memberships__dispatching_unit",)
    scope_persons = ("memberships__person",)


class Team(Dated):
    """A village-resident work team stationed in one village from ``start`` to ``end``."""

    village = models.ForeignKey("tiers.Place", models.PROTECT, related_name="teams", verbose_name=_("驻村"))
    name = models.CharField(_("名称"), max_length=100)
    history = HistoricalRecords()

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻村帮扶工作队")
        verbose_name_plural = _("驻村帮扶工作队")
        ordering = ["village__code", "-start"]
        constraints = [models.CheckConstraint(condition=DATES, name="team_dates")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.clean_dates()
        if self.village_id and self.village.level != PlaceLevel.VILLAGE:
            errors["village"] = Msg.MUST_BE_VILLAGE
        elif self.village_id and not errors:
            other = Team.objects.filter(village=self.village).exclude(pk=self.pk).overlapping(self.start, self.end)
            if other.exists():
                errors["__all__"] = ValidationError(Msg.TEAM_OVERLAP, params={"other": other.first().name})
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(DatedQuerySet, ScopedQuerySet):
    """Memberships seen by a user: by the team's village, the dispatching unit, or the member themself."""

    scope_place_paths = ("team__village__path",)
    scope_units = ("dispatching_unit",)
    scope_persons = ("person",)


class Membership(Dated):
    """A cadre stationed in a team, with role and dispatching unit (派出单位); rotations end the row."""

    team = models.ForeignKey(Team, models.PROTECT, related_name="memberships", verbose_name=_("工作队"))
    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="memberships", verbose_name=_("驻村干部"))
    role = models.CharField(_("职务"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    dispatching_unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, related_name="dispatched", verbose_name=_("派出单位")
    )
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻村干部")
        verbose_name_plural = _("驻村干部")
        ordering = ["team", "role", "person__code"]
        constraints = [models.CheckConstraint(condition=DATES, name="membership_dates")]
        indexes = [models.Index(fields=["person", "start"], name="membership_person_start")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.team.name} {self.get_role_display()}）"

    def clean(self) -> None:
        errors = self.clean_dates()
        if not errors and self.team_id and self.start and self.start < self.team.start:
            errors["start"] = ValidationError(
                Msg.MEMBERSHIP_OUTSIDE_TEAM, params={"start": f"{self.team.start:%Y-%m-%d}"}
            )
        if not errors and self.team_id and self.team.end and (self.end is None or self.end > self.team.end):
            errors["end"] = ValidationError(Msg.MEMBERSHIP_AFTER_TEAM, params={"end": f"{self.team.end:%Y-%m-%d}"})
        if not errors and self.pk and self.end:
            later = self.duty_days.filter(date__gt=self.end).order_by("date")
            if first := later.first():
                errors["end"] = ValidationError(
                    Msg.DAYS_AFTER_END, params={"count": later.count(), "first": f"{first.date:%Y-%m-%d}"}
                )
        if not errors and self.person_id and self.start:
            other = (
                Membership.objects.filter(person=self.person)
                .exclude(pk=self.pk)
                .overlapping(self.start, self.end)
                .select_related("team")
                .first()
            )
            if other is not None:
                errors["__all__"] = ValidationError(
                    Msg.MEMBER_OVERLAP, params={"person": self.person.name, "other": other.team.name}
                )
        if errors:
            raise ValidationError(errors)

"""Village-resident work teams (驻村帮扶工作队) and their members."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers.choices import PlaceLevel
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet
from villagecorps.choices import MemberRole
from villagecorps.messages import Msg

TEAM_CODE = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,39}$", Msg.TEAM_CODE)
DATES = Q(end__isnull=True) | Q(end__gte=models.F("start"))


class TeamQuerySet(DatedQuerySet, ScopedQuerySet):
    """Teams seen by a user: in a granted subtree (a team leader's village), with a member dispatched by a
    granted unit, or with the user among its members."""

    scope_place_paths = ("village__path",)
    scope_units = ("memberships__dispatching_unit",)
    scope_persons = ("memberships__person",)


def team_code(village_code: str, start: datetime.date) -> str:
    """The code a team gets when none is given: its village's code and its first day, e.g.
    ``620123101201-20190101`` (a second team of the village starting that day, which would overlap the
    first, gets ``-2``)."""
    return f"{village_code}-{start:%Y%m%d}"


class Team(Dated):
    """A village-resident work team stationed in one village from ``start`` to ``end``.

    ``code`` is the team's stable code, which a roster workbook matches its rows on; a team created
    without one gets ``team_code(village, start)``."""

    code = models.CharField(_("工作队编码"), max_length=40, unique=True, blank=True, validators=[TEAM_CODE])
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.code and self.village_id and self.start:
            base = self.code = team_code(self.village.code, self.start)
            n = 1
            while Team.objects.filter(code=self.code).exclude(pk=self.pk).exists():
                n += 1
                self.code = f"{base}-{n}"
        super().save(*args, **kwargs)

    #: The fields of the rows this one may not overlap (``clean`` here; set-wise in a roster import).
    exclusive = ("village",)

    def clean_own(self) -> dict:
        """Errors found from this row alone (no query of other rows)."""
        errors = self.clean_dates()
        if self.village_id and self.village.level != PlaceLevel.VILLAGE:
            errors["village"] = Msg.MUST_BE_VILLAGE
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
        if self.village_id and not errors:
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

    #: The fields of the rows this one may not overlap (``clean`` here; set-wise in a roster import).
    exclusive = ("person",)

    def clean_own(self) -> dict:
        """Errors found from this row and its team alone (no query of other rows)."""
        errors = self.clean_dates()
        if not errors and self.team_id and self.start and self.start < self.team.start:
            errors["start"] = ValidationError(
                Msg.MEMBERSHIP_OUTSIDE_TEAM, params={"start": f"{self.team.start:%Y-%m-%d}"}
            )
        if not errors and self.team_id and self.team.end and (self.end is None or self.end > self.team.end):
            errors["end"] = ValidationError(Msg.MEMBERSHIP_AFTER_TEAM, params={"end": f"{self.team.end:%Y-%m-%d}"})
        return errors

    def clean(self) -> None:
        errors = self.clean_own()
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

"""Resources of the village-resident corps sheets: teams and their members, and the members' logs
(duty days, rotation training, the dispatching unit's follow-up visits)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy
from import_export import fields

from rosters.resources.base import CachedForeignKeyWidget, CodedResource
from rosters.resources.organisation import PERSON_MISSING, PLACE_MISSING, UNIT_MISSING, fk
from tiers.models import Person, Place, Unit
from villagecorps.choices import DaySource
from villagecorps.messages import Msg
from villagecorps.models import DutyDay, FollowUpVisit, Membership, Team, TrainingDay


class TeamResource(CodedResource):
    """驻村工作队: matched on the team's code; one team per village at a time."""

    village = fk("village", Place, PLACE_MISSING)

    class Meta:
        model = Team
        fields = ("code", "village", "name", "start", "end")
        import_id_fields = ("code",)

    compare = ("village_id", "name", "start", "end")


class MembershipResource(CodedResource):
    """驻村干部: the sheet lists every member of the teams it names (a member it no longer lists is ended
    on the effective date); a cadre is stationed in one village at a time."""

    team = fields.Field(
        attribute="team",
        column_name="team",
        widget=CachedForeignKeyWidget(Team, missing=gettext_lazy("工作队编码不存在：%(code)s")),
    )
    person = fk("person", Person, PERSON_MISSING)
    dispatching_unit = fk("dispatching_unit", Unit, UNIT_MISSING)

    class Meta:
        model = Membership
        fields = ("team", "person", "role", "dispatching_unit", "start", "end")
        import_id_fields = ("team", "person", "start")

    key = ("team", "person", "start")
    anchor = "team"
    ends_missing = "team"
    compare = ("role", "dispatching_unit_id", "end")
    keep_when_empty = ("role",)

    def sheet_problems(self) -> list[tuple[int | None, str, str]]:
        """Overlaps, and duty days recorded after a membership's new end (ending it would orphan them)."""
        problems = super().sheet_problems()
        row_of = {instance.pk: number for instance, number in self.rows_seen if instance.pk}
        memberships = [*row_of, *(m.pk for m in self.ended_rows)]
        late = (
            DutyDay.objects.filter(
                membership__in=memberships, membership__end__isnull=False, date__gt=F("membership__end")
            )
            .values("membership", "membership__person__name")
            .annotate(count=Count("pk"), first=Min("date"))
        )
        for row in late[:200]:
            message = Msg.DAYS_AFTER_END % {"count": row["count"], "first": f"{row['first']:%Y-%m-%d}"}
            if number := row_of.get(row["membership"]):
                problems.append((number, "end", str(message)))
            else:
                problems.append((None, "", f"{row['membership__person__name']}：{message}"))
        return problems


class StationedMixin:
    """The membership in force on a day, from the memberships of the sheet's people loaded once."""

    def load_memberships(self, people: list[Person]) -> None:
        self.memberships: dict[int, list[Membership]] = {}
        for m in Membership.objects.filter(person__in=people).select_related("team", "person"):
            self.memberships.setdefault(m.person_id, []).append(m)

    def membership_on(self, person: Person, day: datetime.date) -> Membership:
        for m in self.memberships.get(person.pk, []):
            if m.start <= day and (m.end is None or day <= m.end):
                return m
        raise ValidationError(
            {"date": ValidationError(Msg.NOT_STATIONED, params={"date": f"{day:%Y-%m-%d}", "person": person.name})}
        )


def _dates(dataset: Any) -> tuple[datetime.date, datetime.date]:
    days = [d for d in dataset["date"] if d]
    return (min(days), max(days)) if days else (datetime.date.min, datetime.date.min)


class DutyDayResource(StationedMixin, CodedResource):
    """驻村考勤: how a cadre spent a day, one row per person and day, in the membership in force that
    day (as the attendance pages record it). A night in the village is a kind of duty day, so nights
    never exceed duty days; a second row for the same person and day is refused as a repeat."""

    person = fk("person", Person, PERSON_MISSING)

    class Meta:
        model = DutyDay
        fields = ("person", "date", "kind", "location")
        import_id_fields = ("person", "date")

    key = ("person", "date")
    anchor = "person"
    compare = ("membership_id", "kind", "location")
    keep_when_empty = ("location",)
    unchecked = ("membership", "recorded_by")
    extra_updates = ("membership", "source", "recorded_by", "recorded_at")

    def existing_queryset(self, dataset: Any) -> Any:
        return super().existing_queryset(dataset).filter(date__range=_dates(dataset))

    def preload(self, dataset: Any) -> None:
        super().preload(dataset)
        self.load_memberships(list(self.lookups()["person"].cache.values()))

    def import_instance(self, instance: DutyDay, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance.person_id and instance.date:
            instance.membership = self.membership_on(instance.person, instance.date)

    def before_save_instance(self, instance: DutyDay, row: Any, **kwargs: Any) -> None:
        super().before_save_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        instance.source = DaySource.IMPORT
        instance.recorded_by = user if getattr(user, "is_authenticated", False) else None
        instance.recorded_at = timezone.now()


class TrainingDayResource(CodedResource):
    """轮训: a day of a county's rotation training attended by a cadre (one a day per cadre)."""

    county = fk("county", Place, PLACE_MISSING)
    person = fk("person", Person, PERSON_MISSING)

    class Meta:
        model = TrainingDay
        fields = ("county", "person", "date", "topic")
        import_id_fields = ("person", "date")

    key = ("person", "date")
    anchor = "person"
    compare = ("county_id", "topic")

    def existing_queryset(self, dataset: Any) -> Any:
        return super().existing_queryset(dataset).filter(date__range=_dates(dataset))


class FollowUpResource(StationedMixin, CodedResource):
    """派出单位回访: the dispatching unit's visit to a cadre it stationed, named by the cadre's code and the
    day (the membership is the one in force that day)."""

    person = fields.Field(
        attribute=None, column_name="person", widget=CachedForeignKeyWidget(Person, missing=PERSON_MISSING)
    )

    class Meta:
        model = FollowUpVisit
        fields = ("person", "date", "visitors", "notes")
        import_id_fields = ("person", "date")

    key = ("person", "date")
    compare = ("membership_id", "visitors", "notes")
    unchecked = ("membership",)
    extra_updates = ("membership",)

    def existing_queryset(self, dataset: Any) -> Any:
        people = list(self.lookups()["person"].cache.values())
        return FollowUpVisit.objects.filter(membership__person__in=people, date__range=_dates(dataset)).select_related(
            "membership"
        )

    def key_of(self, instance: FollowUpVisit) -> tuple:
        return (self.lookups()["person"].codes.get(instance.membership.person_id), instance.date)

    def preload(self, dataset: Any) -> None:
        super().preload(dataset)
        self.load_memberships(list(self.lookups()["person"].cache.values()))

    def import_instance(self, instance: FollowUpVisit, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        try:
            person = self.fields["person"].widget.clean(row.get("person"))
        except ValueError as exc:
            raise ValidationError({"person": str(exc)}) from None
        if person is not None and instance.date:
            instance.membership = self.membership_on(person, instance.date)

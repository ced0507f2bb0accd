"""Writes of the villagecorps app: teams, memberships, duty days (one by one, by the week, imported).

Every write checks scope and validates through the model's ``full_clean``; a week or an import is one
transaction, so a bad row saves nothing.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tiers.locks import advisory_xact_lock
from tiers.models import Person
from villagecorps.choices import DaySource
from villagecorps.messages import Msg
from villagecorps.models import DutyDay, Membership, Team


@transaction.atomic
def team_create(*, village: Any, name: str, start: datetime.date, end: datetime.date | None = None) -> Team:
    """Station a new team in a village."""
    team = Team(village=village, name=name, start=start, end=end)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def membership_create(
    *,
    team: Team,
    person: Person,
    role: str,
    dispatching_unit: Any,
    start: datetime.date,
    end: datetime.date | None = None,
) -> Membership:
    """Station a cadre in a team (one village at a time)."""
    membership = Membership(
        team=team, person=person, role=role, dispatching_unit=dispatching_unit, start=start, end=end
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, end: datetime.date) -> Membership:
    """End a stationing (rotation or replacement); the row is kept."""
    membership.end = end
    membership.full_clean()
    membership.save()
    return membership


def membership_on(*, person: Person, day: datetime.date) -> Membership:
    """The membership of ``person`` in force on ``day``, or a ValidationError on ``date``."""
    membership = Membership.objects.filter(person=person).current_on(day).select_related("team", "person").first()
    if membership is None:
        raise ValidationError(
            {"date": ValidationError(Msg.NOT_STATIONED, params={"date": f"{day:%Y-%m-%d}", "person": person.name})}
        )
    return membership


def _check_scope(user: Any, membership: Membership) -> None:
    if not Membership.objects.visible_to(user).filter(pk=membership.pk).exists():
        raise ValidationError(Msg.OUT_OF_SCOPE)


def _save_day(
    *,
    user: Any,
    membership: Membership,
    day: datetime.date,
    kind: str,
    source: str,
    location: str = "",
    retry: bool = True,
) -> DutyDay:
    # One row per person and day: two saves of one day at once take turns (PostgreSQL), so the second
    # finds the first's row and records over it instead of running into the unique constraint.
    advisory_xact_lock("duty_day", membership.person_id, day.toordinal())
    existing = DutyDay.objects.filter(person_id=membership.person_id, date=day).first()
    if (
        existing is not None
        and (existing.membership_id, existing.kind) == (membership.pk, kind)
        and (existing.location == location or not location)
    ):
        return existing  # confirming what is already recorded changes nothing (and keeps who recorded it)
    duty_day = existing or DutyDay(person_id=membership.person_id, date=day)
    duty_day.membership = membership
    duty_day.kind, duty_day.source, duty_day.location = kind, source, location
    duty_day.recorded_by, duty_day.recorded_at = user, timezone.now()
    duty_day.full_clean(validate_unique=False)  # one row per person and day: replaced, not refused
    duty_day._history_user = user
    try:
        with transaction.atomic():
            duty_day.save()
    except IntegrityError:
        # The same day saved at once by another request where there are no advisory locks: its row is
        # committed now, so record over it (once).
        if existing is not None or not retry:
            raise
        return _save_day(
            user=user, membership=membership, day=day, kind=kind, source=source, location=location, retry=False
        )
    return duty_day


@transaction.atomic
def duty_day_record(
    *, user: Any, person: Person, day: datetime.date, kind: str, location: str = "", source: str = DaySource.SELF
) -> DutyDay:
    """Record how ``person`` spent ``day`` (replacing an earlier record of that day, kept in history).

    The membership is the one in force that day: a day outside any stationing is refused, and as a
    person is stationed in one village at a time, they cannot be on duty in two villages on one day.
    """
    membership = membership_on(person=person, day=day)
    _check_scope(user, membership)
    return _save_day(user=user, membership=membership, day=day, kind=kind, source=source, location=location)


@transaction.atomic
def self_record(*, user: Any, day: datetime.date, kind: str, location: str = "") -> DutyDay:
    """A member records their own day; a location stamp is optional and never required."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise ValidationError(Msg.NOT_A_MEMBER)
    return duty_day_record(user=user, person=person, day=day, kind=kind, location=location, source=DaySource.SELF)


@transaction.atomic
def week_confirm(*, user: Any, team: Team, entries: dict[tuple[int, datetime.date], str]) -> int:
    """A team leader confirms a week: ``entries`` maps (membership id, day) to a kind ("" leaves the
    day unrecorded). All or nothing: any bad cell refuses the whole week, with every error listed."""
    if not Team.objects.visible_to(user).filter(pk=team.pk).exists():
        raise ValidationError(Msg.OUT_OF_SCOPE)
    # Each member in the user's scope, not just the team: a user who sees the team through one member
    # (a unit liaison, or a member themself) may not write the days of the others.
    memberships = {m.pk: m for m in Membership.objects.visible_to(user).filter(team=team).select_related("person")}
    errors: list[ValidationError] = []
    saved = 0
    for (membership_id, day), kind in sorted(entries.items(), key=lambda item: (item[0][1], item[0][0])):
        if not kind:
            continue
        membership = memberships.get(membership_id)
        if membership is None:
            errors.append(ValidationError(Msg.OUT_OF_SCOPE))
            continue
        try:
            with transaction.atomic():
                _save_day(user=user, membership=membership, day=day, kind=kind, source=DaySource.GRID)
            saved += 1
        except ValidationError as exc:
            errors.extend(ValidationError(f"{membership.person.name} {day:%m-%d}：{m}") for m in exc.messages)
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return saved


@dataclass(frozen=True)
class ImportRow:
    """One parsed row of an attendance spreadsheet (row number as the user sees it)."""

    row: int
    person_code: str
    day: datetime.date
    kind: str
    location: str = ""


@transaction.atomic
def duty_days_import(*, user: Any, rows: Iterable[ImportRow]) -> int:
    """Save imported duty days. All or nothing: every bad row is reported by its number and field.

    Set-based (issue 17): the people, their memberships over the rows' dates, which of those ``user``
    may write and the days already recorded are read in one query each, however many rows; each row is
    then checked as ``duty_day_record`` checks one day (the same messages, in the same order: unknown
    person, not stationed that day, out of scope, then the model's ``full_clean``), a day recorded
    already as the row says is left alone, and the new and the replaced days are written in batched
    upserts, each with its history row (who recorded it), once every row is good. 20,000 rows take
    seconds, not minutes (docs/performance.md)."""
    return _import_days(user, list(rows))


#: The fields an imported row sets on a duty day it replaces.
_IMPORTED_FIELDS = ["membership", "kind", "source", "location", "recorded_by", "recorded_at"]


def _import_days(user: Any, rows: list[ImportRow]) -> int:
    # Only people the user may know of: those of their scope and those stationed in it. Anyone else's code
    # is answered as an unknown code, so the errors never name (or confirm) a person outside the scope.
    known = Person.objects.filter(
        Q(pk__in=Person.objects.visible_to(user).values("pk"))
        | Q(pk__in=Membership.objects.visible_to(user).values("person"))
    )
    people = {p.code: p for p in known.filter(code__in={r.person_code for r in rows})}
    dates: dict[int, set[datetime.date]] = defaultdict(set)
    for r in rows:
        if (person := people.get(r.person_code)) is not None:
            dates[person.pk].add(r.day)
    stationed: dict[int, list[Membership]] = defaultdict(list)
    existing: dict[tuple[int, datetime.date], DutyDay] = {}
    visible: set[int] = set()
    if dates:
        first, last = min(min(d) for d in dates.values()), max(max(d) for d in dates.values())
        # In the order ``membership_on`` takes the first of (one at a time: memberships may not overlap).
        memberships = Membership.objects.filter(person_id__in=dates).overlapping(first, last)
        for membership in memberships.select_related("team", "person"):
            stationed[membership.person_id].append(membership)
        ids = [m.pk for found in stationed.values() for m in found]
        visible = set(Membership.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        recorded = DutyDay.objects.filter(reduce(operator.or_, (Q(person_id=p, date__in=d) for p, d in dates.items())))
        existing = {(d.person_id, d.date): d for d in recorded}
    errors: list[ValidationError] = []
    pending: dict[tuple[int, datetime.date], DutyDay] = {}
    now = timezone.now()
    for r in rows:
        person = people.get(r.person_code)
        if person is None:
            errors.append(_row_error(r.row, "人员编码", Msg.UNKNOWN_PERSON % {"code": r.person_code}))
            continue
        membership = next(
            (m for m in stationed[person.pk] if m.start <= r.day and (m.end is None or m.end >= r.day)), None
        )
        if membership is None:
            reason = Msg.NOT_STATIONED % {"date": f"{r.day:%Y-%m-%d}", "person": person.name}
            errors.append(_row_error(r.row, FIELD_LABELS["date"], reason))
            continue
        if membership.pk not in visible:
            errors.append(_row_error(r.row, FIELD_LABELS["__all__"], str(Msg.OUT_OF_SCOPE)))
            continue
        key = (person.pk, r.day)
        current = pending.get(key) or existing.get(key)  # a row earlier in the file counts as recorded
        if (
            current is not None
            and (current.membership_id, current.kind) == (membership.pk, r.kind)
            and (current.location == r.location or not r.location)
        ):
            continue  # confirming what is already recorded changes nothing (and keeps who recorded it)
        duty_day = DutyDay(
            pk=current.pk if current is not None else None,
            person=person,
            date=r.day,
            membership=membership,
            kind=r.kind,
            source=DaySource.IMPORT,
            location=r.location,
            recorded_by=user,
            recorded_at=now,
        )
        try:
            # The related rows were just read (no query per row for them); one row per person and day is
            # kept by replacing, not refusing.
            duty_day.full_clean(
                exclude=["membership", "person", "recorded_by"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, messages in _by_field(exc).items():
                errors += [_row_error(r.row, field, m) for m in messages]
            continue
        pending[key] = duty_day
    if errors:
        raise ValidationError(errors)
    if pending:
        _write_days(user, list(pending.values()))
    return len(rows)


def _write_days(user: Any, days: list[DutyDay]) -> None:
    """Insert the new days and replace the others in batched upserts (``INSERT … ON CONFLICT (person,
    date) DO UPDATE``: a day saved meanwhile by another request is recorded over, not a unique-constraint
    error), then write their history rows, new ("+") or changed ("~") as the rows read before said."""
    replaced = {d.pk for d in days if d.pk is not None}
    for day in days:
        day.pk = None  # the upsert finds the row by person and day, and returns its id
    DutyDay.objects.bulk_create(
        days,
        batch_size=IMPORT_BATCH,
        update_conflicts=True,
        unique_fields=["person", "date"],
        update_fields=_IMPORTED_FIELDS,
    )
    user = user if getattr(user, "is_authenticated", False) else None
    for update in (False, True):
        rows = [d for d in days if (d.pk in replaced) == update]
        DutyDay.history.bulk_history_create(
            rows, batch_size=IMPORT_BATCH, update=update, default_user=user, default_change_reason=None
        )  # no change reason, as a day saved one by one has none


#: Rows per statement of an import.
IMPORT_BATCH = 1_000


FIELD_LABELS = {"date": "日期", "kind": "类别", "location": "位置", "__all__": "整行"}


def _by_field(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {FIELD_LABELS.get(f, f): [m for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
    return {"整行": exc.messages}


def _row_error(row: int, field: str, reason: str) -> ValidationError:
    return ValidationError(Msg.IMPORT_ROW, params={"row": row, "field": field, "reason": reason})

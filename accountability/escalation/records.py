"""The triggers of escalations besides violations, as people record them (issue 7, "Triggers"):
重大涉贫事件 (incidents), inspection findings of 弄虚作假 or serious consequences (cases), and cadres'
annual ratings (不称职 among them).

Writes are typed, keyword-only services that validate — dates in bounds, everything named within the
user's scope, the model's own rules (``full_clean``) — and either save and return the row or raise one
``ValidationError`` keyed by field, saving nothing. Reads are selectors taking ``user=`` and going through
``visible_to``.

What counts as "in the user's scope" for the things an incident or a case names: the row itself is in
``Model.objects.visible_to(user)``, or — for units and people, who often belong to a provincial unit
while working in a county — it is tied to the user's area through a scoped relation: a unit assisting
a village in scope, leading the group for a county in scope or dispatching a cadre stationed there; a
person stationed in a team in scope or paired with a household in scope. All of it is SQL subqueries
over ``visible_to`` querysets, never Python lists of ids.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accountability.messages import Msg
from accountability.models import Case, Incident, Rating
from households.models import Pairing
from tiers.http import FIRST_YEAR
from tiers.locks import advisory_xact_lock
from tiers.models import AssistanceAssignment, GroupLeaderAssignment, Person, Place, Unit
from villagecorps.models import Membership, Team

Errors = dict[str, list[ValidationError]]

# --- scope -----------------------------------------------------------------------------------------


def units_in_scope(user: Any) -> QuerySet[Unit]:
    """Units the user may name: visible, or assisting a village / leading a county / dispatching a cadre
    in the user's scope."""
    return Unit.objects.filter(
        Q(pk__in=Unit.objects.visible_to(user).values("pk"))
        | Q(pk__in=AssistanceAssignment.objects.visible_to(user).values("unit"))
        | Q(pk__in=GroupLeaderAssignment.objects.visible_to(user).values("unit"))
        | Q(pk__in=Membership.objects.visible_to(user).values("dispatching_unit"))
    )


def persons_in_scope(user: Any, *, helpers: bool = True) -> QuerySet[Person]:
    """People the user may name: visible, stationed in a team in scope, or (``helpers``) paired with a
    household in scope."""
    condition = Q(pk__in=Person.objects.visible_to(user).values("pk")) | Q(
        pk__in=Membership.objects.visible_to(user).values("person")
    )
    if helpers:
        condition |= Q(pk__in=Pairing.objects.visible_to(user).values("helper"))
    return Person.objects.filter(condition)


def stationed_on(*, user: Any, person_code: str, date: datetime.date) -> Membership | None:
    """The membership in scope of the cadre with ``person_code`` that was in force on ``date``."""
    return (
        Membership.objects.visible_to(user)
        .filter(person__code=person_code)
        .current_on(date)
        .select_related("team__village", "person")
        .order_by("-start")
        .first()
    )


def team_on(*, user: Any, village: Place, date: datetime.date) -> Team | None:
    """The team in scope stationed in ``village`` on ``date``."""
    return Team.objects.visible_to(user).filter(village=village).current_on(date).order_by("-start").first()


# --- checks ------------------------------------------------------------------------------------------


def _add(errors: Errors, field: str, error: ValidationError) -> None:
    errors.setdefault(field, []).append(error)


def _refuse_outside(errors: Errors, field: str, obj: Any, in_scope: QuerySet, what: Promise) -> None:
    if obj is not None and not in_scope.filter(pk=obj.pk).exists():
        _add(errors, field, ValidationError(Msg.TRIGGER_OUT_OF_SCOPE, params={"what": what}))


def _full_clean(errors: Errors, obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)


def _save(obj: Any, user: Any, errors: Errors) -> None:
    _full_clean(errors, obj)
    if errors:
        raise ValidationError(errors)
    obj._history_user = user
    obj.save()


# --- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    user: Any,
    village: Place,
    date: datetime.date,
    description: str,
    team: Team | None = None,
    person: Person | None = None,
    unit: Unit | None = None,
) -> Incident:
    """Record a 重大涉贫事件 in ``village`` on ``date``, attributed (optionally) to the team stationed
    there, a person (a stationed cadre or a helper) and a unit."""
    errors: Errors = {}
    _refuse_outside(errors, "village", village, Place.objects.visible_to(user), _("村"))
    _refuse_outside(errors, "team", team, Team.objects.visible_to(user), _("工作队"))
    _refuse_outside(errors, "person", person, persons_in_scope(user), _("人员"))
    _refuse_outside(errors, "unit", unit, units_in_scope(user), _("单位"))
    incident = Incident(
        village=village, date=date, description=description, team=team, person=person, unit=unit, recorded_by=user
    )
    _save(incident, user, errors)
    return incident


@transaction.atomic
def case_record(
    *,
    user: Any,
    kind: str,
    date: datetime.date,
    inspection: str,
    description: str,
    place: Place | None = None,
    unit: Unit | None = None,
    membership: Membership | None = None,
    person: Person | None = None,
) -> Case:
    """Record an inspection's finding of 弄虚作假 or serious consequences about exactly one subject: a
    prefecture, county or township (``place``), a unit, a stationed cadre (``membership``) or a person."""
    errors: Errors = {}
    _refuse_outside(errors, "place", place, Place.objects.visible_to(user), _("区划"))
    _refuse_outside(errors, "unit", unit, units_in_scope(user), _("单位"))
    _refuse_outside(errors, "membership", membership, Membership.objects.visible_to(user), _("驻村干部"))
    _refuse_outside(errors, "person", person, persons_in_scope(user), _("人员"))
    case = Case(
        kind=kind,
        date=date,
        inspection=inspection,
        description=description,
        place=place,
        unit=unit,
        membership=membership,
        person=person,
        recorded_by=user,
    )
    _save(case, user, errors)
    return case


@transaction.atomic
def rating_record(*, user: Any, person: Person, year: int, grade: str) -> Rating:
    """Record a cadre's annual grade; recording the same person and year again changes the grade (the
    earlier one stays in the history)."""
    errors: Errors = {}
    this_year = timezone.localdate().year
    if year > this_year:
        _add(errors, "year", ValidationError(Msg.FUTURE_YEAR, params={"year": this_year}))
    elif year < FIRST_YEAR:
        _add(errors, "year", ValidationError(Msg.BAD_YEAR, params={"value": year}))
    _refuse_outside(errors, "person", person, persons_in_scope(user, helpers=False), _("人员"))
    # One rating per person and year: two first ratings at once take turns (the second changes the grade).
    advisory_xact_lock("rating", person.pk, year)
    rating = Rating.objects.select_for_update().filter(person=person, year=year).first()
    if rating is None:
        rating = Rating(person=person, year=year)
    rating.grade = grade
    rating.recorded_by = user
    rating.recorded_at = timezone.now()
    _save(rating, user, errors)
    return rating


# --- reads -------------------------------------------------------------------------------------------


def incident_list(*, user: Any, year: int) -> QuerySet[Incident]:
    """The incidents of ``year`` the user may see, newest first."""
    return (
        Incident.objects.visible_to(user)
        .filter(date__year=year)
        .select_related("village", "team", "person", "unit")
        .order_by("-date", "-id")
    )


def case_list(*, user: Any, year: int) -> QuerySet[Case]:
    """The cases of ``year`` the user may see, newest first."""
    return (
        Case.objects.visible_to(user)
        .filter(date__year=year)
        .select_related("place", "unit", "membership__person", "membership__team", "person")
        .order_by("-date", "-id")
    )


def rating_list(*, user: Any, year: int) -> QuerySet[Rating]:
    """The ratings of ``year`` the user may see, by person code."""
    return Rating.objects.visible_to(user).filter(year=year).select_related("person__unit").order_by("person__code")

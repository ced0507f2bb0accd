"""Set-based figures of the rules fed by households: R05.3, R10.1, R10.2, R10.3.

One query per rule and period over the whole province, no Python loop over subjects. Each returns
a queryset of dicts, one per subject, with the subject's ids, ``figure`` (the measured value; 0
where nothing was recorded) and, for period rules, ``assigned_days`` (the days of the period the
pairing was in force, for pro-rating), ``assigned_from`` and ``assigned_to`` (the first and last of
those days) and ``period_days``. Records count up to ``period.records_end`` (an open period as of a
day counts what was done by then).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from households.models import Deed, Pairing, Plan, Visit
from tiers.figures import figure
from tiers.models import AssistanceAssignment, Person
from tiers.periods import Period

ONE_DAY = datetime.timedelta(days=1)


def _pairings_in(start: datetime.date, end: datetime.date) -> QuerySet:
    """Helper × household subjects of pairings overlapping [start, end], with the days in force."""
    in_force = ExpressionWrapper(
        Least(Coalesce("end", Value(end)), Value(end)) - Greatest("start", Value(start)) + Value(ONE_DAY),
        output_field=DurationField(),
    )
    return (
        Pairing.objects.overlapping(start, end)
        .values("helper_id", "household_id")
        .annotate(
            assigned_days=Sum(in_force),
            assigned_from=Min(Greatest("start", Value(start), output_field=DateField())),
            assigned_to=Max(Least(Coalesce("end", Value(end)), Value(end), output_field=DateField())),
        )
        .order_by("helper_id", "household_id")
    )


def _count_of(model: type, start: datetime.date, end: datetime.date, **extra: object) -> Subquery:
    records = (
        model.objects.filter(
            helper_id=OuterRef("helper_id"), household_id=OuterRef("household_id"), date__range=(start, end), **extra
        )
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(records, output_field=IntegerField()), 0)


def _per_pairing(model: type, period: Period, **extra: object) -> QuerySet:
    return _pairings_in(period.start, period.end).annotate(
        figure=_count_of(model, period.start, period.records_end, **extra), period_days=Value(period.days)
    )


@figure("R10.2")
def visits_per_pairing(period: Period) -> QuerySet:
    """R10.2: visits by each helper to each paired household in ``period``."""
    return _per_pairing(Visit, period)


@figure("R10.3")
def deeds_per_pairing(period: Period) -> QuerySet:
    """R10.3: 实事好事 done by each helper for each paired household in ``period``."""
    return _per_pairing(Deed, period)


@figure("R10.1")
def plans_revised_per_pairing(period: Period, deadline: datetime.date | None = None) -> QuerySet:
    """R10.1: revisions of the household's 一户一策 plan dated from 1 January to ``deadline`` (the
    rule's deadline: 31 March by policy) of the period's year, by the paired helper; 1 or more means
    revised at the start of the year."""
    deadline = min(deadline or datetime.date(period.year, 3, 31), period.records_end)
    return _pairings_in(period.start, period.end).annotate(
        figure=_count_of(Plan, period.start, deadline), period_days=Value(period.days)
    )


@figure("R05.3")
def households_per_cadre(on: datetime.date) -> QuerySet:
    """R05.3: households paired with each cadre of a unit assisting a village on ``on``, with rank."""
    assisting_units = AssistanceAssignment.objects.current_on(on).values("unit_id")
    current = Q(pairings__start__lte=on) & (Q(pairings__end__isnull=True) | Q(pairings__end__gte=on))
    return (
        Person.objects.filter(unit_id__in=assisting_units)
        .values("id", "rank", "unit_id")
        .annotate(figure=Count("pairings", filter=current))
        .order_by("id")
    )

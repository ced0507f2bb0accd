"""Set-based figures of the rules fed by village-resident teams: R09.1, R09.2, R05.5, R05.6, R07.4.

One query per rule and period over the whole province. Each returns a queryset of dicts, one per
membership (a cadre's stationing in a team) overlapping the period, with ``figure`` (0 when nothing
was recorded), ``assigned_days`` (days of the period the membership was in force, for pro-rating),
``assigned_from`` and ``assigned_to`` (the first and last of those days) and ``period_days``. Records
count up to ``period.records_end``. ``membership_id`` identifies the subject; ``person_id``, ``team_id`` and
``dispatching_unit_id`` (and ``county_id`` for R07.4) say whose it is.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, Substr

from tiers.figures import figure
from tiers.models import Place
from tiers.periods import Period
from villagecorps.choices import DUTY_KINDS, NIGHT_KINDS
from villagecorps.models import InsuranceCover, Membership, TrainingDay

ONE_DAY = datetime.timedelta(days=1)


def _overlap_days(start_field: str, end_field: str, start: datetime.date, end: datetime.date) -> ExpressionWrapper:
    """Days of [start_field, end_field (open: None)] inside [start, end], inclusive."""
    return ExpressionWrapper(
        Least(Coalesce(end_field, Value(end)), Value(end)) - Greatest(start_field, Value(start)) + Value(ONE_DAY),
        output_field=DurationField(),
    )


def _memberships(period: Period) -> QuerySet:
    return (
        Membership.objects.overlapping(period.start, period.end)
        .values("id", "person_id", "team_id", "dispatching_unit_id")
        .annotate(
            membership_id=F("id"),
            assigned_days=_overlap_days("start", "end", period.start, period.end),
            assigned_from=Greatest("start", Value(period.start), output_field=DateField()),
            assigned_to=Least(Coalesce("end", Value(period.end)), Value(period.end), output_field=DateField()),
            period_days=Value(period.days),
        )
        .order_by("id")
    )


def _days(period: Period, kinds: list[str]) -> QuerySet:
    in_period = Q(duty_days__date__range=(period.start, period.records_end), duty_days__kind__in=kinds)
    return _memberships(period).annotate(figure=Count("duty_days", filter=in_period))


@figure("R09.1")
def duty_days(period: Period) -> QuerySet:
    """R09.1: days on duty (在村工作并住村, 在村工作未住村, 因公出差, 会议, 培训) per membership."""
    return _days(period, DUTY_KINDS)


@figure("R09.2")
def nights(period: Period) -> QuerySet:
    """R09.2: days living in the village (在村工作并住村) per membership — a subset of R09.1."""
    return _days(period, NIGHT_KINDS)


@figure("R05.5")
def follow_up_visits(period: Period) -> QuerySet:
    """R05.5: follow-up visits (回访) by the dispatching unit per stationed cadre in ``period`` (a quarter)."""
    in_period = Q(follow_ups__date__range=(period.start, period.records_end))
    return _memberships(period).annotate(figure=Count("follow_ups", filter=in_period))


@figure("R05.6")
def insurance_cover(period: Period) -> QuerySet:
    """R05.6: ``covered_days`` — days of the membership's part of ``period`` under accident insurance
    (covers of one membership never overlap) — and ``figure`` 1 when that is all of it, else 0."""
    # The cover's days inside the membership: from the later start to the earlier end (an open end is
    # the period's end: SQLite's MIN() of a NULL is NULL, PostgreSQL's LEAST skips it). Explicit date
    # output fields, or Django cannot type the OuterRefs and adds the day as a text duration on SQLite.
    membership_end = Coalesce(OuterRef("end"), Value(period.end), output_field=DateField())
    cover_end = Coalesce("end", Value(period.end), output_field=DateField())
    covers = (
        InsuranceCover.objects.filter(membership=OuterRef("id"))
        .overlapping(period.start, period.end)
        .filter(Q(end__isnull=True) | Q(end__gte=OuterRef("start")), start__lte=membership_end)
        .annotate(
            days=_overlap_days(
                Greatest("start", OuterRef("start"), output_field=DateField()),
                Least(cover_end, membership_end, output_field=DateField()),
                period.start,
                period.end,
            )
        )
        .order_by()
        .values("membership")
        .annotate(total=Sum("days"))
        .values("total")
    )
    covered = Coalesce(Subquery(covers, output_field=DurationField()), Value(datetime.timedelta(0)))
    rows = _memberships(period).annotate(covered_days=covered)
    return rows.annotate(figure=ExpressionWrapper(Q(covered_days__gte=F("assigned_days")), output_field=IntegerField()))


@figure("R07.4")
def training_days(period: Period) -> QuerySet:
    """R07.4: rotation-training days organised by the county where the team is stationed, per cadre."""
    county_path = Substr("team__village__path", 1, 3 * Place.steplen)
    county = Place.objects.filter(path=OuterRef("county_path")).values("id")[:1]
    trained = (
        TrainingDay.objects.filter(
            person=OuterRef("person_id"), county=OuterRef("county_id"), date__range=(period.start, period.records_end)
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _memberships(period)
        .annotate(county_path=county_path)
        .annotate(county_id=Subquery(county))
        .annotate(figure=Coalesce(Subquery(trained, output_field=IntegerField()), 0))
    )

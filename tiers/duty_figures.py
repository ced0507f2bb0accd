"""Set-based figures of tiers 2–8 (issue 5): R02.1, R03.1–R03.4, R05.1, R05.2, R05.4, R06.1–R06.3,
R07.1–R07.3, R08.1, R08.2.

One query per rule and period over the whole province. Every subject of the period is a row, so a
month, quarter or half with no record comes out as figure 0 (a violation), never as a missing row.
Records count for a rule through their kinds (a joint meeting counts for every kind it has).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, Substr

from tiers.choices import GroupRole, LeadingGroupKind, PlaceLevel, PostTitle, UnitKind
from tiers.figures import figure
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    GroupLeaderAssignment,
    LeadingGroupMember,
    Place,
    Post,
    Unit,
)
from tiers.periods import Period


def _records(rule: str, period: Period) -> QuerySet:
    return DutyRecord.objects.filter(kinds__rules__code=rule, date__range=(period.start, period.records_end))


def _assigned(period: Period) -> dict[str, Any]:
    """``assigned_from`` / ``assigned_to``: the first and last day of the period the assignment held."""
    return {
        "assigned_from": Greatest("start", Value(period.start), output_field=DateField()),
        "assigned_to": Least(Coalesce("end", Value(period.end)), Value(period.end), output_field=DateField()),
    }


def _count(records: QuerySet) -> Coalesce:
    counted = records.order_by().values(group=Value(1)).annotate(n=Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _places(level: str, rule: str, period: Period) -> QuerySet:
    """Every place of ``level`` with the records of ``rule`` held there in ``period``."""
    records = _records(rule, period).filter(place=OuterRef("pk"))
    return (
        Place.objects.filter(level=level)
        .values("id", "code")
        .annotate(place_id=F("id"), figure=_count(records), period_days=Value(period.days))
        .order_by("code")
    )


@figure("R02.1")
def contact_leader_meetings(period: Period) -> QuerySet:
    """R02.1: 协调推进会 presided by each contact leader for the linked county."""
    records = _records("R02.1", period).filter(person=OuterRef("person_id"), place=OuterRef("county_id"))
    return (
        ContactLeaderAssignment.objects.overlapping(period.start, period.end)
        .values("id", "person_id", "county_id")
        .annotate(figure=_count(records), period_days=Value(period.days), **_assigned(period))
        .order_by("id")
    )


def _group_leader_units(rule: str, period: Period) -> QuerySet:
    records = _records(rule, period).filter(unit=OuterRef("unit_id"), place=OuterRef("county_id"))
    return (
        GroupLeaderAssignment.objects.overlapping(period.start, period.end)
        .values("id", "unit_id", "county_id")
        .annotate(figure=_count(records), period_days=Value(period.days), **_assigned(period))
        .order_by("id")
    )


@figure("R03.1")
def three_level_joint_meetings(period: Period) -> QuerySet:
    """R03.1: 三级组长单位联席会议 held by each group-leader unit for its county (half-year)."""
    return _group_leader_units("R03.1", period)


@figure("R03.2")
def provincial_units_meetings(period: Period) -> QuerySet:
    """R03.2: 省直帮扶单位协调推进会议 held by each group-leader unit for its county (half-year)."""
    return _group_leader_units("R03.2", period)


@figure("R03.4")
def assessment_submissions(period: Period) -> QuerySet:
    """R03.4: 考核等次及表彰建议名单 submitted by each group-leader unit for its county (year)."""
    return _group_leader_units("R03.4", period)


@figure("R03.3")
def responsibility_letters(period: Period) -> QuerySet:
    """R03.3: 帮扶责任书 signed by each provincial or central unit assisting a village of a county."""
    county_path = Substr("village__path", 1, 3 * Place.steplen)
    county = Place.objects.filter(path=OuterRef("county_path")).values("id")[:1]
    records = _records("R03.3", period).filter(unit=OuterRef("unit_id"), place__path=OuterRef("county_path"))
    return (
        AssistanceAssignment.objects.overlapping(period.start, period.end)
        .filter(unit__kind__in=[UnitKind.PROVINCIAL_ORGAN, UnitKind.CENTRAL_IN_GANSU])
        .annotate(county_path=county_path)
        .values("unit_id", "county_path")
        .distinct()
        .annotate(county_id=Subquery(county), figure=_count(records), period_days=Value(period.days))
        .order_by("unit_id", "county_path")
    )


def _assisting_units(rule: str, period: Period) -> QuerySet:
    # Each unit once, then its count: counting per assignment and de-duplicating after would run the
    # count once for every village the unit assists.
    assisting = AssistanceAssignment.objects.overlapping(period.start, period.end).values("unit")
    records = _records(rule, period).filter(unit=OuterRef("pk"))
    return (
        Unit.objects.filter(pk__in=assisting)
        .values(unit_id=F("id"))
        .annotate(figure=_count(records), period_days=Value(period.days))
        .order_by("id")
    )


@figure("R05.1")
def party_committee_studies(period: Period) -> QuerySet:
    """R05.1: sessions of each assisting unit's party committee studying assistance work (year, ≥ 4)."""
    return _assisting_units("R05.1", period)


@figure("R05.4")
def helper_assessments(period: Period) -> QuerySet:
    """R05.4: the annual assessment of its helpers organised by each assisting unit."""
    return _assisting_units("R05.4", period)


@figure("R05.2")
def leader_village_visits(period: Period) -> QuerySet:
    """R05.2: visits by each leader (主要/分管负责同志, 班子成员) to a village their unit assists in the period."""
    # Nested twice (in the records subquery): OuterRef(OuterRef(...)) is the leader's post row, not the record.
    assisted = (
        AssistanceAssignment.objects.filter(unit=OuterRef(OuterRef("unit_id")))
        .overlapping(period.start, period.end)
        .values("village")
    )
    records = _records("R05.2", period).filter(person=OuterRef("person_id"), place__in=assisted)
    leaders = Post.objects.overlapping(period.start, period.end).filter(
        unit__in=AssistanceAssignment.objects.overlapping(period.start, period.end).values("unit"),
        title__in=[PostTitle.PRINCIPAL, PostTitle.DEPUTY, PostTitle.LEADER],
    )
    return (
        leaders.values("person_id", "unit_id")
        .distinct()
        .annotate(figure=_count(records), period_days=Value(period.days))
        .order_by("person_id", "unit_id")
    )


@figure("R06.1")
def prefecture_studies(period: Period) -> QuerySet:
    """R06.1: special study sessions of each prefecture (quarter)."""
    return _places(PlaceLevel.PREFECTURE, "R06.1", period)


@figure("R06.2")
def prefecture_coordination_meetings(period: Period) -> QuerySet:
    """R06.2: coordination meetings of each prefecture (half-year)."""
    return _places(PlaceLevel.PREFECTURE, "R06.2", period)


@figure("R06.3")
def prefecture_inspections(period: Period) -> QuerySet:
    """R06.3: inspections or unannounced visits of each prefecture (quarter)."""
    return _places(PlaceLevel.PREFECTURE, "R06.3", period)


@figure("R07.2")
def county_promotion_meetings(period: Period) -> QuerySet:
    """R07.2: assistance promotion meetings of each county (year, ≥ 2)."""
    return _places(PlaceLevel.COUNTY, "R07.2", period)


@figure("R07.3")
def county_team_head_meetings(period: Period) -> QuerySet:
    """R07.3: the county 总队长's meetings with township 总队长 (month)."""
    return _places(PlaceLevel.COUNTY, "R07.3", period)


@figure("R08.2")
def township_team_leader_meetings(period: Period) -> QuerySet:
    """R08.2: the township's team-leader work meetings (month)."""
    return _places(PlaceLevel.TOWNSHIP, "R08.2", period)


@figure("R07.1")
def county_village_work_groups(on: datetime.date) -> QuerySet:
    """R07.1: 1 when the county has a 驻村工作领导小组 headed, on ``on``, by its party secretary; else 0."""
    secretary = Post.objects.current_on(on).filter(title=PostTitle.PARTY_SECRETARY, place=OuterRef("group__place"))
    headed = LeadingGroupMember.objects.current_on(on).filter(
        group__kind=LeadingGroupKind.VILLAGE_WORK,
        group__place=OuterRef("pk"),
        role=GroupRole.HEAD,
        person__in=secretary.values("person"),
    )
    return (
        Place.objects.filter(level=PlaceLevel.COUNTY)
        .values("id", "code")
        .annotate(place_id=F("id"), figure=Exists(headed))
        .order_by("code")
    )


@figure("R08.1")
def township_team_heads(on: datetime.date) -> QuerySet:
    """R08.1: 1 when a party-committee leader of the township holds the post of 总队长 on ``on``; else 0."""
    head = Post.objects.current_on(on).filter(title=PostTitle.TOWNSHIP_TEAM_HEAD, place=OuterRef("pk"))
    return (
        Place.objects.filter(level=PlaceLevel.TOWNSHIP)
        .values("id", "code")
        .annotate(place_id=F("id"), figure=Exists(head))
        .order_by("code")
    )

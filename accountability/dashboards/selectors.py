"""Reads of the dashboards: a place's standing from the precomputed summaries, scoped.

Every page starts from an object fetched through ``visible_to(user)`` (a place, a unit, a person, a
violation): out of scope is 404. The summaries below a visible place are its own subtree, so they are
read by path prefix without a second scope test. Subject lists (the failing subjects behind a figure)
read violations through ``Violation.objects.visible_to(user)``.

The compliance rate of a set of rule × subject × period checks is the share of checks of *ended*
periods that were met: ``(checked - violations) / checked``. Checks of periods still open are shown
apart, as warnings (behind pace), and never lower the rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from accountability.choices import ActionStatus, ViolationStatus
from accountability.models import ActionSummary, Summary, UnitSummary, Violation
from tiers.choices import ActionKind
from tiers.models import Place, Rule, Tier

FIGURES = ("checked", "violations", "severe", "checked_open", "at_risk")
#: Actions that stand (not waived or withdrawn): what the dashboards count.
STANDING_ACTIONS = (ActionStatus.PROPOSED, ActionStatus.CONFIRMED, ActionStatus.HELD)
#: How many of the worst units a page lists.
WORST_UNITS = 10


@dataclass
class Standing:
    """Checks, violations and warnings of some set of rule × subject × period checks."""

    checked: int = 0
    violations: int = 0
    severe: int = 0
    checked_open: int = 0
    at_risk: int = 0

    @property
    def met(self) -> int:
        return self.checked - self.violations

    @property
    def rate(self) -> float | None:
        """Share of ended checks that were met (0–1); None when nothing has been checked yet."""
        return self.met / self.checked if self.checked else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIGURES} | {"rate": self.rate}

    @classmethod
    def of(cls, row: dict[str, Any]) -> Standing:
        return cls(**{name: row.get(name) or 0 for name in FIGURES})


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in FIGURES}


def _worst_first(row: Any) -> tuple:
    """Order rows worst first: lowest rate, then most violations, then most warnings."""
    standing = row.standing
    return (2 if standing.rate is None else standing.rate, -standing.violations, -standing.at_risk)


@dataclass
class Filters:
    """What a dashboard page is narrowed to: a year, and optionally a tier or a rule."""

    year: int
    tier: Tier | None = None
    rule: Rule | None = None

    def summaries(self) -> QuerySet:
        rows = Summary.objects.filter(year=self.year, rule__active=True)
        if self.tier:
            rows = rows.filter(rule__tier=self.tier)
        if self.rule:
            rows = rows.filter(rule=self.rule)
        return rows

    def violations(self, rows: QuerySet) -> QuerySet:
        rows = rows.filter(period_year=self.year)
        if self.tier:
            rows = rows.filter(rule__tier=self.tier)
        if self.rule:
            rows = rows.filter(rule=self.rule)
        return rows

    def query(self) -> dict[str, Any]:
        """The filters as query parameters (for links and exports)."""
        params: dict[str, Any] = {"year": self.year}
        if self.tier:
            params["tier"] = self.tier.code
        if self.rule:
            params["rule"] = self.rule.code
        return params


@dataclass
class PlaceRow:
    place: Place
    standing: Standing


@dataclass
class GroupRow:
    code: str
    name: str
    standing: Standing
    tier: str = ""


@dataclass
class Overview:
    """Everything a place's dashboard shows."""

    place: Place
    filters: Filters
    totals: Standing
    by_tier: list[GroupRow]
    by_rule: list[GroupRow]
    children: list[PlaceRow]
    counties: list[PlaceRow]
    grid: dict[tuple[int, str], Standing]
    trend: list[tuple[int, Standing]]
    actions: dict[str, int]
    worst_units: list[dict[str, Any]]
    tiers: list[Tier] = field(default_factory=list)


def tiers_measured() -> list[Tier]:
    """Tiers that have at least one active rule (T02–T10), in order."""
    return list(Tier.objects.filter(rules__active=True).distinct().order_by("code"))


def _by(rows: QuerySet, *group: str) -> list[dict[str, Any]]:
    return list(rows.values(*group).annotate(**_sums()).order_by(*group))


def _places(rows: QuerySet) -> list[PlaceRow]:
    sums = {row["place"]: Standing.of(row) for row in _by(rows, "place")}
    places = Place.objects.in_bulk(list(sums))
    return sorted((PlaceRow(places[pk], standing) for pk, standing in sums.items()), key=_worst_first)


def summaries_version() -> tuple:
    """Changes whenever a refresh rewrites the summaries (their ids only grow): one cheap query."""
    tables = [model._meta.db_table for model in (Summary, UnitSummary, ActionSummary)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table})" for table in tables))
        return tuple(cursor.fetchone())


def place_overview(place: Place, filters: Filters, *, charts: bool = True, version: tuple | None = None) -> Overview:
    """``overview`` of the place, from this process's cache while the summaries are unchanged: the
    overviews of the top of the tree are read by every reviewer, and the summaries change once a night."""
    tier, rule = (filters.tier.pk if filters.tier else ""), (filters.rule.pk if filters.rule else "")
    key = ("overview", place.pk, filters.year, tier, rule, charts)
    return _cached(key, version, overview, place, filters, charts=charts)


def _cached(key: tuple, version: tuple | None, compute: Any, *args: Any, **kwargs: Any) -> Any:
    """``compute(*args, **kwargs)``, kept in this process's dashboards cache under ``key`` and the
    summaries' ``version`` (read when not given)."""
    full_key = ":".join(str(part) for part in (*key, *(version or summaries_version())))
    cache = caches["dashboards"]
    result = cache.get(full_key)
    if result is None:
        result = compute(*args, **kwargs)
        cache.set(full_key, result)
    return result


def overview(place: Place, filters: Filters, *, charts: bool = True) -> Overview:
    """A place's standing: totals, per tier and rule, its children and counties worst first, a grid of
    children × tiers, the trend by month of due date, actions and the worst units. Reads summaries only.
    ``charts=False`` leaves out the grid and the trend (the page's charts read them as JSON)."""
    rows = filters.summaries()
    own = rows.filter(place=place)
    below = rows.filter(place__path__startswith=place.path)
    totals = Standing.of(own.aggregate(**_sums()))
    by_tier = [
        GroupRow(r["rule__tier__code"], r["rule__tier__name"], Standing.of(r))
        for r in _by(own, "rule__tier__code", "rule__tier__name")
    ]
    by_rule = [
        GroupRow(r["rule__code"], r["rule__counted"], Standing.of(r), tier=r["rule__tier__code"])
        for r in _by(own, "rule__code", "rule__counted", "rule__tier__code")
    ]
    children_rows = below.filter(depth=place.depth + 1)
    children = _places(children_rows) if place.depth < Place.MAX_DEPTH else []
    counties = _places(below.filter(depth=3)) if place.depth < 3 else []
    grid, trend = {}, []
    if charts:
        grid = {
            (r["place"], r["rule__tier__code"]): Standing.of(r) for r in _by(children_rows, "place", "rule__tier__code")
        }
        trend = [(r["month"], Standing.of(r)) for r in _by(own.annotate(month=ExtractMonth("due")), "month")]
    actions = {
        r["kind"]: r["n"]
        for r in ActionSummary.objects.filter(year=filters.year, place=place, status__in=STANDING_ACTIONS)
        .values("kind")
        .annotate(n=Sum("count"))
        .order_by()
    }
    worst_units = list(
        UnitSummary.objects.filter(year=filters.year, place=place, violations__gt=0)
        .order_by("-violations", "-severe", "unit__code")
        .values("unit__code", "unit__name", "violations", "severe", "at_risk")[:WORST_UNITS]
    )
    return Overview(
        place=place,
        filters=filters,
        totals=totals,
        by_tier=by_tier,
        by_rule=by_rule,
        children=children,
        counties=counties,
        grid=grid,
        trend=trend,
        actions=actions,
        worst_units=worst_units,
        tiers=tiers_measured(),
    )


def admonishments(actions: dict[str, int]) -> int:
    return actions.get(ActionKind.ADMONISH, 0)


def award_bans(actions: dict[str, int]) -> int:
    return actions.get(ActionKind.AWARD_BAN, 0)


# --- subjects behind the figures ------------------------------------------------------------------

#: ``?status=`` of a subject list: failing in an ended period, behind pace in an open one, or both.
SUBJECT_STATUSES = {
    "": (ViolationStatus.VIOLATION, ViolationStatus.AT_RISK),
    ViolationStatus.VIOLATION.value: (ViolationStatus.VIOLATION,),
    ViolationStatus.AT_RISK.value: (ViolationStatus.AT_RISK,),
}


def subject_rows(*, user: Any, place: Place, filters: Filters, status: str = "") -> QuerySet:
    """The failing and behind-pace subjects under ``place`` (violations), worst first: scoped."""
    rows = filters.violations(Violation.objects.visible_to(user)).filter(
        place__path__startswith=place.path, status__in=SUBJECT_STATUSES.get(status, SUBJECT_STATUSES[""])
    )
    return rows.select_related("rule", "rule__tier", "person", "unit", "place", "household").order_by(
        "-severity", "rule__code", "period_start", "subject_key"
    )


def people_in_village(*, user: Any, village: Place, filters: Filters) -> list[dict[str, Any]]:
    """Helpers and cadres with subjects in a village, with their violations and warnings."""
    rows = (
        filters.violations(Violation.objects.visible_to(user))
        .filter(place=village, person__isnull=False)
        .values("person__code", "person__name")
        .annotate(
            violations=Count("pk", filter=Q(status=ViolationStatus.VIOLATION)),
            at_risk=Count("pk", filter=Q(status=ViolationStatus.AT_RISK)),
        )
        .order_by("-violations", "-at_risk", "person__code")
    )
    return list(rows)


def person_standing(*, user: Any, person: Any, filters: Filters) -> tuple[list[GroupRow], QuerySet]:
    """A person's violations and warnings per rule, and the rows themselves (scoped)."""
    rows = filters.violations(Violation.objects.visible_to(user)).filter(person=person)
    return _violation_groups(rows), rows.select_related("rule", "place", "household", "unit").order_by(
        "-severity", "rule__code", "period_start"
    )


def unit_standing(*, user: Any, unit: Any, filters: Filters) -> tuple[list[GroupRow], list[dict[str, Any]]]:
    """A unit's violations per rule and its cadres (people of its subjects) with their counts."""
    rows = filters.violations(Violation.objects.visible_to(user)).filter(unit=unit)
    people = list(
        rows.filter(person__isnull=False)
        .values("person__code", "person__name")
        .annotate(
            violations=Count("pk", filter=Q(status=ViolationStatus.VIOLATION)),
            at_risk=Count("pk", filter=Q(status=ViolationStatus.AT_RISK)),
        )
        .order_by("-violations", "-at_risk", "person__code")
    )
    return _violation_groups(rows), people


def _violation_groups(rows: QuerySet) -> list[GroupRow]:
    grouped = (
        rows.values("rule__code", "rule__counted", "rule__tier__code")
        .annotate(
            violations=Count("pk", filter=Q(status=ViolationStatus.VIOLATION)),
            severe=Count("pk", filter=Q(status=ViolationStatus.VIOLATION, severity=3)),
            at_risk=Count("pk", filter=Q(status=ViolationStatus.AT_RISK)),
        )
        .order_by("rule__code")
    )
    return [
        GroupRow(
            r["rule__code"],
            r["rule__counted"],
            Standing(violations=r["violations"], severe=r["severe"], at_risk=r["at_risk"]),
            tier=r["rule__tier__code"],
        )
        for r in grouped
    ]


def summary_years(version: tuple | None = None) -> list[int]:
    """Years that have summaries, newest first (cached with the overviews)."""
    return _cached(("years",), version, _years)


def _years() -> list[int]:
    return list(Summary.objects.filter(depth=1).values_list("year", flat=True).distinct().order_by("-year"))


def month_label(month: int, year: int) -> datetime.date:
    return datetime.date(year, month, 1)


# --- the level below a village: teams, helpers, households ------------------------------------------


def village_members(*, village: Place, year: int) -> dict[str, Any]:
    """The teams stationed in a village and the helpers and households paired there during ``year``,
    each with its violations of the year (one grouped query each)."""
    from households.models import Household, Pairing
    from villagecorps.models import Team

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    violations = Violation.objects.filter(period_year=year, place=village)
    counts = {
        (row["person"], row["household"]): row
        for row in violations.values("person", "household").annotate(
            violations=Count("pk", filter=Q(status=ViolationStatus.VIOLATION)),
            at_risk=Count("pk", filter=Q(status=ViolationStatus.AT_RISK)),
        )
    }

    def tally(person: int | None = None, household: int | None = None) -> dict[str, int]:
        rows = [
            row
            for (p, h), row in counts.items()
            if (person is None or p == person) and (household is None or h == household)
        ]
        return {"violations": sum(r["violations"] for r in rows), "at_risk": sum(r["at_risk"] for r in rows)}

    pairings = Pairing.objects.overlapping(start, end).filter(household__village=village)
    helpers = {p.helper for p in pairings.select_related("helper", "helper__unit")}
    households = Household.objects.filter(village=village).order_by("code")
    return {
        "teams": list(Team.objects.overlapping(start, end).filter(village=village).order_by("pk")),
        "helpers": sorted(
            ({"person": h, **tally(person=h.pk)} for h in helpers), key=lambda r: (-r["violations"], r["person"].code)
        ),
        "households": [{"household": h, **tally(household=h.pk)} for h in households],
    }


def person_households(*, user: Any, person: Any, year: int) -> tuple[list[Any], int]:
    """The households a helper was paired with during ``year`` that ``user`` may see, and how many more
    there were outside the user's scope (counted, never named)."""
    from households.models import Household, Pairing

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    paired = Pairing.objects.overlapping(start, end).filter(helper=person).values("household")
    visible = list(Household.objects.visible_to(user).filter(pk__in=paired).order_by("code"))
    return visible, Household.objects.filter(pk__in=paired).count() - len(visible)


# --- chart data -------------------------------------------------------------------------------------


def overview_data(overview: Overview) -> dict[str, Any]:
    """The overview as JSON for the charts: totals, tiers, rules, children, the children × tiers grid
    (compliance rate, or None where nothing was checked) and the trend by month of due date."""
    children = overview.children
    return {
        "place": {"code": overview.place.code, "name": overview.place.name, "depth": overview.place.depth},
        "year": overview.filters.year,
        "totals": overview.totals.as_dict(),
        "tiers": [{"code": t.code, "name": t.name, **t.standing.as_dict()} for t in overview.by_tier],
        "rules": [{"code": r.code, "tier": r.tier, "name": r.name, **r.standing.as_dict()} for r in overview.by_rule],
        "children": [{"code": c.place.code, "name": c.place.name, **c.standing.as_dict()} for c in children],
        "grid": {
            "rows": [c.place.name for c in children],
            "columns": [t.code for t in overview.tiers],
            "cells": [
                [
                    j,
                    i,
                    None
                    if (s := overview.grid.get((c.place.pk, t.code))) is None or s.rate is None
                    else round(s.rate * 100, 1),
                ]
                for i, c in enumerate(children)
                for j, t in enumerate(overview.tiers)
            ],
        },
        "trend": [{"month": month, **standing.as_dict()} for month, standing in overview.trend],
        "actions": overview.actions,
    }

"""Collect the triggers of the year's escalations and carry each to the body it falls on.

A *hit* is one trigger reaching one body for one escalation rule: an R10.2 violation reaches its helper
for E10.1; an R09.1 violation reaches the member for E09.1, the county for E07.1 and the township for
E08.1; an incident in a village reaches the village's assisting units (E05.2), the county's
group-leader unit (E03.2), and the township, county and prefecture (E08.2, E07.2, E06.2). Which
triggers feed which rule, and through which relation, is catalogue data (``EscalationTrigger``); the
body a relation leads to follows the escalation's tier.

Violations are read in one query per trigger row (values, not model instances); the other triggers
are few.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from accountability.choices import CaseKind, RatingGrade, ViolationStatus
from accountability.models import Case, Incident, Rating, Violation
from tiers.choices import Relation
from tiers.models import AssistanceAssignment, Escalation, EscalationTrigger, Finding, GroupLeaderAssignment, Place
from tiers.models.duty_records import FindingResult
from tiers.periods import Period
from villagecorps.models import Membership

STEP = Place.steplen
DEPTH = {"prefecture": 2, "county": 3, "township": 4, "village": 5}


@dataclass(frozen=True, slots=True)
class Body:
    """Who an escalation falls on before its actions pick their bearers: a unit, a place, a person,
    a stationing (membership) or a team."""

    kind: str
    id: int


@dataclass(slots=True)
class Hit:
    """One trigger reaching one body, with what the chain needs: severity, date, link, summary and the
    county (and village) it happened in, which decide convenors such as the group-leader unit."""

    escalation: Escalation
    trigger: EscalationTrigger
    body: Body
    severity: int
    date: datetime.date
    summary: str
    links: dict[str, int] = field(default_factory=dict)
    county_id: int | None = None
    village_id: int | None = None


class Places:
    """Ancestors of places by path, loaded once: the county of a village, the prefecture of a county."""

    def __init__(self) -> None:
        rows = Place.objects.values_list("id", "path", "level")
        self.by_id = {pk: path for pk, path, _ in rows}
        self.by_path = {path: pk for pk, path, _ in rows}

    def up(self, place_id: int | None, level: str) -> int | None:
        """The ancestor-or-self of ``place_id`` at ``level`` (None when the place is above it)."""
        path = self.by_id.get(place_id) if place_id else None
        depth = DEPTH[level]
        if not path or len(path) < depth * STEP:
            return None
        return self.by_path.get(path[: depth * STEP])


def _tier(escalation: Escalation) -> str:
    return escalation.tier.code if escalation.tier_id else ""


def _in_year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class Collector:
    """Everything needed to turn the year's triggers into hits."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.start, self.end = _in_year(year)
        self.places = Places()
        self._gl: dict[int, int] | None = None
        self._assisted: dict[int, list[int]] | None = None
        self._membership_of: dict[int, int] | None = None

    # --- relations --------------------------------------------------------------------------------

    def group_leader_unit(self, county_id: int | None) -> int | None:
        """The group-leader unit of a county in the year."""
        if self._gl is None:
            rows = GroupLeaderAssignment.objects.overlapping(self.start, self.end).order_by("start")
            self._gl = {county: unit for unit, county in rows.values_list("unit_id", "county_id")}
        return self._gl.get(county_id) if county_id else None

    def assisted_counties(self, unit_id: int) -> list[int]:
        """Counties of the villages a unit assists in the year, in code order."""
        if self._assisted is None:
            self._assisted = {}
            rows = AssistanceAssignment.objects.overlapping(self.start, self.end).order_by("village__path")
            for unit, village in rows.values_list("unit_id", "village_id"):
                county = self.places.up(village, "county")
                if county and county not in self._assisted.setdefault(unit, []):
                    self._assisted[unit].append(county)
        return self._assisted.get(unit_id, [])

    def membership_of(self, person_id: int | None) -> int | None:
        """The person's stationing in the year (the latest), if they were a team member."""
        if self._membership_of is None:
            rows = Membership.objects.overlapping(self.start, self.end).order_by("start")
            self._membership_of = dict(rows.values_list("person_id", "id"))
        return self._membership_of.get(person_id) if person_id else None

    def _county(self, place_id: int | None, unit_id: int | None = None) -> int | None:
        county = self.places.up(place_id, "county")
        if county is None and unit_id:
            counties = self.assisted_counties(unit_id)
            county = counties[0] if counties else None
        return county

    # --- triggers ---------------------------------------------------------------------------------

    def hits(self) -> Iterator[Hit]:
        triggers = EscalationTrigger.objects.select_related("escalation__tier").prefetch_related("rules", "tiers")
        for trigger in triggers.order_by("escalation__code", "id"):
            handler = getattr(self, f"_{trigger.kind}")
            yield from handler(trigger.escalation, trigger)

    def _violation(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        codes = [rule.code for rule in trigger.rules.all()]
        rows = (
            Violation.objects.filter(period_year=self.year, status=ViolationStatus.VIOLATION, rule__code__in=codes)
            .order_by("id")
            .values_list(
                "id",
                "rule__code",
                "unit_id",
                "place_id",
                "person_id",
                "membership_id",
                "severity",
                "period_end",
                "period_kind",
                "period_index",
                "required",
                "actual",
            )  # fmt: skip
        )
        tier = _tier(escalation)
        for pk, code, unit, place, person, membership, severity, end, kind, index, required, actual in rows.iterator(
            chunk_size=5000
        ):
            county = self._county(place, unit)
            body = self._violation_body(tier, trigger.relation, unit, place, person, membership, county)
            if body is None:
                continue
            period = f"{self.year}年（时点）" if kind == "point" else str(Period(kind, self.year, index))
            summary = f"{code} {period}：应达到 {required}，实际 {actual}"
            yield Hit(
                escalation, trigger, body, severity or 1, end, summary, {"violation": pk}, county,
                self.places.up(place, "village"),
            )  # fmt: skip

    def _violation_body(
        self, tier: str, relation: str, unit: int | None, place: int | None, person: int | None,
        membership: int | None, county: int | None,
    ) -> Body | None:  # fmt: skip
        if relation == Relation.IN_COUNTY:
            if tier == "T03":  # an assisting unit in the county missed its letter: the county's group leader
                gl = self.group_leader_unit(county)
                return Body("unit", gl) if gl else None
            return Body("place", county) if county else None
        if relation == Relation.IN_TOWNSHIP:
            township = self.places.up(place, "township")
            return Body("place", township) if township else None
        if tier in ("T03", "T04", "T05"):
            return Body("unit", unit) if unit else None
        if tier in ("T06", "T07", "T08"):
            return Body("place", place) if place else None
        if tier == "T09":
            return Body("membership", membership) if membership else None
        if tier == "T10":
            return Body("person", person) if person else None
        return None

    def _finding(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        tiers = [tier.code for tier in trigger.tiers.all()]
        findings = Finding.objects.filter(
            result=FindingResult.FAILED,
            duty__tier__code__in=tiers,
            period_start__lte=self.end,
            period_end__gte=self.start,
        ).select_related("duty")
        tier = _tier(escalation)
        for finding in findings.order_by("id"):
            county = self._county(finding.place_id, finding.unit_id)
            body = self._finding_body(tier, trigger.relation, finding, county)
            if body is None:
                continue
            summary = f"审核认定未履行 {finding.duty.clause} {finding.duty.title}：{finding.evidence[:60]}"
            yield Hit(escalation, trigger, body, 1, finding.period_end, summary, {"finding": finding.pk}, county)

    def _finding_body(self, tier: str, relation: str, finding: Finding, county: int | None) -> Body | None:
        if relation == Relation.IN_COUNTY and tier == "T03":
            gl = self.group_leader_unit(county)
            return Body("unit", gl) if gl else None
        if tier in ("T03", "T04", "T05"):
            return Body("unit", finding.unit_id) if finding.unit_id else None
        if tier in ("T06", "T07", "T08"):
            return Body("place", finding.place_id) if finding.place_id else None
        if tier == "T09":
            membership = self.membership_of(finding.person_id)
            return Body("membership", membership) if membership else None
        if tier == "T10":
            return Body("person", finding.person_id) if finding.person_id else None
        if not tier:  # E00.1
            return _any_body(finding.place_id, finding.unit_id, finding.person_id)
        return None

    def _incident(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        tier = _tier(escalation)
        for incident in Incident.objects.filter(date__range=(self.start, self.end)).order_by("id"):
            county = self.places.up(incident.village_id, "county")
            summary = f"重大涉贫事件 {incident.date:%Y-%m-%d} {incident.description[:60]}"
            for body in self._incident_bodies(tier, trigger.relation, incident, county):
                yield Hit(
                    escalation, trigger, body, 3, incident.date, summary, {"incident": incident.pk}, county,
                    incident.village_id,
                )  # fmt: skip

    def _incident_bodies(self, tier: str, relation: str, incident: Incident, county: int | None) -> list[Body]:
        if relation == Relation.ASSISTED_VILLAGE:
            if tier == "T03":
                gl = self.group_leader_unit(county)
                return [Body("unit", gl)] if gl else []
            units = set(
                AssistanceAssignment.objects.current_on(incident.date)
                .filter(village_id=incident.village_id)
                .values_list("unit_id", flat=True)
            )
            if incident.unit_id:
                units.add(incident.unit_id)
            return [Body("unit", unit) for unit in sorted(units)]
        level = {Relation.IN_PREFECTURE: "prefecture", Relation.IN_COUNTY: "county", Relation.IN_TOWNSHIP: "township"}
        if relation in level:
            place = self.places.up(incident.village_id, level[relation])
            return [Body("place", place)] if place else []
        if relation == Relation.TEAM and incident.team_id:
            membership = (
                Membership.objects.current_on(incident.date)
                .filter(team_id=incident.team_id, person_id=incident.person_id)
                .values_list("id", flat=True)
                .first()
                if incident.person_id
                else None
            )
            return [Body("membership", membership)] if membership else [Body("team", incident.team_id)]
        if relation == Relation.HELPER and incident.person_id and not incident.team_id:
            return [Body("person", incident.person_id)]
        return []

    def _cases(self, kind: str) -> Iterator[Case]:
        yield from Case.objects.filter(kind=kind, date__range=(self.start, self.end)).order_by("id")

    def _falsification(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        tier = _tier(escalation)
        for case in self._cases(CaseKind.FALSIFICATION):
            body = self._case_body(tier, trigger.relation, case)
            if body is None:
                continue
            county = self._county(case.place_id, case.unit_id) or self._member_county(case.membership_id)
            summary = f"弄虚作假 {case.date:%Y-%m-%d}（{case.inspection}）：{case.description[:60]}"
            yield Hit(escalation, trigger, body, 3, case.date, summary, {"case": case.pk}, county)

    def _member_county(self, membership_id: int | None) -> int | None:
        if not membership_id:
            return None
        village = Membership.objects.filter(pk=membership_id).values_list("team__village_id", flat=True).first()
        return self.places.up(village, "county")

    def _case_body(self, tier: str, relation: str, case: Case) -> Body | None:
        level = {Relation.IN_PREFECTURE: "prefecture", Relation.IN_COUNTY: "county", Relation.IN_TOWNSHIP: "township"}
        if relation in level:
            place = self.places.up(case.place_id, level[relation]) if case.place_id else None
            return Body("place", place) if place else None
        if tier == "T05":
            return Body("unit", case.unit_id) if case.unit_id else None
        if tier == "T09":
            membership = case.membership_id or self.membership_of(case.person_id)
            return Body("membership", membership) if membership and not case.unit_id else None
        if tier == "T10":
            return Body("person", case.person_id) if case.person_id else None
        return None

    def _rating(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        ratings = Rating.objects.filter(year=self.year, grade=RatingGrade.INCOMPETENT).order_by("id")
        for rating in ratings:
            membership = self.membership_of(rating.person_id)
            if membership is None:
                continue
            summary = f"{rating.year}年度考核为不称职"
            yield Hit(
                escalation, trigger, Body("membership", membership), 3, self.end, summary, {"rating": rating.pk},
                self._member_county(membership),
            )  # fmt: skip

    def _serious(self, escalation: Escalation, trigger: EscalationTrigger) -> Iterator[Hit]:
        for case in self._cases(CaseKind.SERIOUS):
            body = _any_body(case.place_id, case.unit_id, case.person_id, case.membership_id)
            if body is None:
                continue
            summary = f"造成严重后果 {case.date:%Y-%m-%d}（{case.inspection}）：{case.description[:60]}"
            yield Hit(escalation, trigger, body, 3, case.date, summary, {"case": case.pk}, self._county(case.place_id))


def _any_body(place: int | None, unit: int | None, person: int | None, membership: int | None = None) -> Body | None:
    for kind, pk in (("membership", membership), ("person", person), ("unit", unit), ("place", place)):
        if pk:
            return Body(kind, pk)
    return None

"""The records a violation's figure counted, for its evidence: a registry keyed by rule code.

Each entry mirrors the figure function of its rule (``households/figures.py``,
``villagecorps/figures.py``, ``tiers/duty_figures.py``): the same model, the same subject and the same
dates, so the records listed are the ones counted. A record entered after its period was closed
(``PeriodClosure.closed_at``) is marked ``late``: it changed the figure after the result became final.

Point-in-time structure checks (R07.1, R08.1) count no records: their evidence is empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Model, QuerySet

from accountability.choices import ViolationStatus
from accountability.compliance.rules import due_date
from accountability.models import PeriodClosure, Violation
from households.models import Deed, Pairing, Plan, Visit
from tiers.models import AssistanceAssignment, DutyRecord
from tiers.periods import Period
from villagecorps.choices import DUTY_KINDS, NIGHT_KINDS
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, TrainingDay

#: Most records listed for one violation.
MAX_RECORDS = 200
#: Rules that count no records: a structure is checked on a day (a leading group, a post held).
NO_RECORDS = frozenset({"R07.1", "R08.1"})


@dataclass(frozen=True)
class Source:
    """Where a rule's counted records are: their type name, the query for one violation, the field that
    dates a record, and the field recording when it was entered (empty when the model keeps none)."""

    type: str
    records: Callable[[Violation], QuerySet]
    date_field: str = "date"
    entered_field: str = ""


_REGISTRY: dict[str, Source] = {}


def evidence(*codes: str, kind: str, date_field: str = "date", entered_field: str = "") -> Callable:
    """Register the decorated function as the source of the records counted for ``codes``: records of
    type ``kind``, dated by ``date_field``, entered at ``entered_field`` (empty: not recorded)."""

    def register(fn: Callable[[Violation], QuerySet]) -> Callable[[Violation], QuerySet]:
        for code in codes:
            if code in _REGISTRY:
                raise ValueError(f"evidence for {code} registered twice")
            _REGISTRY[code] = Source(kind, fn, date_field, entered_field)
        return fn

    return register


def registered() -> dict[str, Source]:
    """All registered evidence sources, by rule code."""
    return dict(_REGISTRY)


def counted_period(violation: Violation) -> Period:
    """The period whose records the figure counted: a warning of an open period counts up to the day
    it was checked on, every other result the whole period."""
    period = violation.period
    if violation.status == ViolationStatus.AT_RISK:
        return period.cut(violation.checked_on)
    return period


def _dated(violation: Violation) -> tuple[datetime.date, datetime.date]:
    period = counted_period(violation)
    return period.start, period.records_end


# --- households: R10.1–R10.3, R05.3 -------------------------------------------------------------


@evidence("R10.1", kind="plan", entered_field="entered_at")
def _plans(v: Violation) -> QuerySet:
    """R10.1: plan revisions by the helper for the household from 1 January to the rule's deadline."""
    start, end = _dated(v)
    deadline = min(due_date(v.period, v.rule.deadline) if v.rule.deadline else datetime.date(start.year, 3, 31), end)
    return Plan.objects.filter(helper=v.person_id, household=v.household_id, date__range=(start, deadline))


@evidence("R10.2", kind="visit", entered_field="entered_at")
def _visits(v: Violation) -> QuerySet:
    """R10.2: visits by the helper to the household in the period."""
    return Visit.objects.filter(helper=v.person_id, household=v.household_id, date__range=_dated(v))


@evidence("R10.3", kind="deed", entered_field="entered_at")
def _deeds(v: Violation) -> QuerySet:
    """R10.3: deeds done by the helper for the household in the period."""
    return Deed.objects.filter(helper=v.person_id, household=v.household_id, date__range=_dated(v))


@evidence("R05.3", kind="pairing", date_field="start")
def _pairings(v: Violation) -> QuerySet:
    """R05.3: the cadre's pairings in force on the day checked (the figure's day, within the year)."""
    on = min(v.checked_on, v.period_end)
    return Pairing.objects.filter(helper=v.person_id).current_on(on).select_related("helper", "household")


# --- villagecorps: R09.1, R09.2, R05.5, R05.6, R07.4 ------------------------------------------------


@evidence("R09.1", kind="duty_day", entered_field="recorded_at")
def _duty_days(v: Violation) -> QuerySet:
    """R09.1: the membership's days on duty (the five duty kinds) in the period."""
    return DutyDay.objects.filter(membership=v.membership_id, date__range=_dated(v), kind__in=DUTY_KINDS)


@evidence("R09.2", kind="duty_day", entered_field="recorded_at")
def _nights(v: Violation) -> QuerySet:
    """R09.2: the membership's nights in the village in the period."""
    return DutyDay.objects.filter(membership=v.membership_id, date__range=_dated(v), kind__in=NIGHT_KINDS)


@evidence("R05.5", kind="follow_up_visit")
def _follow_ups(v: Violation) -> QuerySet:
    """R05.5: the dispatching unit's follow-up visits to the membership in the period."""
    return FollowUpVisit.objects.filter(membership=v.membership_id, date__range=_dated(v))


@evidence("R05.6", kind="insurance_cover", date_field="start")
def _covers(v: Violation) -> QuerySet:
    """R05.6: the membership's insurance covers overlapping the period."""
    return InsuranceCover.objects.filter(membership=v.membership_id).overlapping(v.period_start, v.period_end)


@evidence("R07.4", kind="training_day")
def _training(v: Violation) -> QuerySet:
    """R07.4: rotation-training days of the cadre organised by the county (the subject's place)."""
    return TrainingDay.objects.filter(person=v.person_id, county=v.place_id, date__range=_dated(v))


# --- tiers 2–8: duty records --------------------------------------------------------------------


def _duty_records(v: Violation, **subject: Any) -> QuerySet:
    """Records of a kind counting for the violation's rule, in its period, about the subject."""
    start, end = _dated(v)
    return DutyRecord.objects.filter(kinds__rules__code=v.rule.code, date__range=(start, end), **subject).distinct()


@evidence("R02.1", kind="duty_record", entered_field="entered_at")
def _contact_leader_records(v: Violation) -> QuerySet:
    """R02.1: meetings presided by the contact leader for the county."""
    return _duty_records(v, person=v.person_id, place=v.place_id)


@evidence("R03.1", "R03.2", "R03.3", "R03.4", kind="duty_record", entered_field="entered_at")
def _unit_in_county_records(v: Violation) -> QuerySet:
    """R03.x: records of the unit for the county."""
    return _duty_records(v, unit=v.unit_id, place=v.place_id)


@evidence("R05.1", "R05.4", kind="duty_record", entered_field="entered_at")
def _unit_records(v: Violation) -> QuerySet:
    """R05.1, R05.4: records of the assisting unit."""
    return _duty_records(v, unit=v.unit_id)


@evidence("R05.2", kind="duty_record", entered_field="entered_at")
def _leader_visit_records(v: Violation) -> QuerySet:
    """R05.2: the leader's visits to villages their unit assisted during the period."""
    assisted = (
        AssistanceAssignment.objects.filter(unit=v.unit_id).overlapping(v.period_start, v.period_end).values("village")
    )
    return _duty_records(v, person=v.person_id, place__in=assisted)


@evidence("R06.1", "R06.2", "R06.3", "R07.2", "R07.3", "R08.2", kind="duty_record", entered_field="entered_at")
def _place_records(v: Violation) -> QuerySet:
    """R06.x, R07.2, R07.3, R08.2: records held by the prefecture, county or township."""
    return _duty_records(v, place=v.place_id)


# --- the records of one violation -----------------------------------------------------------------

SELECT_RELATED: dict[type[Model], tuple[str, ...]] = {
    Plan: ("household",),
    Visit: ("helper", "household"),
    Deed: ("helper", "household"),
    Pairing: ("helper", "household"),
    DutyDay: ("person",),
    FollowUpVisit: ("membership__person",),
    InsuranceCover: ("membership__person",),
    TrainingDay: ("person",),
}


def closed_at(violation: Violation) -> datetime.datetime | None:
    """When the violation's rule and period were closed, if they were."""
    closure = PeriodClosure.objects.filter(
        rule=violation.rule_id,
        period_kind=violation.period_kind,
        period_year=violation.period_year,
        period_index=violation.period_index,
    ).first()
    return closure.closed_at if closure else None


class Evidence(NamedTuple):
    """The records of one violation that a user may see: at most ``limit`` rows, whether more visible rows
    were counted, and how many counted records lie outside the user's scope (counted, never named)."""

    records: list[dict[str, Any]]
    truncated: bool
    hidden: int


def evidence_records(violation: Violation, *, user: Any, limit: int = MAX_RECORDS) -> Evidence:
    """The records counted for ``violation`` that ``user`` may see (at most ``limit``, by date), each as
    ``type``, ``id``, ``date``, ``summary``, ``entered_at`` (None when the model keeps no entry time) and
    ``late`` (entered after the period's closure); whether more were counted; and how many counted records
    are outside the user's scope (a cadre's households in another county): their number is shown
    ("另有 2 条记录不在您的范围内"), never what they are.

    Five queries at most: the violation's rule is expected to be loaded (``select_related("rule")``).
    """
    source = _REGISTRY.get(violation.rule.code)
    if source is None:  # NO_RECORDS, or a rule added without evidence yet
        return Evidence([], False, 0)
    counted = source.records(violation)
    model = counted.model
    visible = counted.visible_to(user)
    records = visible.select_related(*SELECT_RELATED.get(model, ())).order_by(source.date_field, "pk")
    rows = list(records[: limit + 1])
    hidden = counted.count() - (len(rows) if len(rows) <= limit else visible.count())
    closed = closed_at(violation) if rows and source.entered_field else None
    result = []
    for record in rows[:limit]:
        entered = getattr(record, source.entered_field) if source.entered_field else None
        result.append(
            {
                "type": source.type,
                "id": record.pk,
                "date": getattr(record, source.date_field),
                "summary": str(record),
                "entered_at": entered,
                "late": bool(closed and entered and entered > closed),
            }
        )
    return Evidence(result, len(rows) > limit, hidden)

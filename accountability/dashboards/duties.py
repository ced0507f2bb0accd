"""The user's own duties for the current period and their standing on each (the home page).

Whose duties: those of the person linked to the login (a helper's households, a stationed cadre's
days, a contact leader's county, a unit leader's visits, …), those of the places the user is staff of
(a prefecture, county or township: the subjects identified by the place alone) and those of the units
the user is liaison of (the subjects identified by the unit, alone or in a county).

Nothing here names a rule. For each active rule with a registered figure, the compliance engine's
subject map (``compliance.subjects.SUBJECTS``) says which column of the figure's rows holds the
person, the unit or the place; the figure of the period containing the day is built exactly as the
engine builds it (``engine._figure``) and filtered down to the user's own subjects in SQL: one query
per applicable rule, never one per subject. The standing of each row is the arithmetic of
``compliance.rules`` (pro-rated minimum, who is checked, the pace), the same as the engine's.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from accountability.choices import PeriodState
from accountability.compliance.engine import (
    _figure,
    measurable_rules,
    period_label,
    policy_load,
    rule_periods,
    rule_state,
)
from accountability.compliance.rules import Policy, behind_pace, due_date, is_checked, required_minimum
from accountability.compliance.subjects import SUBJECTS, Subject
from households.models import Household
from tiers import selectors
from tiers.choices import Period as PeriodKind
from tiers.choices import PlaceLevel
from tiers.models import Person, Place, Rule, Unit
from tiers.periods import Period
from villagecorps.models import Membership

#: A subject's link that is a plain column of the figure's row (``g.helper_id``), not a lookup.
_COLUMN = re.compile(r"^g\.(\w+)$")
#: The links of a subject, in the order a subject's label names them.
_ROLES = ("household", "membership", "unit", "place", "person")


class Standing(models.TextChoices):
    """Where a subject stands on a rule for the current period (message context ``standing``: 已完成
    here is a duty met, not a finished run)."""

    MISSED = "missed", pgettext_lazy("standing", "未完成")
    BEHIND = "behind", pgettext_lazy("standing", "进度滞后")
    ON_PACE = "on_pace", pgettext_lazy("standing", "进度正常")
    MET = "met", pgettext_lazy("standing", "已完成")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("standing", "不适用")


#: Standings still to be acted on, most urgent first (ties on the due date).
UNMET = (Standing.MISSED, Standing.BEHIND, Standing.ON_PACE)


@dataclass(frozen=True)
class Duty:
    """One of the user's duties for the current period: a rule × one of their subjects."""

    rule_code: str
    clause: str
    duty: str  #: the duty's short title (e.g. 帮办实事好事)
    counted: str  #: what the rule counts (e.g. 入户走访)
    measure_unit: str  #: the unit of the figure (次, 天, 户)
    subject: str  #: the subject's name (a household, a team, a county, a unit); "" for the person themself
    period: Period
    period_label: str
    due: datetime.date
    state: str  #: the period's state on the day (``PeriodState``)
    actual: int
    required: int
    standing: Standing

    @property
    def unmet(self) -> bool:
        """Still to be acted on: not met, and the subject is checked."""
        return self.standing in UNMET

    @property
    def standing_label(self) -> str:
        return str(self.standing.label)


def _column(expression: str) -> str | None:
    """The figure column of a subject's link (``"g.helper_id"`` → ``"helper_id"``), or None when the
    link is a lookup or absent."""
    match = _COLUMN.match(expression)
    return match.group(1) if match else None


def _links(subject: Subject) -> dict[str, str]:
    """The subject's links that are plain columns: role (person, unit, place, …) → column."""
    links = {role: _column(getattr(subject, role)) for role in _ROLES}
    return {role: column for role, column in links.items() if column}


def _named_links(kind: str) -> dict[str, str]:
    """The links that identify a subject of ``kind`` (those among its key columns): what names it."""
    subject = SUBJECTS[kind]
    return {role: column for role, column in _links(subject).items() if column in subject.key}


@dataclass(frozen=True)
class _Owner:
    """What the user answers for: their person, the places they are staff of, the units they liaise for."""

    person: Person | None
    places: tuple[Place, ...]
    units: tuple[Unit, ...]

    def condition(self, kind: str) -> Q | None:
        """The rows of a figure of subject ``kind`` that are the user's own, or None when none can be.

        - a subject with a person column: the user's person's rows;
        - a subject identified by a place alone (a prefecture, county, township): the granted places of
          the level the kind names (``SubjectKind.COUNTY`` is ``PlaceLevel.COUNTY``);
        - a subject of a unit with no person (the unit, alone or in a county): the granted units.
        """
        subject = SUBJECTS[kind]
        links = _links(subject)
        if "person" in links:
            return Q(**{links["person"]: self.person.pk}) if self.person else None
        if "place" in links and subject.key == (links["place"],):
            places = [p.pk for p in self.places if kind not in PlaceLevel.values or p.level == kind]
            return Q(**{f"{links['place']}__in": places}) if places else None
        if "unit" in links and links["unit"] in subject.key:
            units = [u.pk for u in self.units]
            return Q(**{f"{links['unit']}__in": units}) if units else None
        return None


def _owner(user: Any) -> _Owner:
    person = Person.objects.filter(user=user).first()
    grants = list(selectors.role_grants(user=user))
    return _Owner(
        person=person,
        places=tuple(g.place for g in grants if g.place_id),
        units=tuple(g.unit for g in grants if g.unit_id),
    )


def _current_period(rule: Rule, on: datetime.date) -> Period:
    """The rule's period containing ``on`` (a point-in-time rule: its year, as the engine checks it)."""
    return next(period for period in rule_periods(rule, on.year) if period.start <= on <= period.end)


def _as_date(value: Any, default: datetime.date) -> datetime.date:
    if value is None:
        return default
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def standing_of(
    row: dict[str, Any], *, rule: Rule, period: Period, state: str, on: datetime.date, policy: Policy
) -> tuple[int, int, Standing]:
    """(actual, required, standing) of one figure row, with the engine's arithmetic.

    Assigned days run from ``assigned_from`` to ``assigned_to`` (the whole period when the figure has
    no such columns); a pro-rated rule requires the minimum scaled by them and does not check a
    subject assigned too few days; a deadline rule checks only subjects in force on the deadline.
    While the period is open, an unmet subject is behind when below the straight line from its first
    assigned day to the due day; once the period has ended it has missed.
    """
    start = _as_date(row.get("assigned_from"), period.start)
    end = _as_date(row.get("assigned_to"), period.end)
    due = due_date(period, rule.deadline)
    assigned = (end - start).days + 1
    minimum = rule.minimum_for_rank(row.get("rank")) if rule.minimum_by_rank and "rank" in row else rule.minimum
    required = required_minimum(minimum, assigned, period.days, pro_rated=rule.pro_rated)
    actual = int(row["figure"] or 0)
    checked = is_checked(assigned, period.days, pro_rated=rule.pro_rated, min_days=policy.pro_rate_min_days)
    if rule.deadline and rule.period != PeriodKind.POINT:
        checked = checked and start <= due <= end
    if not checked:
        return actual, required, Standing.NOT_APPLICABLE
    if actual >= required:
        return actual, required, Standing.MET
    if state != PeriodState.OPEN:
        return actual, required, Standing.MISSED
    span = (min(end, due) - start).days + 1
    elapsed = (min(end, on) - start).days + 1
    return actual, required, Standing.BEHIND if behind_pace(actual, required, elapsed, span) else Standing.ON_PACE


def _labels(found: Iterable[tuple[str, dict[str, Any]]], own: Person | None) -> dict[tuple, str]:
    """Names of the subjects' links, one query per kind of link (not per subject)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for kind, row in found:
        for role, column in _named_links(kind).items():
            if row.get(column) is not None:
                ids[role].add(row[column])
    if own is not None:
        ids["person"].discard(own.pk)
    queries = {
        "household": lambda pks: (
            (h.pk, str(h)) for h in Household.objects.filter(pk__in=pks).only("code", "head_name")
        ),
        "membership": lambda pks: Membership.objects.filter(pk__in=pks).values_list("pk", "team__name"),
        "unit": lambda pks: Unit.objects.filter(pk__in=pks).values_list("pk", "name"),
        "place": lambda pks: Place.objects.filter(pk__in=pks).values_list("pk", "name"),
        "person": lambda pks: Person.objects.filter(pk__in=pks).values_list("pk", "name"),
    }
    return {(role, pk): name for role, pks in ids.items() if pks for pk, name in queries[role](pks)}


def _subject_label(kind: str, row: dict[str, Any], names: dict[tuple, str]) -> str:
    """The subject named by the links in its key (a household; a team; a unit and a county; a place),
    leaving out the user's own person."""
    links = _named_links(kind)
    parts = [names[(role, row.get(column))] for role, column in links.items() if (role, row.get(column)) in names]
    return " · ".join(parts)


def own_duties(*, user: Any, on: datetime.date | None = None) -> list[Duty]:
    """The user's own duties for the period of each rule containing ``on`` (default today), with their
    standing, unmet ones with the nearest due date first, then the rest by due date.

    One figure query per rule that can concern the user (a rule of a person subject when the user has
    a linked person, of a place or unit subject when they hold a grant on one), filtered in SQL to the
    user's own subjects; a user with neither gets an empty list and no figure query.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    on = on or timezone.localdate()
    owner = _owner(user)
    if owner.person is None and not owner.places and not owner.units:
        return []
    policy = policy_load()
    found: list[tuple[Rule, Period, str, dict[str, Any]]] = []
    for rule in measurable_rules().select_related("duty"):
        condition = owner.condition(rule.subject_kind)
        if condition is None:
            continue
        period = _current_period(rule, on)
        state = rule_state(rule, period, on, policy, closed=False)
        found.extend((rule, period, state, row) for row in _figure(rule, period, state, on).filter(condition))
    names = _labels(((rule.subject_kind, row) for rule, _period, _state, row in found), owner.person)
    duties = []
    for rule, period, state, row in found:
        actual, required, standing = standing_of(row, rule=rule, period=period, state=state, on=on, policy=policy)
        duties.append(
            Duty(
                rule_code=rule.code,
                clause=rule.clause,
                duty=rule.duty.title,
                counted=rule.counted,
                measure_unit=rule.unit,
                subject=_subject_label(rule.subject_kind, row, names),
                period=period,
                period_label=period_label(period),
                due=due_date(period, rule.deadline),
                state=state,
                actual=actual,
                required=required,
                standing=standing,
            )
        )
    urgency = {standing: rank for rank, standing in enumerate(Standing)}
    return sorted(duties, key=lambda d: (not d.unmet, d.due, urgency[d.standing], d.rule_code, d.subject))

"""Reads of the villagecorps pages: a cadre's year card, a team's week and month grids, and a county's
teams with who is behind pace.

Each is a fixed handful of queries whatever the size of the team or county: the catalogue minimums
(R09.1, R09.2) and the pro-rating policy, the memberships, and one aggregate of duty days (grouped by
month and kind for a card, counted per membership with ``Count(filter=...)`` for a county).

Targets follow the spec's pro-rating policy: the catalogue minimum (220 days, 160 nights) times the
share of the year the cadre was in post, rounded up; fewer days in post than ``pro_rate_min_days``
and the year is not assessed. "On pace" is the straight line: of the days in post already past
(to yesterday), the same share of the target.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from tiers import services as tier_services
from tiers.choices import PlaceLevel
from tiers.models import Person, Place, Rule
from villagecorps.choices import DUTY_KINDS, NIGHT_KINDS, DayKind, MemberRole
from villagecorps.models import DutyDay, Membership, Team

DAYS_RULE, NIGHTS_RULE = "R09.1", "R09.2"
DEFAULT_DAYS, DEFAULT_NIGHTS = 220, 160
PRO_RATE_POLICY = "pro_rate_min_days"
DEFAULT_PRO_RATE_MIN_DAYS = 30
ONE_DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)

#: Two-character labels for the grid cells (the full label goes in ``title``).
SHORT_LABELS: dict[str, Any] = {
    DayKind.IN_VILLAGE_NIGHT: _("住村"),
    DayKind.IN_VILLAGE: _("在村"),
    DayKind.OFFICIAL_TRIP: _("出差"),
    DayKind.MEETING: _("会议"),
    DayKind.TRAINING: _("培训"),
    DayKind.LEAVE: _("请假"),
    DayKind.OTHER: _("其他"),
}
#: (value, short label, full label) of each kind, in the order a tap cycles through them.
KINDS: list[tuple[str, Any, Any]] = [(kind.value, SHORT_LABELS[kind], kind.label) for kind in DayKind]
WEEKDAYS = [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]
ROLE_ORDER = {role: i for i, role in enumerate(MemberRole)}


# --- pure pieces: intervals, pro-rating, pace -------------------------------------------------------


def days_in(
    intervals: Iterable[tuple[datetime.date, datetime.date | None]], lo: datetime.date, hi: datetime.date
) -> int:
    """Days of [lo, hi] covered by the (non-overlapping) intervals [start, end or open]."""
    total = 0
    for start, end in intervals:
        first, last = max(start, lo), min(end or hi, hi)
        if last >= first:
            total += (last - first).days + 1
    return total


def pro_rate(minimum: int, in_post: int, period_days: int, *, pro_rated: bool = True) -> int:
    """The minimum for ``in_post`` days of a ``period_days`` period, rounded up."""
    if not pro_rated or in_post >= period_days:
        return minimum
    return -(-minimum * in_post // period_days)


def expected_by_now(target: int, elapsed: int, in_post: int) -> int:
    """Straight-line pace: the share ``elapsed / in_post`` of ``target``, rounded up."""
    if in_post <= 0:
        return 0
    return -(-target * min(elapsed, in_post) // in_post)


@dataclass(frozen=True)
class Minimums:
    """What the catalogue asks of a stationed cadre per year (R09.1, R09.2) and the pro-rating floor."""

    days: int = DEFAULT_DAYS
    nights: int = DEFAULT_NIGHTS
    days_pro_rated: bool = True
    nights_pro_rated: bool = True
    min_days: int = DEFAULT_PRO_RATE_MIN_DAYS

    def targets(self, in_post: int, period_days: int) -> tuple[int, int]:
        """Pro-rated (days, nights) for ``in_post`` days of a ``period_days`` year."""
        return (
            pro_rate(self.days, in_post, period_days, pro_rated=self.days_pro_rated),
            pro_rate(self.nights, in_post, period_days, pro_rated=self.nights_pro_rated),
        )

    def assessed(self, in_post: int) -> bool:
        """Whether a year with ``in_post`` days in post is checked at all (the policy's floor)."""
        return in_post >= self.min_days


def minimums() -> Minimums:
    """The catalogue's R09.1/R09.2 (the rule in force last wins) and the pro-rating policy: two queries."""
    rules = {
        r["code"]: r
        for r in Rule.objects.filter(code__in=[DAYS_RULE, NIGHTS_RULE], active=True)
        .order_by("code", "tier__document__in_force_from", "pk")
        .values("code", "minimum", "pro_rated")
    }
    days, nights = rules.get(DAYS_RULE, {}), rules.get(NIGHTS_RULE, {})
    return Minimums(
        days=days.get("minimum") or DEFAULT_DAYS,
        nights=nights.get("minimum") or DEFAULT_NIGHTS,
        days_pro_rated=days.get("pro_rated", True),
        nights_pro_rated=nights.get("pro_rated", True),
        min_days=int(tier_services.policy_value(PRO_RATE_POLICY, DEFAULT_PRO_RATE_MIN_DAYS)),
    )


@dataclass(frozen=True)
class Pace:
    """What is still needed from today: ``needed`` days in the ``left`` days in post that remain."""

    needed: int
    left: int

    @property
    def done(self) -> bool:
        return self.needed <= 0

    @property
    def reachable(self) -> bool:
        return self.needed <= self.left

    @property
    def per_week(self) -> int:
        """Days a week needed from today on, rounded up (7 at most: beyond that it is out of reach)."""
        if self.done:
            return 0
        if self.left <= 0:
            return 7
        return min(7, -(-self.needed * 7 // self.left))

    @property
    def percent(self) -> int:
        """Share of the remaining days in post that must count, in per cent, rounded up."""
        if self.done:
            return 0
        if self.left <= 0:
            return 100
        return -(-self.needed * 100 // self.left)


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date, int]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return start, end, (end - start).days + 1


def _as_of(year: int, today: datetime.date) -> datetime.date:
    """The last day of ``year`` that counts "so far"."""
    return min(today, datetime.date(year, 12, 31))


# --- a cadre's year card ----------------------------------------------------------------------------


@dataclass
class MonthRow:
    """Duty days of one month, by kind (in ``KINDS`` order), with the duty days and nights of it."""

    month: int
    counts: list[int]
    duty: int
    nights: int


@dataclass
class MemberCard:
    """A stationed cadre's year: days and nights so far against the pro-rated targets, and the pace."""

    person: Person
    year: int
    as_of: datetime.date
    memberships: list[Membership]
    in_post: int  # days of the year the memberships cover
    year_days: int
    assessed: bool
    days: int
    nights: int
    days_target: int
    nights_target: int
    days_expected: int
    nights_expected: int
    days_pace: Pace
    nights_pace: Pace
    months: list[MonthRow]
    totals: list[int]
    hidden: int = 0  # memberships of the year outside the viewer's scope (not counted here)
    kinds: list[tuple[str, Any, Any]] = field(default_factory=lambda: KINDS)

    @property
    def current(self) -> Membership | None:
        """The membership in force on ``as_of`` (else the latest of the year)."""
        for m in self.memberships:
            if m.start <= self.as_of and (m.end is None or m.end >= self.as_of):
                return m
        return self.memberships[-1] if self.memberships else None

    @property
    def behind(self) -> bool:
        return self.assessed and (self.days < self.days_expected or self.nights < self.nights_expected)

    @property
    def year_over(self) -> bool:
        return self.as_of >= datetime.date(self.year, 12, 31)


def member_card(*, membership_or_person: Membership | Person, year: int, today: datetime.date, user: Any) -> MemberCard:
    """The year card of a cadre (of the membership's person), as ``user`` may see it: five queries.

    Only the memberships in the user's scope are shown and counted (a team leader does not see the
    days a rotated cadre spent in another county's team); how many were left out is ``hidden``. Days
    and nights are those recorded on those memberships in ``year`` up to ``today``; the targets are
    pro-rated by the days of the year they cover.
    """
    if isinstance(membership_or_person, Membership):
        person = membership_or_person.person
    else:
        person = membership_or_person
    start, end, year_days = _year_bounds(year)
    as_of = _as_of(year, today)
    of_year = Membership.objects.filter(person=person).overlapping(start, end)
    memberships = list(of_year.visible_to(user).select_related("team__village", "dispatching_unit").order_by("start"))
    hidden = of_year.count() - len(memberships)
    intervals = [(m.start, m.end) for m in memberships]
    in_post = days_in(intervals, start, end)
    if today > end:  # a past year: all of it has elapsed, nothing is left
        elapsed, left = in_post, 0
    else:  # today is still to be worked: elapsed to yesterday, left from today
        elapsed, left = days_in(intervals, start, today - ONE_DAY), days_in(intervals, max(today, start), end)
    need = minimums()
    days_target, nights_target = need.targets(in_post, year_days)

    rows = (
        DutyDay.objects.filter(membership__in=[m.pk for m in memberships], date__range=(start, as_of))
        .annotate(month=ExtractMonth("date"))
        .order_by()
        .values("month", "kind")
        .annotate(n=Count("pk"))
    )
    table = {(r["month"], r["kind"]): r["n"] for r in rows}
    months = []
    for month in range(1, 13):
        counts = [table.get((month, value), 0) for value, _short, _label in KINDS]
        months.append(
            MonthRow(
                month=month,
                counts=counts,
                duty=sum(table.get((month, k), 0) for k in DUTY_KINDS),
                nights=sum(table.get((month, k), 0) for k in NIGHT_KINDS),
            )
        )
    days = sum(row.duty for row in months)
    nights = sum(row.nights for row in months)
    return MemberCard(
        person=person,
        year=year,
        as_of=as_of,
        memberships=memberships,
        in_post=in_post,
        year_days=year_days,
        assessed=need.assessed(in_post),
        days=days,
        nights=nights,
        days_target=days_target,
        nights_target=nights_target,
        days_expected=expected_by_now(days_target, elapsed, in_post),
        nights_expected=expected_by_now(nights_target, elapsed, in_post),
        days_pace=Pace(needed=days_target - days, left=left),
        nights_pace=Pace(needed=nights_target - nights, left=left),
        months=months,
        totals=[sum(row.counts[i] for row in months) for i in range(len(KINDS))],
        hidden=hidden,
    )


def person_of(*, user: Any) -> Person | None:
    """The cadre the user logs in as, if any."""
    return Person.objects.filter(user=user).select_related("unit").first()


def card_years(*, today: datetime.date, first: datetime.date | None = None) -> list[int]:
    """Years offered on a card: this year back to the first membership's (at most five)."""
    oldest = max(first.year if first else today.year, today.year - 4)
    return list(range(today.year, oldest - 1, -1))


# --- a team's grid (week or month) ------------------------------------------------------------------


@dataclass
class Cell:
    """One member's day in a grid: ``kind`` recorded (or submitted), and whether it can be entered."""

    name: str
    day: datetime.date
    kind: str
    recorded: str  # the kind in the database ("" when not recorded)
    future: bool
    outside: bool

    @property
    def disabled(self) -> bool:
        return self.future or self.outside

    @property
    def short(self) -> Any:
        return SHORT_LABELS.get(self.kind, "")

    @property
    def label(self) -> Any:
        return DayKind(self.kind).label if self.kind in DayKind.values else ""


@dataclass
class GridRow:
    """A member in force during the grid's days, with a cell per day."""

    membership: Membership
    cells: list[Cell]

    @property
    def duty(self) -> int:
        return sum(1 for c in self.cells if c.recorded in DUTY_KINDS)

    @property
    def nights(self) -> int:
        return sum(1 for c in self.cells if c.recorded in NIGHT_KINDS)


@dataclass
class Grid:
    """Members × days of a team, from ``start`` to ``end``."""

    team: Team
    start: datetime.date
    end: datetime.date
    today: datetime.date
    rows: list[GridRow]

    @property
    def days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def headers(self) -> list[tuple[datetime.date, Any]]:
        return [(day, WEEKDAYS[day.weekday()]) for day in self.days]

    def recorded(self) -> dict[tuple[int, datetime.date], str]:
        """(membership id, day) → kind, of the cells recorded in the database."""
        return {(row.membership.pk, c.day): c.recorded for row in self.rows for c in row.cells if c.recorded}

    def with_values(self, values: dict[tuple[int, datetime.date], str]) -> Grid:
        """The grid showing submitted ``values`` (a refused week is shown as it was sent)."""
        for row in self.rows:
            for c in row.cells:
                if not c.disabled and (row.membership.pk, c.day) in values:
                    c.kind = values[(row.membership.pk, c.day)]
        return self


def cell_name(membership_id: int, day: datetime.date) -> str:
    return f"d-{membership_id}-{day:%Y-%m-%d}"


def _grid(*, team: Team, start: datetime.date, end: datetime.date, today: datetime.date, user: Any = None) -> Grid:
    memberships = Membership.objects.filter(team=team).overlapping(start, end).select_related("person")
    if user is not None:
        memberships = memberships.filter(pk__in=Membership.objects.visible_to(user).filter(team=team).values("pk"))
    members = sorted(memberships, key=lambda m: (ROLE_ORDER.get(m.role, 99), m.person.code, m.start))
    recorded = {
        (d.membership_id, d.date): d.kind
        for d in DutyDay.objects.filter(membership__in=[m.pk for m in members], date__range=(start, end)).only(
            "membership_id", "date", "kind"
        )
    }
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    rows = []
    for m in members:
        cells = []
        for day in days:
            kind = recorded.get((m.pk, day), "")
            cells.append(
                Cell(
                    name=cell_name(m.pk, day),
                    day=day,
                    kind=kind,
                    recorded=kind,
                    future=day > today,
                    outside=day < m.start or (m.end is not None and day > m.end),
                )
            )
        rows.append(GridRow(membership=m, cells=cells))
    return Grid(team=team, start=start, end=end, today=today, rows=rows)


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def team_week(*, team: Team, week_start: datetime.date, today: datetime.date, user: Any = None) -> Grid:
    """The members in force during the week of ``week_start`` (Monday to Sunday) × its seven days,
    with the kind recorded in each cell: two queries. With ``user``, only the members they may see."""
    start = week_start_of(week_start)
    return _grid(team=team, start=start, end=start + WEEK - ONE_DAY, today=today, user=user)


def team_month(*, team: Team, month: datetime.date, today: datetime.date, user: Any = None) -> Grid:
    """The members in force during ``month`` × its days, read-only: two queries."""
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return _grid(team=team, start=start, end=end, today=today, user=user)


# --- teams in scope and a county's teams with who is behind pace -------------------------------------


def team_list(*, user: Any, on: datetime.date) -> QuerySet[Team]:
    """Teams the user may see, with their village and the number of members in force on ``on``."""
    in_force = Q(memberships__start__lte=on) & (Q(memberships__end__isnull=True) | Q(memberships__end__gte=on))
    return (
        Team.objects.visible_to(user)
        .select_related("village")
        .annotate(members=Count("memberships", filter=in_force))
        .order_by("village__code", "-start")
    )


def county_choices(*, user: Any) -> QuerySet[Place]:
    """Counties in the user's place scope that have teams (for links to the county view)."""
    teams = Team.objects.filter(village__path__startswith=OuterRef("path"))
    return Place.objects.visible_to(user).filter(level=PlaceLevel.COUNTY).filter(Exists(teams)).order_by("code")


def county_get(*, user: Any, code: str) -> QuerySet[Place]:
    """The county of ``code`` if in scope (empty otherwise: the view answers 404)."""
    return Place.objects.visible_to(user).filter(level=PlaceLevel.COUNTY, code=code)


@dataclass
class MemberPace:
    """One membership's year so far in a county view."""

    membership: Membership
    in_post: int
    assessed: bool
    days: int
    nights: int
    days_target: int
    nights_target: int
    days_expected: int
    nights_expected: int

    @property
    def days_behind(self) -> bool:
        return self.assessed and self.days < self.days_expected

    @property
    def nights_behind(self) -> bool:
        return self.assessed and self.nights < self.nights_expected

    @property
    def behind(self) -> bool:
        return self.days_behind or self.nights_behind

    @property
    def shortfall(self) -> int:
        """Days (or nights, whichever is further) short of the straight-line pace."""
        return max(self.days_expected - self.days, self.nights_expected - self.nights, 0)


@dataclass
class TeamPace:
    """A team and its members, behind-pace members first."""

    team: Team
    members: list[MemberPace]

    @property
    def behind(self) -> int:
        return sum(1 for m in self.members if m.behind)


def county_teams(*, county: Place, user: Any, year: int, today: datetime.date) -> list[TeamPace]:
    """Every team of ``county`` the user may see, each member's days and nights in ``year`` so far
    against the straight-line pace to date, behind-pace members first (and teams with the most of
    them first). Four queries: the catalogue minimums, the policy, the teams, the memberships with
    their counts (``Count(filter=...)``)."""
    start, end, year_days = _year_bounds(year)
    as_of = _as_of(year, today)
    need = minimums()
    teams_qs = Team.objects.visible_to(user).filter(village__path__startswith=county.path).overlapping(start, end)
    teams = list(teams_qs.select_related("village").order_by("village__code", "-start"))
    so_far = Q(duty_days__date__range=(start, as_of))
    memberships = (
        Membership.objects.visible_to(user)
        .filter(team__in=[t.pk for t in teams])
        .overlapping(start, end)
        .select_related("person", "dispatching_unit")
        .annotate(
            n_days=Count("duty_days", filter=so_far & Q(duty_days__kind__in=DUTY_KINDS)),
            n_nights=Count("duty_days", filter=so_far & Q(duty_days__kind__in=NIGHT_KINDS)),
        )
    )
    by_team: dict[int, list[MemberPace]] = {t.pk: [] for t in teams}
    for m in memberships:
        interval = [(m.start, m.end)]
        in_post = days_in(interval, start, end)
        elapsed = in_post if today > end else days_in(interval, start, today - ONE_DAY)
        days_target, nights_target = need.targets(in_post, year_days)
        by_team[m.team_id].append(
            MemberPace(
                membership=m,
                in_post=in_post,
                assessed=need.assessed(in_post),
                days=m.n_days,
                nights=m.n_nights,
                days_target=days_target,
                nights_target=nights_target,
                days_expected=expected_by_now(days_target, elapsed, in_post),
                nights_expected=expected_by_now(nights_target, elapsed, in_post),
            )
        )
    result = []
    for team in teams:
        members = sorted(
            by_team[team.pk],
            key=lambda p: (
                not p.behind,
                -p.shortfall,
                ROLE_ORDER.get(p.membership.role, 99),
                p.membership.person.code,
            ),
        )
        result.append(TeamPace(team=team, members=members))
    result.sort(key=lambda t: -t.behind)  # stable: village order among equals
    return result

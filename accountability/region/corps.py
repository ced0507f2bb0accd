"""Village-resident work teams of the synthetic region: teams, memberships (mostly whole-year, some
joining, leaving or handing over mid-year), one duty day per member and day, rotation training,
follow-up visits and insurance — with the gaps R09.1, R09.2, R07.4, R05.5 and R05.6 look for."""

from __future__ import annotations

import datetime
import math
import random
from typing import Any

from accountability.region.context import Region, quota
from tiers.choices import Rank, UnitKind
from villagecorps.choices import DayKind, DaySource, MemberRole
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay
from villagecorps.models.teams import team_code

#: Shares of members by how they spend the year (R09.1 ≥ 220 days, R09.2 ≥ 160 nights, pro-rated).
DAY_PROFILES = {"good": 0.72, "edge_pass": 0.03, "edge_fail": 0.03, "few_nights": 0.12, "few_days": 0.10}
TRAINING = {5: 0.70, 6: 0.08, 4: 0.07, 3: 0.05, 0: 0.10}
INSURERS = ["中国人民财产保险", "中国人寿保险", "中国平安保险", "太平洋保险"]
DUTY_COLUMNS = ["membership_id", "person_id", "date", "kind", "location", "source", "recorded_by_id", "recorded_at"]


def build(region: Region) -> None:
    """Teams in a share of the villages, their members, and the members' records of the year."""
    rng = region.rng("teams")
    sizes = region.sizes
    chosen = sorted(rng.sample(range(len(region.villages)), sizes.teams))
    team_sizes = quota(rng, len(chosen), {2: 0.25, 3: 0.5, 4: 0.25})
    timings = iter(quota(rng, sum(team_sizes), {"whole": 0.86, "handover": 0.08, "joined": 0.04, "left": 0.02}))
    kinds = {u["id"]: u["kind"] for u in region.units}
    teams = region.writer("teams", Team, ["id", "code", "village_id", "name", "start", "end"])
    members = region.writer(
        "memberships", Membership, ["id", "team_id", "person_id", "role", "dispatching_unit_id", "start", "end"]
    )
    last = region.days_in_year - 1
    stationed: list[dict[str, Any]] = []
    for v, size in zip(chosen, team_sizes, strict=True):
        village = region.villages[v]
        tid = region.ids.take(Team)
        start = datetime.date(region.year - 2, rng.randint(1, 12), 1)
        teams.add(
            (tid, team_code(village["code"], start), village["id"], f"{village['name']}驻村帮扶工作队", start, None)
        )
        pool = list(region.village_helpers[v])
        rng.shuffle(pool)
        pool.sort(key=lambda h: kinds[h[1]] == UnitKind.COUNTY_UNIT)  # provincial cadres lead teams first
        fallback = region.units[region.village_units[v][-1]]["id"]

        def cadre() -> tuple[int, int]:
            return pool.pop(0) if pool else (region.person(rng, fallback, Rank.SECTION_AND_BELOW), fallback)  # noqa: B023

        if rng.random() < 0.7:
            roles = [MemberRole.FIRST_SECRETARY_LEADER] + [MemberRole.MEMBER] * (size - 1)
        else:
            roles = [MemberRole.FIRST_SECRETARY, MemberRole.LEADER] + [MemberRole.MEMBER] * (size - 2)
        for role in roles:
            timing = next(timings)
            person, unit = cadre()
            spans: list[tuple[int, int, str, str | None]] = []
            if timing == "whole":
                spans.append((0, last, region.before_year(rng, 1), None))
            elif timing == "joined":
                d = rng.randint(45, last - 60)
                spans.append((d, last, region.day_text[d], None))
            elif timing == "left":
                d = rng.randint(60, last - 45)
                spans.append((0, d, region.before_year(rng, 1), region.day_text[d]))
            else:  # handover: the cadre is recalled, a successor comes the next day
                d = rng.randint(60, last - 61)
                spans.append((0, d, region.before_year(rng, 1), region.day_text[d]))
                spans.append((d + 1, last, region.day_text[d + 1], None))
            for n, (a, b, start, end) in enumerate(spans):
                if n:
                    person, unit = cadre()
                mid = region.ids.take(Membership)
                members.add((mid, tid, person, role, unit, start, end))
                stationed.append({"id": mid, "person": person, "a": a, "b": b, "county": village["county"]})
    _records(region, stationed)


def _records(region: Region, stationed: list[dict[str, Any]]) -> None:
    rng = region.rng("duty-days")
    profiles = quota(rng, len(stationed), DAY_PROFILES)
    training = quota(rng, len(stationed), TRAINING)
    follow_ups = quota(rng, len(stationed), {"regular": 0.80, "patchy": 0.15, "none": 0.05})
    covers = quota(rng, len(stationed), {"covered": 0.85, "late": 0.07, "none": 0.08})
    days = region.writer("duty_days", DutyDay, DUTY_COLUMNS)
    trainings = region.writer("training_days", TrainingDay, ["county_id", "person_id", "date", "topic"])
    visits = region.writer("follow_ups", FollowUpVisit, ["membership_id", "date", "visitors", "notes"])
    insurance = region.writer(
        "insurance", InsuranceCover, ["membership_id", "insurer", "policy_number", "start", "end"]
    )
    text, stamps = region.day_text, region.stamp_text
    for i, m in enumerate(stationed):
        a, b = m["a"], m["b"]
        kinds, block = _kinds(rng, region.days_in_year, b - a + 1, profiles[i], training[i])
        source = DaySource.GRID if rng.random() < 0.6 else DaySource.IMPORT
        mid, pid = m["id"], m["person"]
        days.extend((mid, pid, text[a + k], kind, "", source, None, stamps[a + k]) for k, kind in enumerate(kinds))
        county = region.counties[m["county"]]["id"]
        trainings.extend((county, pid, text[a + k], "驻村帮扶政策与实务轮训") for k in block)
        _follow_ups(region, rng, visits, m, follow_ups[i])
        if covers[i] != "none":
            start = a if covers[i] == "covered" else min(b, a + rng.randint(30, 120))
            end = text[b] if b < region.days_in_year - 1 else text[-1]
            insurance.add((mid, rng.choice(INSURERS), f"GEN{mid:09d}", text[start], end))


def _kinds(rng: random.Random, year_days: int, length: int, profile: str, training: int) -> tuple[list[str], range]:
    """The kind of each day of a membership's ``length`` days in the year, and the days of its training
    block. Duty days and nights are set against the pro-rated minimums (220 and 160 a year)."""
    need_days = math.ceil(220 * length / year_days)
    need_nights = math.ceil(160 * length / year_days)
    if profile == "good":
        duty, nights = need_days + rng.randint(3, 50), need_nights + rng.randint(3, 45)
    elif profile == "edge_pass":
        duty, nights = need_days, need_nights
    elif profile == "edge_fail":
        duty, nights = need_days - 1, need_nights - 1
    elif profile == "few_nights":  # 驻村不住村
        duty, nights = need_days + rng.randint(0, 35), need_nights - rng.randint(2, 70)
    else:
        duty = need_days - rng.randint(2, 70)
        nights = min(duty, need_nights + rng.randint(-30, 10))
    duty = max(0, min(length, duty))
    nights = max(0, min(duty, nights))
    trained = min(training, duty - nights)
    away = min(rng.randint(4, 14), duty - nights - trained)
    leave = min(rng.randint(5, 20), length - duty)
    kinds = (
        [DayKind.IN_VILLAGE_NIGHT.value] * nights
        + [DayKind.IN_VILLAGE.value] * (duty - nights - trained - away)
        + [DayKind.OFFICIAL_TRIP.value] * (away // 2)
        + [DayKind.MEETING.value] * (away - away // 2)
        + [DayKind.LEAVE.value] * leave
        + [DayKind.OTHER.value] * (length - duty - leave)
    )
    rng.shuffle(kinds)
    at = rng.randint(0, len(kinds))
    kinds[at:at] = [DayKind.TRAINING.value] * trained
    return kinds, range(at, at + trained)


def _follow_ups(region: Region, rng: random.Random, writer: Any, m: dict[str, Any], profile: str) -> None:
    """回访 by the dispatching unit: once a quarter (sometimes twice), patchy for some, none for a few."""
    if profile == "none":
        return
    for quarter in range(4):
        qa = (region.day(0).replace(month=quarter * 3 + 1) - region.first_day).days
        qb = (
            region.days_in_year - 1
            if quarter == 3
            else (region.day(0).replace(month=quarter * 3 + 4) - region.first_day).days - 1
        )
        a, b = max(qa, m["a"]), min(qb, m["b"])
        if b - a + 1 < 30 or (profile == "patchy" and rng.random() < 0.4):
            continue
        count = 2 if rng.random() < 0.05 else 1
        for d in sorted(rng.sample(range(a, b + 1), count)):
            writer.add((m["id"], region.day_text[d], "派出单位分管领导及组织人事部门", "了解驻村工作和生活情况"))

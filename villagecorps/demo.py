"""Demo teams: one village-resident work team in the first village of every township, three members
each (a first secretary from the village's assisting unit, two members from the county), with the
duty days of the last 365 days, follow-up visits, insurance and rotation training — some members
short of 220 days or 160 nights.

Deterministic; idempotent (villages that have a team are left alone). Duty days are bulk-inserted
without history rows: the demo's volume (≈ 240,000 days) would double for nothing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tiers.choices import PlaceLevel, Rank
from tiers.models import AssistanceAssignment, Person, Place, Unit
from villagecorps.choices import DayKind, DaySource, MemberRole
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay
from villagecorps.models.teams import team_code

#: Chance of each kind on a working day, by member profile. With most weekends off there are about
#: 300 working days a year: on track (≈ 250 days, 185 nights), short of nights (≈ 120), short of days.
PROFILES = [
    {DayKind.IN_VILLAGE_NIGHT: 0.62, DayKind.IN_VILLAGE: 0.12, DayKind.OFFICIAL_TRIP: 0.04, DayKind.MEETING: 0.03},
    {DayKind.IN_VILLAGE_NIGHT: 0.40, DayKind.IN_VILLAGE: 0.33, DayKind.OFFICIAL_TRIP: 0.05, DayKind.MEETING: 0.04},
    {DayKind.IN_VILLAGE_NIGHT: 0.45, DayKind.IN_VILLAGE: 0.15, DayKind.LEAVE: 0.15, DayKind.OTHER: 0.10},
]
DEMO_MEMBER_USERNAME = "zhucun"


def _kind(rng: random.Random, profile: dict[str, float], weekday: int) -> str | None:
    """The kind of one day, or None for a day off (most weekends)."""
    if weekday >= 5 and rng.random() < 0.6:
        return None
    roll, acc = rng.random(), 0.0
    for kind, share in profile.items():
        acc += share
        if roll < acc:
            return kind
    return None


@transaction.atomic
def demo_load(*, password: str) -> dict[str, Any]:
    """Teams, members and a year of records in the first village of every township."""
    rng = random.Random(94)
    today = timezone.localdate()
    start = datetime.date(today.year - 1, 1, 1)
    first_day = today - datetime.timedelta(days=364)
    townships = Place.objects.filter(level=PlaceLevel.TOWNSHIP).order_by("code")
    villages = [Place.objects.get_children(t).order_by("code").first() for t in townships]
    villages = [v for v in villages if v is not None and not Team.objects.filter(village=v).exists()]
    if not villages:
        return {"teams": 0}
    assisting = {
        a.village_id: a.unit for a in AssistanceAssignment.objects.filter(village__in=villages).select_related("unit")
    }
    county_units = {u.place.code: u for u in Unit.objects.filter(code__startswith="X").select_related("place")}

    teams = Team.objects.bulk_create(
        [Team(code=team_code(v.code, start), village=v, name=f"{v.name}驻村帮扶工作队", start=start) for v in villages],
        batch_size=1000,
    )
    people, memberships = [], []
    for team, village in zip(teams, villages, strict=True):
        county_unit = county_units.get(village.code[:6])
        lead_unit = assisting.get(village.id) or county_unit
        for n, (role, unit) in enumerate(
            [
                (MemberRole.FIRST_SECRETARY_LEADER, lead_unit),
                (MemberRole.MEMBER, county_unit),
                (MemberRole.MEMBER, county_unit),
            ]
        ):
            person = Person(
                code=f"P-ZC{village.code}-{n + 1}",
                name=f"驻村干部{village.name}{n + 1}",
                rank=Rank.SECTION_AND_BELOW,
                unit=unit,
            )
            people.append(person)
            joined = start if (n + len(memberships)) % 7 else datetime.date(today.year, 4, 1)
            memberships.append(Membership(team=team, person=person, role=role, dispatching_unit=unit, start=joined))
    Person.objects.bulk_create(people, batch_size=2000)
    Membership.objects.bulk_create(memberships, batch_size=2000)

    days, follow_ups, covers, trainings = [], [], [], []
    for i, membership in enumerate(memberships):
        profile = PROFILES[i % len(PROFILES)]
        day = max(first_day, membership.start)
        while day <= today:
            kind = _kind(rng, profile, day.weekday())
            if kind:
                days.append(
                    DutyDay(
                        membership=membership, person=membership.person, date=day, kind=kind, source=DaySource.IMPORT
                    )
                )
            day += datetime.timedelta(days=1)
        for month in (2, 5, 8, 11):
            visit_day = datetime.date(today.year, month, 10)
            if visit_day <= today and visit_day >= membership.start and i % 4:
                follow_ups.append(FollowUpVisit(membership=membership, date=visit_day, visitors="派出单位组织部"))
        if i % 5:
            covers.append(
                InsuranceCover(
                    membership=membership,
                    start=membership.start,
                    insurer="中国人民财产保险",
                    policy_number=f"PICC{i:06d}",
                )
            )
        county = Place.objects.get(code=membership.team.village.code[:6]) if i % 3 == 0 else None
        if county is not None:
            for d in range(5 if i % 2 else 3):
                train_day = datetime.date(today.year, 3, 10 + d)
                if membership.start <= train_day <= today:
                    trainings.append(
                        TrainingDay(county=county, person=membership.person, date=train_day, topic="驻村帮扶政策轮训")
                    )
    DutyDay.objects.bulk_create(days, batch_size=5000)
    FollowUpVisit.objects.bulk_create(follow_ups, batch_size=2000)
    InsuranceCover.objects.bulk_create(covers, batch_size=2000)
    TrainingDay.objects.bulk_create(trainings, batch_size=2000)

    # The demo member login is stationed in the demo team leader's village (榆中县, first township).
    yuzhong = Place.objects.filter(code="620123").first()
    township = Place.objects.get_children(yuzhong).first() if yuzhong else None
    village = Place.objects.get_children(township).first() if township else None
    member = Membership.objects.filter(team__village=village, role=MemberRole.MEMBER).select_related("person").first()
    User = get_user_model()
    if member is not None and not User.objects.filter(username=DEMO_MEMBER_USERNAME).exists():
        user = User.objects.create_user(DEMO_MEMBER_USERNAME, password=password)
        Person.objects.filter(pk=member.person_id).update(user=user)
    return {"teams": len(teams), "members": len(memberships), "days": len(days)}

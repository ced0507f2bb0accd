"""Demo triggers of escalations for last year in the demo county (榆中县, where the demo logins work):
two 重大涉贫事件 — one caused by a village team and one of its members, one by a helper and the
helper's unit —, a 弄虚作假 finding on the county and one on a township, and annual ratings of a few
stationed cadres, one of them 不称职.

Recorded through the services as the demo administrator. Idempotent: a trigger already there (same
village and date, same subject and date, same person and year) is left alone.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accountability.choices import CaseKind, RatingGrade
from accountability.escalation import records
from accountability.models import Case, Incident, Rating
from households.models import Pairing
from tiers.choices import PlaceLevel
from tiers.models import Place
from villagecorps.choices import MemberRole
from villagecorps.models import Membership

#: The demo county (its staff login is ``yuzhong``); the first county when it is missing.
DEMO_COUNTY = "620123"
#: Grades of the stationed cadres rated, in membership order.
GRADES = [RatingGrade.COMPETENT, RatingGrade.INCOMPETENT, RatingGrade.EXCELLENT, RatingGrade.BASIC]


def _county() -> Place | None:
    county = Place.objects.filter(code=DEMO_COUNTY, level=PlaceLevel.COUNTY).first()
    return county or Place.objects.filter(level=PlaceLevel.COUNTY).order_by("code").first()


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Record last year's demo triggers; returns how many incidents, cases and ratings were added."""
    added = {"incidents": 0, "cases": 0, "ratings": 0}
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    county = _county()
    if user is None or county is None:
        return added
    year = timezone.localdate().year - 1
    in_county = {"team__village__path__startswith": county.path}

    # 1. A team's error: a member of a team stationed all of that day, and the team.
    team_day = datetime.date(year, 6, 18)
    member = (
        Membership.objects.filter(**in_county, role=MemberRole.MEMBER)
        .current_on(team_day)
        .filter(team__start__lte=team_day)
        .select_related("team__village", "person")
        .order_by("team__village__code", "person__code")
        .first()
    )
    if member is not None and not Incident.objects.filter(village=member.team.village, date=team_day).exists():
        records.incident_record(
            user=user,
            village=member.team.village,
            date=team_day,
            description="驻村工作队未按要求排查，一户监测户因病致贫返贫未及时纳入帮扶，造成不良影响。",
            team=member.team,
            person=member.person,
        )
        added["incidents"] += 1

    # 2. A helper's error: a helper paired on the day with a household of another village, and their unit.
    helper_day = datetime.date(year, 9, 5)
    villages = [member.team.village_id] if member is not None else []
    pairing = (
        Pairing.objects.filter(household__village__path__startswith=county.path)
        .exclude(household__village__in=villages)
        .current_on(helper_day)
        .select_related("household__village", "helper__unit")
        .order_by("household__code")
        .first()
    )
    if pairing is not None and not Incident.objects.filter(village=pairing.household.village, date=helper_day).exists():
        records.incident_record(
            user=user,
            village=pairing.household.village,
            date=helper_day,
            description="帮扶责任人长期未入户，帮扶户住房安全问题未及时发现和反映，房屋局部垮塌。",
            person=pairing.helper,
            unit=pairing.helper.unit,
        )
        added["incidents"] += 1

    # 3. 弄虚作假 found by the year-end inspection: on the county, and on its first township.
    case_day = datetime.date(year, 11, 20)
    township = Place.objects.get_children(county).filter(level=PlaceLevel.TOWNSHIP).order_by("code").first()
    for place, facts in (
        (county, "脱贫退出数据与实地核查不符，部分户人均纯收入系虚报。"),
        (township, "驻村考勤记录与实际在岗情况不符，存在代签、补签。"),
    ):
        if place is None or Case.objects.filter(place=place, date=case_day).exists():
            continue
        records.case_record(
            user=user,
            kind=CaseKind.FALSIFICATION,
            date=case_day,
            inspection=f"{year}年度脱贫攻坚成效考核省级核查",
            description=facts,
            place=place,
        )
        added["cases"] += 1

    # 4. Ratings of a few cadres stationed in the county during the year, one of them 不称职.
    stationed = (
        Membership.objects.filter(**in_county)
        .overlapping(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        .select_related("person")
        .order_by("team__village__code", "role", "person__code")
    )
    people = list(dict.fromkeys(m.person for m in stationed[: len(GRADES) * 3]))[: len(GRADES)]
    for person, grade in zip(people, GRADES, strict=False):
        if Rating.objects.filter(person=person, year=year).exists():
            continue
        records.rating_record(user=user, person=person, year=year, grade=grade)
        added["ratings"] += 1
    return added

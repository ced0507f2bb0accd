"""Demo households: a few registered households per village, paired with helpers, with plans,
visits and deeds for last year and this year to date — some helpers compliant, some not.

Deterministic; idempotent (households that exist are left alone). Rows are written with
``bulk_create_with_history`` so that the demo has an audit trail like real entries.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from households.choices import HouseholdStatus
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers.choices import PlaceLevel, Rank
from tiers.models import Person, Place, Unit

#: Compliance profile of a helper, by index: what they do each year.
PROFILES = [
    {"visits": 2, "deed": True, "plan": True},  # compliant
    {"visits": 3, "deed": True, "plan": True},  # more than compliant
    {"visits": 1, "deed": True, "plan": True},  # too few visits
    {"visits": 2, "deed": False, "plan": True},  # no deed
    {"visits": 2, "deed": True, "plan": False},  # plan not revised
    {"visits": 0, "deed": False, "plan": False},  # nothing at all
]
SURNAMES = "王李张刘陈杨赵黄周吴马朱胡郭何高罗郑梁谢宋唐韩冯邓曹彭曾田董袁潘蒋蔡余杜魏"
GIVEN = "福贵生有全发成明富兴旺德春秋山林海军兰英花梅"


def _head_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _dates(rng: random.Random, year: int, count: int, until: datetime.date) -> list[datetime.date]:
    """``count`` distinct dates in ``year`` up to ``until``, spread over the year."""
    last = min(datetime.date(year, 12, 31), until)
    span = (last - datetime.date(year, 1, 1)).days + 1
    if span <= 0:
        return []
    picks = sorted(rng.sample(range(span), min(count, span)))
    return [datetime.date(year, 1, 1) + datetime.timedelta(days=d) for d in picks]


@transaction.atomic
def demo_load(*, households_per_village: int = 4, helper_person_code: str = "P-SCZT-05") -> dict[str, Any]:
    """Households, pairings and a year and more of records in every village of the demo region."""
    rng = random.Random(2019)
    today = timezone.localdate()
    years = [today.year - 1, today.year]
    pairing_start = datetime.date(years[0], 1, 1)
    villages = list(Place.objects.filter(level=PlaceLevel.VILLAGE).order_by("code"))
    existing = set(Household.objects.values_list("code", flat=True))

    new_households = []
    for village in villages:
        for i in range(1, households_per_village + 1):
            code = f"H{village.code}-{i:02d}"
            if code in existing:
                continue
            status = rng.choice([HouseholdStatus.POOR, HouseholdStatus.LIFTED, HouseholdStatus.MONITORED])
            new_households.append(
                Household(
                    code=code,
                    head_name=_head_name(rng),
                    village=village,
                    members=rng.randint(1, 7),
                    status=status,
                    exit_year=rng.choice(years[:1]) if status != HouseholdStatus.POOR else None,
                    food_clothing_ok=True,
                    education_ok=rng.random() > 0.1,
                    medical_ok=rng.random() > 0.1,
                    housing_ok=rng.random() > 0.2,
                    water_ok=rng.random() > 0.15,
                )
            )
    households = bulk_create_with_history(new_households, Household, batch_size=2000)
    if not households:
        return {"households": 0}
    households = list(Household.objects.filter(code__in=[h.code for h in new_households]).select_related("village"))

    # Helpers: the demo helper login takes the first two households of 榆中县; the rest are paired
    # two by two with cadres of their county's unit.
    by_county: dict[str, list[Household]] = {}
    for household in households:
        by_county.setdefault(household.village.code[:6], []).append(household)
    demo_helper = Person.objects.filter(code=helper_person_code).first()
    units = {u.code: u for u in Unit.objects.filter(code__in=[f"X{c}" for c in by_county])}
    planned: list[tuple[str, Household]] = []  # (helper code, household)
    new_people: dict[str, Person] = {}
    for county_code, group in sorted(by_county.items()):
        unit = units.get(f"X{county_code}")
        if unit is None:
            continue
        if demo_helper is not None and county_code == "620123":
            planned += [(demo_helper.code, h) for h in group[:2]]
            group = group[2:]
        for n, household in enumerate(group):
            code = f"P-X{county_code}-H{n // 2 + 1:03d}"
            new_people.setdefault(
                code, Person(code=code, name=_head_name(rng)[:2] + "干部", rank=Rank.SECTION_AND_BELOW, unit=unit)
            )
            planned.append((code, household))
    Person.objects.bulk_create(new_people.values(), ignore_conflicts=True, batch_size=2000)
    people = {p.code: p for p in Person.objects.filter(code__in={code for code, _ in planned})}
    pairings = [Pairing(helper=people[code], household=h, start=pairing_start) for code, h in planned]
    bulk_create_with_history(pairings, Pairing, batch_size=2000)

    visits, deeds, plans = [], [], []
    for n, pairing in enumerate(pairings):
        profile = PROFILES[(n // 2 + 2) % len(PROFILES)]  # the demo helper (first) has visits to catch up
        for year in years:
            for day in _dates(rng, year, profile["visits"], today):
                visits.append(
                    Visit(
                        helper=pairing.helper,
                        household=pairing.household,
                        date=day,
                        industry=rng.choice(["养殖肉牛 3 头，长势良好", "种植中药材 5 亩", "", "合作社分红已到账"]),
                        employment=rng.choice(["", "长子在兰州务工", "公益性岗位一人"]),
                        problems=rng.choice(["", "", "屋顶有渗漏，已反映给村委会"]),
                    )
                )
            if profile["deed"]:
                for day in _dates(rng, year, 1, today):
                    deeds.append(
                        Deed(
                            helper=pairing.helper,
                            household=pairing.household,
                            date=day,
                            description=rng.choice(
                                ["协调办理医保报销", "联系技能培训", "帮助销售农产品", "协调危房改造"]
                            ),
                        )
                    )
            if profile["plan"]:
                plan_day = datetime.date(year, 2, 15)
                if plan_day <= today:
                    plans.append(
                        Plan(
                            helper=pairing.helper,
                            household=pairing.household,
                            date=plan_day,
                            year=year,
                            family_situation=f"{pairing.household.members} 口人，劳动力 2 人",
                            poverty_causes=rng.choice(["缺技术", "因病", "缺资金", "因学"]),
                            income_paths="种养殖 + 务工",
                            support_measures="产业奖补、技能培训、小额信贷",
                            targets="人均纯收入稳定超过当年脱贫标准",
                        )
                    )
    bulk_create_with_history(visits, Visit, batch_size=5000)
    bulk_create_with_history(deeds, Deed, batch_size=5000)
    bulk_create_with_history(plans, Plan, batch_size=5000)
    return {"households": len(households), "pairings": len(pairings), "visits": len(visits), "deeds": len(deeds)}

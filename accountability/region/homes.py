"""Households of the synthetic region, their helpers and pairings, and the helpers' visits, deeds and
一户一策 plan revisions of the year — with the gaps R05.3 and R10.1–R10.3 look for."""

from __future__ import annotations

import random

from accountability.region.context import GEN, Region, quota
from households.choices import HouseholdStatus
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers.choices import Rank, UnitKind

HEAD_GIVEN = "福贵生有全发成明富兴旺德春秋山林海军兰英花梅"
INDICATOR_NOTES = ["", "", "", "已纳入整改台账", "正在协调解决"]
VISITS = [
    ("养殖肉牛 3 头，长势良好", "长子在兰州务工", "", "", "", "", "", ""),
    ("种植中药材 5 亩", "", "两个孩子在校就读", "", "", "", "", ""),
    ("合作社分红已到账", "公益性岗位一人", "", "已办理慢病卡", "", "", "", ""),
    ("种植马铃薯 8 亩", "", "", "", "屋顶有渗漏", "", "屋顶有渗漏，已反映给村委会", "village"),
    ("", "夫妻二人在新疆务工", "", "", "", "自来水已入户", "", ""),
    ("养羊 20 只", "", "", "住院费用已报销", "", "", "", ""),
    ("", "", "", "", "", "", "饮水管道冻裂，已反映给乡镇", "township"),
    ("花椒 3 亩进入盛果期", "", "", "", "", "", "", ""),
]
DEEDS = ["协调办理医保报销", "联系技能培训", "帮助销售农产品", "协调危房改造", "争取产业奖补资金", "协调小额信贷"]
PLANS = [
    (
        "4 口人，劳动力 2 人",
        "缺技术",
        "种养殖 + 务工",
        "产业奖补、技能培训、小额信贷",
        "人均纯收入稳定超过当年脱贫标准",
    ),
    ("3 口人，劳动力 1 人", "因病", "公益性岗位 + 合作社分红", "医疗救助、慢病签约服务", "医疗费用负担可承受"),
    ("5 口人，劳动力 2 人", "缺资金", "肉牛养殖", "小额信贷、产业奖补", "养殖规模扩大到 5 头"),
    ("2 口人，劳动力 0 人", "缺劳力", "兜底保障", "低保、养老保险", "两不愁三保障全部达标"),
    ("6 口人，劳动力 3 人", "因学", "劳务输出", "教育资助、就业培训", "稳定就业 2 人"),
]
HOUSEHOLD_COLUMNS = ["id", "code", "head_name", "village_id", "members", "status", "exit_year"] + [
    f"{key}_{part}" for key in ("food_clothing", "education", "medical", "housing", "water") for part in ("ok", "note")
]
RECORD = ["helper_id", "household_id", "date", "entered_by_id", "entered_at"]
VISIT_COLUMNS = RECORD + [
    "industry",
    "employment",
    "education",
    "medical",
    "housing",
    "water",
    "problems",
    "reported_to",
]
PLAN_COLUMNS = RECORD + ["year", "family_situation", "poverty_causes", "income_paths", "support_measures", "targets"]


def _capacity(rng: random.Random) -> int:
    """Households a helper takes: mostly 4–13, a few only 1–3 (some below R05.3's minimum of 2)."""
    roll = rng.random()
    if roll < 0.04:
        return 1
    if roll < 0.09:
        return 2
    if roll < 0.15:
        return 3
    return rng.randint(4, 13)


def build(region: Region) -> None:
    """Households, helpers, pairings, visits, deeds and plans of every generated village."""
    rng = region.rng("households")
    villages = region.villages
    weights = [rng.uniform(0.4, 1.6) for _ in villages]
    factor = region.sizes.households / sum(weights)
    per_village = [max(1, round(w * factor)) for w in weights]
    total = sum(per_village)
    profiles = quota(rng, total, {"whole": 0.88, "handover": 0.06, "joined": 0.04, "ended": 0.02})
    visit_counts = quota(rng, total, {0: 0.03, 1: 0.07, 2: 0.22, 3: 0.33, 4: 0.25, 5: 0.07, 6: 0.03})
    deed_counts = quota(rng, total, {0: 0.08, 1: 0.45, 2: 0.35, 3: 0.12})
    plan_kinds = quota(rng, total, {"none": 0.06, "early": 0.82, "late": 0.08, "twice": 0.04})
    households = region.writer("households", Household, HOUSEHOLD_COLUMNS)
    pairings = region.writer("pairings", Pairing, ["helper_id", "household_id", "start", "end"])
    writers = {
        "visits": region.writer("visits", Visit, VISIT_COLUMNS),
        "deeds": region.writer("deeds", Deed, [*RECORD, "description"]),
        "plans": region.writer("plans", Plan, PLAN_COLUMNS),
    }
    last = region.days_in_year - 1
    g = 0  # household number in the region (index into the profile lists)
    region.village_helpers = []
    for v, village in enumerate(villages):
        n = per_village[v]
        first = region.ids.take(Household, n)
        slots, helpers = _helpers(region, rng, v, n)
        region.village_helpers.append(helpers)
        for i in range(n):
            hid = first + i
            _household(region, rng, households, hid, f"{GEN}H{village['code']}-{i + 1:04d}", village["id"])
            helper = slots[i]
            profile = profiles[g]
            counts = (visit_counts[g], deed_counts[g], plan_kinds[g])
            g += 1
            others = [h for h, _ in helpers if h != helper]
            if profile == "handover" and not others:
                profile = "whole"
            if profile == "whole":
                pairings.add((helper, hid, region.before_year(rng, 3), None))
                _records(region, rng, writers, helper, hid, 0, last, counts)
            elif profile == "handover":
                d = rng.randint(60, last - 61)
                successor = rng.choice(others)
                pairings.add((helper, hid, region.before_year(rng, 3), region.day_text[d]))
                pairings.add((successor, hid, region.day_text[d + 1], None))
                _records(region, rng, writers, helper, hid, 0, d, counts)
                _records(region, rng, writers, successor, hid, d + 1, last, counts)
            elif profile == "joined":
                d = rng.randint(30, last - 60)
                pairings.add((helper, hid, region.day_text[d], None))
                _records(region, rng, writers, helper, hid, d, last, counts)
            else:  # ended: the household left the helper mid-year
                d = rng.randint(60, last - 31)
                pairings.add((helper, hid, region.before_year(rng, 3), region.day_text[d]))
                _records(region, rng, writers, helper, hid, 0, d, counts)


def _helpers(region: Region, rng: random.Random, v: int, n: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The helper of each of the village's ``n`` households: the assisting units' leaders first (their
    quota), then new cadres of those units; returns the slots and the new cadres (person, unit)."""
    slots: list[int] = []
    units = region.village_units[v]
    for index in units:
        for entry in region.leader_quota.get(index, []):
            take = min(entry[1], n - len(slots))
            if take > 0:
                slots += [entry[0]] * take
                entry[1] -= take
    helpers: list[tuple[int, int]] = []
    while len(slots) < n:
        index = units[0] if len(units) == 1 or rng.random() < 0.3 else units[-1]
        unit = region.units[index]
        roll = rng.random()
        rank = Rank.BUREAU if roll < 0.02 else Rank.DIVISION if roll < 0.3 else Rank.SECTION_AND_BELOW
        if unit["kind"] == UnitKind.COUNTY_UNIT and rank == Rank.BUREAU:
            rank = Rank.DIVISION
        pid = region.person(rng, unit["id"], rank)
        helpers.append((pid, unit["id"]))
        slots += [pid] * min(_capacity(rng), n - len(slots))
    return slots, helpers


def _household(region: Region, rng: random.Random, writer: object, hid: int, code: str, village_id: int) -> None:
    roll = rng.random()
    if roll < 0.55:
        status, exit_year = HouseholdStatus.POOR, None
    elif roll < 0.9:
        status, exit_year = HouseholdStatus.LIFTED, region.year - rng.randint(1, 4)
    else:
        status, exit_year = HouseholdStatus.MONITORED, None
    row: list[object] = [
        hid,
        code,
        rng.choice(SURNAMES_HEAD) + rng.choice(HEAD_GIVEN) + rng.choice(HEAD_GIVEN),
        village_id,
        rng.randint(1, 7),
        status,
        exit_year,
    ]
    for share in (0.97, 0.9, 0.9, 0.85, 0.88):
        ok = rng.random() < share
        row += [ok, "" if ok else rng.choice(INDICATOR_NOTES)]
    writer.add(tuple(row))  # type: ignore[attr-defined]


SURNAMES_HEAD = "王李张刘陈杨赵黄周吴马朱胡郭何高罗郑梁谢宋唐韩冯邓曹彭曾田董袁潘蒋蔡余杜魏"


def _records(
    region: Region,
    rng: random.Random,
    writers: dict,
    helper: int,
    household: int,
    a: int,
    b: int,
    counts: tuple[int, int, str],
) -> None:
    """Visits, deeds and plans of one pairing in force on days ``a``–``b`` of the year; the year's
    counts are pro-rated to the part of the year it covers."""
    span = b - a + 1
    share = span / region.days_in_year
    visits, deeds, plan_kind = counts
    days, stamps = region.day_text, region.stamp_text
    for d in rng.sample(range(a, b + 1), min(span, round(visits * share))):
        writers["visits"].add((helper, household, days[d], None, stamps[d], *VISITS[rng.randrange(len(VISITS))]))
    for d in rng.sample(range(a, b + 1), min(span, round(deeds * share))):
        writers["deeds"].add((helper, household, days[d], None, stamps[d], DEEDS[rng.randrange(len(DEEDS))]))
    if plan_kind == "none":
        return
    march = region.march_31
    if plan_kind in ("early", "twice") and a <= march:
        dates = [rng.randint(a, min(b, march))]
    else:  # late: in the quarter after the deadline, or soon after a pairing that began later
        low = max(a, march + 1)
        dates = [rng.randint(low, min(b, low + 90))] if low <= b else []
    if plan_kind == "twice" and max(a, 150) <= b:
        dates.append(rng.randint(max(a, 150), b))
    for d in dates:
        writers["plans"].add((helper, household, days[d], None, stamps[d], region.year, *PLANS[rng.randrange(5)]))

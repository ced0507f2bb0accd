"""Duty records of tiers 2–8 for the year: meetings, study sessions, inspections, leaders' village
visits, responsibility letters and submissions, each with the kinds its rule counts — and the gaps
R02.1, R03.1–R03.4, R05.1, R05.2, R05.4, R06.1–R06.3, R07.2, R07.3 and R08.2 look for."""

from __future__ import annotations

import random

from accountability.region.context import RECORD_MARK, Region, quota
from tiers.catalogue.record_kinds import RECORD_KINDS
from tiers.choices import UnitKind
from tiers.models import DutyRecord, DutyRecordKind

#: Units that sign a 帮扶责任书 with the province (三(三)).
LETTER_KINDS = (UnitKind.PROVINCIAL_ORGAN, UnitKind.CENTRAL_IN_GANSU)
RECORD_COLUMNS = [
    "id",
    "date",
    "place_id",
    "unit_id",
    "person_id",
    "title",
    "minutes",
    "attachment",
    "entered_by_id",
    "entered_at",
]


class Records:
    """Queues duty records and their kinds."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.kinds = dict(DutyRecordKind.objects.values_list("code", "pk"))
        self.records = region.writer("duty_records", DutyRecord, RECORD_COLUMNS)
        self.links = region.writer(
            "duty_record_kinds", DutyRecord.kinds.through, ["dutyrecord_id", "dutyrecordkind_id"]
        )
        self.month_start = [(region.first_day.replace(month=m) - region.first_day).days for m in range(1, 13)]
        self.month_start.append(region.days_in_year)

    def day_in(self, rng: random.Random, first_month: int, months: int) -> int:
        """A random day of the year in ``months`` months from ``first_month`` (1–12)."""
        return rng.randrange(self.month_start[first_month - 1], self.month_start[first_month - 1 + months])

    def add(
        self,
        day: int,
        title: str,
        kinds: list[str],
        *,
        place: int | None = None,
        unit: int | None = None,
        person: int | None = None,
    ) -> None:
        rid = self.region.ids.take(DutyRecord)
        text = self.region.day_text[day]
        minutes = f"{RECORD_MARK}会议研究了近期帮扶工作。"
        self.records.add((rid, text, place, unit, person, title, minutes, "", None, self.region.stamp_text[day]))
        for kind in kinds:
            self.links.add((rid, self.kinds[kind]))


def build(region: Region) -> None:
    """Every kind of duty record, with a realistic share missing."""
    rng = region.rng("duty-records")
    out = Records(region)
    missing = {row["code"] for row in RECORD_KINDS} - set(out.kinds)
    if missing:
        raise RuntimeError(f"duty-record kinds missing (run the migrations): {', '.join(sorted(missing))}")
    _provincial(region, rng, out)
    _units(region, rng, out)
    _places(region, rng, out)


def _provincial(region: Region, rng: random.Random, out: Records) -> None:
    counties = region.counties
    for county, leader, n in zip(
        counties,
        [region.contact_leaders[i // 2] for i in range(len(counties))],
        quota(rng, len(counties), {1: 0.85, 2: 0.05, 0: 0.10}),
        strict=True,
    ):
        for _ in range(n):  # R02.1
            out.add(
                out.day_in(rng, 3, 8),
                f"{county['name']}脱贫攻坚帮扶工作协调推进会",
                ["contact-leader-meeting"],
                person=leader,
                place=county["id"],
            )
    halves = quota(rng, 2 * len(counties), {"joint": 0.8, "r031": 0.05, "r032": 0.05, "none": 0.10})
    submitted = quota(rng, len(counties), {True: 0.88, False: 0.12})
    for i, (county, gl) in enumerate(zip(counties, region.group_leader_units, strict=True)):
        unit = region.units[gl]["id"]
        for half in range(2):  # R03.1, R03.2
            kind = halves[2 * i + half]
            codes = {
                "joint": ["three-level-joint-meeting", "provincial-units-meeting"],
                "r031": ["three-level-joint-meeting"],
                "r032": ["provincial-units-meeting"],
                "none": [],
            }[kind]
            if codes:
                out.add(
                    out.day_in(rng, 6 * half + 2, 4),
                    f"{county['name']}三级组长单位联席会议",
                    codes,
                    unit=unit,
                    place=county["id"],
                )
        if submitted[i]:  # R03.4
            out.add(
                out.day_in(rng, 12, 1),
                f"{county['name']}考核等次及表彰建议名单",
                ["assessment-submission"],
                unit=unit,
                place=county["id"],
            )
    provincial = {i for i in region.provincial if region.units[i]["kind"] in LETTER_KINDS}
    pairs = sorted(
        {
            (index, region.villages[v]["county"])
            for v, units in enumerate(region.village_units)
            for index in units
            if index in provincial
        }
    )
    for (index, c), signed in zip(pairs, quota(rng, len(pairs), {True: 0.9, False: 0.1}), strict=True):  # R03.3
        if signed:
            out.add(
                out.day_in(rng, 2, 2),
                "签订帮扶责任书",
                ["responsibility-letter"],
                unit=region.units[index]["id"],
                place=counties[c]["id"],
            )


def _units(region: Region, rng: random.Random, out: Records) -> None:
    villages_of: dict[int, list[int]] = {}
    for v, units in enumerate(region.village_units):
        for index in units:
            villages_of.setdefault(index, []).append(region.villages[v]["id"])
    assisting = sorted(villages_of)
    sessions = quota(rng, len(assisting), {4: 0.60, 5: 0.10, 6: 0.05, 3: 0.15, 2: 0.07, 0: 0.03})
    assessed = quota(rng, len(assisting), {True: 0.92, False: 0.08})
    for index, n, done in zip(assisting, sessions, assessed, strict=True):
        unit = region.units[index]["id"]
        for s in range(n):  # R05.1
            out.add(
                out.day_in(rng, 1 + (3 * s) % 12, 2),
                "党委（党组）会议研究部署帮扶工作",
                ["party-committee-study"],
                unit=unit,
            )
        if done:  # R05.4
            out.add(out.day_in(rng, 12, 1), "帮扶责任人年度考核", ["helper-assessment"], unit=unit)
    leaders = [(pid, index) for pid, index in region.unit_leaders if index in villages_of]
    for (pid, index), n in zip(
        leaders, quota(rng, len(leaders), {2: 0.55, 3: 0.2, 4: 0.05, 1: 0.15, 0: 0.05}), strict=True
    ):
        for s in range(n):  # R05.2
            out.add(
                out.day_in(rng, 1 + (4 * s) % 12, 3),
                "到帮扶村调研指导",
                ["leader-village-visit"],
                person=pid,
                place=rng.choice(villages_of[index]),
            )


def _places(region: Region, rng: random.Random, out: Records) -> None:
    quarters = quota(rng, 4 * len(region.prefectures), {True: 0.9, False: 0.1})
    inspections = quota(rng, 4 * len(region.prefectures), {True: 0.85, False: 0.15})
    halves = quota(rng, 2 * len(region.prefectures), {True: 0.88, False: 0.12})
    for i, prefecture in enumerate(region.prefectures):
        name, place = prefecture["name"], prefecture["id"]
        for q in range(4):
            if quarters[4 * i + q]:  # R06.1
                out.add(out.day_in(rng, 3 * q + 1, 3), f"{name}专题研究帮扶工作", ["prefecture-study"], place=place)
            if inspections[4 * i + q]:  # R06.3
                out.add(out.day_in(rng, 3 * q + 1, 3), f"{name}督查暗访", ["prefecture-inspection"], place=place)
        for h in range(2):
            if halves[2 * i + h]:  # R06.2
                out.add(out.day_in(rng, 6 * h + 1, 6), f"{name}协调推进会", ["prefecture-coordination"], place=place)
    counties = region.counties
    promotions = quota(rng, len(counties), {2: 0.70, 3: 0.15, 1: 0.12, 0: 0.03})
    sloppy = quota(rng, len(counties), {True: 0.2, False: 0.8})
    for county, n, careless in zip(counties, promotions, sloppy, strict=True):
        for s in range(n):  # R07.2
            out.add(
                out.day_in(rng, 1 + (5 * s) % 12, 2),
                f"{county['name']}帮扶工作推进会",
                ["county-promotion-meeting"],
                place=county["id"],
            )
        for month in range(1, 13):  # R07.3
            if rng.random() >= (0.3 if careless else 0.03):
                out.add(
                    out.day_in(rng, month, 1),
                    f"{county['name']}乡镇总队长会议",
                    ["county-team-heads-meeting"],
                    place=county["id"],
                )
    months = quota(rng, 12 * len(region.townships), {True: 0.92, False: 0.08})
    for t, township in enumerate(region.townships):
        for month in range(1, 13):  # R08.2
            if months[12 * t + month - 1]:
                out.add(
                    out.day_in(rng, month, 1),
                    f"{township['name']}队长工作例会",
                    ["township-team-leaders-meeting"],
                    place=township["id"],
                )

"""Demo duty records of tiers 2–8 for last year and this year to date, with some gaps: most counties
meet monthly but some skip months, some prefectures miss an inspection, some units study the work
fewer than four times, and so on. Deterministic and idempotent (nothing is added once records exist).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from tiers.choices import PlaceLevel, PostTitle, UnitKind
from tiers.models import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    DutyRecord,
    DutyRecordKind,
    GroupLeaderAssignment,
    Place,
    Post,
)


@transaction.atomic
def demo_load() -> dict[str, Any]:
    """Records for the demo region; returns how many were written."""
    if DutyRecord.objects.exists():
        return {"records": 0}
    rng = random.Random(33)
    today = timezone.localdate()
    kinds = {k.code: k for k in DutyRecordKind.objects.all()}
    planned: list[tuple[DutyRecord, list[str]]] = []

    def add(day: datetime.date, title: str, codes: list[str], **subject: Any) -> None:
        if day <= today:
            planned.append((DutyRecord(date=day, title=title, minutes="会议研究了近期帮扶工作。", **subject), codes))

    for year in (today.year - 1, today.year):
        for county in Place.objects.filter(level=PlaceLevel.COUNTY):
            sloppy = rng.random() < 0.2
            for month in range(1, 13):
                if not (sloppy and rng.random() < 0.3):
                    add(
                        datetime.date(year, month, 8),
                        f"{county.name}乡镇总队长会议",
                        ["county-team-heads-meeting"],
                        place=county,
                    )
            for month in (5, 11)[: 1 if sloppy else 2]:
                add(
                    datetime.date(year, month, 20),
                    f"{county.name}帮扶工作推进会",
                    ["county-promotion-meeting"],
                    place=county,
                )
        for township in Place.objects.filter(level=PlaceLevel.TOWNSHIP):
            for month in range(1, 13):
                if rng.random() > 0.08:
                    add(
                        datetime.date(year, month, 15),
                        f"{township.name}队长工作例会",
                        ["township-team-leaders-meeting"],
                        place=township,
                    )
        for prefecture in Place.objects.filter(level=PlaceLevel.PREFECTURE):
            for quarter in range(4):
                add(
                    datetime.date(year, quarter * 3 + 2, 12),
                    f"{prefecture.name}专题研究帮扶工作",
                    ["prefecture-study"],
                    place=prefecture,
                )
                if rng.random() > 0.15:
                    add(
                        datetime.date(year, quarter * 3 + 3, 5),
                        f"{prefecture.name}督查暗访",
                        ["prefecture-inspection"],
                        place=prefecture,
                    )
            for half in range(2):
                add(
                    datetime.date(year, half * 6 + 4, 18),
                    f"{prefecture.name}协调推进会",
                    ["prefecture-coordination"],
                    place=prefecture,
                )
        for assignment in GroupLeaderAssignment.objects.select_related("unit", "county"):
            for half in range(2)[: 1 if rng.random() < 0.15 else 2]:
                add(
                    datetime.date(year, half * 6 + 3, 25),
                    f"{assignment.county.name}三级组长单位联席会议暨省直帮扶单位协调推进会议",
                    ["three-level-joint-meeting", "provincial-units-meeting"],
                    unit=assignment.unit,
                    place=assignment.county,
                )
            add(
                datetime.date(year, 12, 20),
                f"{assignment.county.name}考核等次及表彰建议名单",
                ["assessment-submission"],
                unit=assignment.unit,
                place=assignment.county,
            )
        for contact in ContactLeaderAssignment.objects.select_related("county"):
            add(
                datetime.date(year, 6, 28),
                f"{contact.county.name}脱贫攻坚帮扶工作协调推进会",
                ["contact-leader-meeting"],
                person_id=contact.person_id,
                place=contact.county,
            )
        provincial = AssistanceAssignment.objects.filter(
            unit__kind__in=[UnitKind.PROVINCIAL_ORGAN, UnitKind.CENTRAL_IN_GANSU]
        )
        for unit_id in provincial.values_list("unit_id", flat=True).distinct():
            sessions = 4 if rng.random() > 0.25 else 2
            for n in range(sessions):
                add(
                    datetime.date(year, n * 3 + 1, 22),
                    "党组会议研究部署帮扶工作",
                    ["party-committee-study"],
                    unit_id=unit_id,
                )
            add(datetime.date(year, 12, 10), "帮扶责任人年度考核", ["helper-assessment"], unit_id=unit_id)
            villages = list(provincial.filter(unit_id=unit_id).values_list("village_id", flat=True)[:1])
            counties = {
                v.path[: 3 * Place.steplen]
                for v in Place.objects.filter(pk__in=provincial.filter(unit_id=unit_id).values("village"))
            }
            for county in Place.objects.filter(path__in=counties):
                add(
                    datetime.date(year, 2, 26),
                    "签订帮扶责任书",
                    ["responsibility-letter"],
                    unit_id=unit_id,
                    place=county,
                )
            for post in Post.objects.filter(unit_id=unit_id, title__in=[PostTitle.PRINCIPAL, PostTitle.DEPUTY]):
                for month in (4, 9)[: 1 if rng.random() < 0.2 else 2]:
                    if villages:
                        add(
                            datetime.date(year, month, 16),
                            "到帮扶村调研指导",
                            ["leader-village-visit"],
                            person_id=post.person_id,
                            place_id=villages[0],
                        )

    records = DutyRecord.objects.bulk_create([record for record, _ in planned], batch_size=2000)
    through = DutyRecord.kinds.through
    through.objects.bulk_create(
        [
            through(dutyrecord_id=record.pk, dutyrecordkind_id=kinds[code].pk)
            for record, (_, codes) in zip(records, planned, strict=True)
            for code in codes
        ],
        batch_size=5000,
    )
    return {"records": len(records)}

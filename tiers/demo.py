"""The demo region: Gansu's real prefectures and counties (GB/T 2260, ``fixtures/gansu_divisions.csv``),
generated townships and villages, units, cadres, posts, assignments, leading groups and demo users.

Idempotent: running it again changes nothing that exists. Deterministic (seeded), so that tests and
screenshots see the same names.
"""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from tiers import models, services
from tiers.choices import GroupRole, LeadingGroupKind, PlaceLevel, PostTitle, Rank, Role, UnitKind

DIVISIONS_CSV = Path(settings.BASE_DIR) / "fixtures" / "gansu_divisions.csv"
START = datetime.date(2019, 7, 31)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰辉鹏建国红梅志文斌海波宁亮德成林"
TOWNSHIP_SUFFIX = ["镇", "乡", "镇"]
VILLAGE_WORDS = "东西南北上下前后新旧红沟川台坪湾岔梁峪河寨堡庄塬岭"

#: Sector lead units of section 四, and the unit kind each leads.
LEAD_UNITS = [
    (
        "SZJGGW",
        "中共甘肃省委直属机关工委",
        UnitKind.PROVINCIAL_ORGAN,
        [UnitKind.PROVINCIAL_ORGAN, UnitKind.CENTRAL_IN_GANSU],
    ),
    ("SJYGW", "中共甘肃省委教育工委", UnitKind.PROVINCIAL_ORGAN, [UnitKind.UNIVERSITY]),
    ("SGZW", "甘肃省政府国资委党委", UnitKind.PROVINCIAL_ORGAN, [UnitKind.STATE_ENTERPRISE]),
    ("SJRJG", "甘肃省金融监管局党组", UnitKind.PROVINCIAL_ORGAN, [UnitKind.FINANCIAL]),
]
PROVINCIAL_UNITS = [
    ("SCZT", "甘肃省财政厅", UnitKind.PROVINCIAL_ORGAN),
    ("SJYT", "甘肃省教育厅", UnitKind.PROVINCIAL_ORGAN),
    ("SJTT", "甘肃省交通运输厅", UnitKind.PROVINCIAL_ORGAN),
    ("SNYT", "甘肃省农业农村厅", UnitKind.PROVINCIAL_ORGAN),
    ("SWJW", "甘肃省卫生健康委员会", UnitKind.PROVINCIAL_ORGAN),
    ("SSLT", "甘肃省水利厅", UnitKind.PROVINCIAL_ORGAN),
    ("SZJT", "甘肃省住房和城乡建设厅", UnitKind.PROVINCIAL_ORGAN),
    ("SRST", "甘肃省人力资源和社会保障厅", UnitKind.PROVINCIAL_ORGAN),
    ("GSSW", "国家税务总局甘肃省税务局", UnitKind.CENTRAL_IN_GANSU),
    ("GSTJ", "国家统计局甘肃调查总队", UnitKind.CENTRAL_IN_GANSU),
    ("LZU", "兰州大学", UnitKind.UNIVERSITY),
    ("NWNU", "西北师范大学", UnitKind.UNIVERSITY),
    ("GSAU", "甘肃农业大学", UnitKind.UNIVERSITY),
    ("GSGJ", "甘肃省公路交通建设集团有限公司", UnitKind.STATE_ENTERPRISE),
    ("JCJT", "金川集团股份有限公司", UnitKind.STATE_ENTERPRISE),
    ("ABCGS", "中国农业银行甘肃省分行", UnitKind.FINANCIAL),
    ("GSBANK", "甘肃银行股份有限公司", UnitKind.FINANCIAL),
]
DEMO_PASSWORD_DEFAULT = "gansu-demo-2019"


@dataclass(frozen=True)
class DemoSize:
    """How much to generate under each real county."""

    townships_per_county: int = 3
    villages_per_township: int = 4


def read_divisions() -> list[dict[str, str]]:
    """Gansu's province, 14 prefectures and 86 counties with their GB/T 2260 codes."""
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generated_places(divisions: list[dict[str, str]], size: DemoSize) -> list[dict[str, str]]:
    """Townships and villages under each county: codes follow the 统计用区划代码 pattern."""
    rng = random.Random(2019)
    rows: list[dict[str, str]] = []
    for county in (d for d in divisions if d["level"] == PlaceLevel.COUNTY):
        for t in range(1, size.townships_per_county + 1):
            t_code = f"{county['code']}{100 + t:03d}"
            t_name = rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_WORDS) + TOWNSHIP_SUFFIX[t % 3]
            rows.append({"code": t_code, "name": t_name, "level": PlaceLevel.TOWNSHIP, "parent_code": county["code"]})
            for v in range(1, size.villages_per_township + 1):
                v_name = rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_WORDS) + "村"
                rows.append(
                    {
                        "code": f"{t_code}{200 + v:03d}",
                        "name": v_name,
                        "level": PlaceLevel.VILLAGE,
                        "parent_code": t_code,
                    }
                )
    return rows


@transaction.atomic
def demo_load(*, size: DemoSize | None = None, password: str = DEMO_PASSWORD_DEFAULT) -> dict[str, Any]:
    """Load the demo region and demo users; returns counts and the demo logins."""
    size = size or DemoSize()
    rng = random.Random(33)
    divisions = read_divisions()
    created = services.places_bulk_create(rows=divisions + generated_places(divisions, size))
    province = models.Place.objects.get(code="620000")
    counties = list(models.Place.objects.filter(level=PlaceLevel.COUNTY).order_by("code"))

    units: dict[str, models.Unit] = {}
    for code, name, kind, *_ in LEAD_UNITS + [(c, n, k) for c, n, k in PROVINCIAL_UNITS]:
        units[code], _ = models.Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "place": province}
        )
    for lead_code, _, _, kinds in LEAD_UNITS:
        for unit in models.Unit.objects.filter(kind__in=kinds, place=province).exclude(code=lead_code):
            if not models.SectorLeadMembership.objects.filter(member_unit=unit).exists():
                models.SectorLeadMembership.objects.create(lead_unit=units[lead_code], member_unit=unit, start=START)

    def person(code: str, unit: models.Unit, rank: str, title: str = "") -> models.Person:
        obj, _ = models.Person.objects.get_or_create(
            code=code, defaults={"name": _name(rng), "rank": rank, "unit": unit, "title": title}
        )
        return obj

    def post(
        p: models.Person, title: str, *, unit: models.Unit | None = None, place: models.Place | None = None
    ) -> None:
        models.Post.objects.get_or_create(person=p, title=title, unit=unit, place=place, defaults={"start": START})

    provincial_office, _ = models.Unit.objects.get_or_create(
        code="SZF", defaults={"name": "甘肃省人民政府", "kind": UnitKind.PROVINCIAL_ORGAN, "place": province}
    )
    for unit in models.Unit.objects.filter(place=province).exclude(pk=provincial_office.pk):
        post(person(f"P-{unit.code}-01", unit, Rank.BUREAU, "党组书记"), PostTitle.PRINCIPAL, unit=unit)
        post(person(f"P-{unit.code}-02", unit, Rank.BUREAU, "副厅长"), PostTitle.DEPUTY, unit=unit)
        for i in range(3, 7):
            person(f"P-{unit.code}-{i:02d}", unit, Rank.DIVISION if i < 5 else Rank.SECTION_AND_BELOW)

    group, _ = models.LeadingGroup.objects.get_or_create(
        kind=LeadingGroupKind.COORDINATION,
        place=province,
        defaults={"name": "甘肃省脱贫攻坚帮扶工作协调领导小组", "established": START},
    )
    head = person("P-SZF-01", provincial_office, Rank.PROVINCIAL, "副省长")
    models.LeadingGroupMember.objects.get_or_create(
        group=group, person=head, role=GroupRole.HEAD, defaults={"start": START}
    )

    assisting = [u for u in units.values() if u.code not in {c for c, *_ in LEAD_UNITS}]
    for n, county in enumerate(counties):
        leader = person(f"P-SZF-L{n + 1:03d}", provincial_office, Rank.PROVINCIAL, "省级领导")
        townships = list(models.Place.objects.get_children(county))
        villages = list(
            models.Place.objects.filter(path__startswith=county.path, level=PlaceLevel.VILLAGE).order_by("code")
        )
        if not models.ContactLeaderAssignment.objects.filter(county=county).exists():
            models.ContactLeaderAssignment.objects.create(
                person=leader,
                county=county,
                charged_township=townships[0] if townships else None,
                charged_village=villages[0] if villages else None,
                start=START,
            )
        gl_unit = assisting[n % len(assisting)]
        if not models.GroupLeaderAssignment.objects.filter(county=county).exists():
            models.GroupLeaderAssignment.objects.create(unit=gl_unit, county=county, start=START)
        county_unit, _ = models.Unit.objects.get_or_create(
            code=f"X{county.code}",
            defaults={"name": f"{county.name}委", "kind": UnitKind.COUNTY_UNIT, "place": county},
        )
        secretary = person(f"P-X{county.code}-01", county_unit, Rank.DIVISION, "县委书记")
        post(secretary, PostTitle.PRINCIPAL, place=county)
        post(secretary, PostTitle.PARTY_SECRETARY, place=county)
        deputy = person(f"P-X{county.code}-02", county_unit, Rank.DIVISION, "县委副书记")
        post(deputy, PostTitle.DEPUTY, place=county)
        post(deputy, PostTitle.COUNTY_TEAM_HEAD, place=county)
        for kind, name in (
            (LeadingGroupKind.COORDINATION, "脱贫攻坚帮扶工作协调领导小组"),
            (LeadingGroupKind.VILLAGE_WORK, "驻村工作领导小组"),
        ):
            lg, _ = models.LeadingGroup.objects.get_or_create(
                kind=kind, place=county, defaults={"name": f"{county.name}{name}", "established": START}
            )
            models.LeadingGroupMember.objects.get_or_create(
                group=lg, person=secretary, role=GroupRole.HEAD, defaults={"start": START}
            )
        for t in townships:
            t_unit, _ = models.Unit.objects.get_or_create(
                code=f"X{t.code}",
                defaults={"name": f"{t.name}党委", "kind": UnitKind.TOWNSHIP_UNIT, "place": t},
            )
            post(
                person(f"P-X{t.code}-01", t_unit, Rank.SECTION_AND_BELOW, "乡镇党委书记"),
                PostTitle.PARTY_SECRETARY,
                place=t,
            )
            post(
                person(f"P-X{t.code}-02", t_unit, Rank.SECTION_AND_BELOW, "乡镇党委副书记"),
                PostTitle.TOWNSHIP_TEAM_HEAD,
                place=t,
            )
        for i, village in enumerate(villages):
            unit = assisting[(n + i) % len(assisting)] if i % 2 == 0 else county_unit
            if not models.AssistanceAssignment.objects.filter(village=village).exists():
                models.AssistanceAssignment.objects.create(unit=unit, village=village, start=START)

    for prefecture in models.Place.objects.filter(level=PlaceLevel.PREFECTURE):
        models.LeadingGroup.objects.get_or_create(
            kind=LeadingGroupKind.COORDINATION,
            place=prefecture,
            defaults={"name": f"{prefecture.name}脱贫攻坚帮扶工作协调领导小组", "established": START},
        )

    logins = demo_users(password=password)
    return {
        "places_created": created,
        "units": models.Unit.objects.count(),
        "people": models.Person.objects.count(),
        "logins": logins,
    }


def demo_users(*, password: str) -> list[tuple[str, str, str]]:
    """The demo administrator and one user per role; returns (username, role, scope) rows."""
    User = get_user_model()
    yuzhong = models.Place.objects.get(code="620123")
    township = models.Place.objects.get_children(yuzhong).first()
    grants: list[tuple[str, str, Any]] = [
        ("province", Role.PROVINCIAL_GROUP, models.Place.objects.get(code="620000")),
        ("lanzhou", Role.PREFECTURE_STAFF, models.Place.objects.get(code="620100")),
        ("yuzhong", Role.COUNTY_STAFF, yuzhong),
        ("township", Role.TOWNSHIP_STAFF, township),
        ("teamleader", Role.TEAM_LEADER, models.Place.objects.get_children(township).first()),
        ("liaison", Role.UNIT_LIAISON, models.Unit.objects.get(code="SCZT")),
    ]
    rows = []
    admin, made = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    if made:
        admin.set_password(password)
        admin.save()
    rows.append(("admin", str(Role.ADMINISTRATOR.label), "甘肃省"))
    for username, role, node in grants:
        user, made = User.objects.get_or_create(username=username)
        if made:
            user.set_password(password)
            user.save()
            if isinstance(node, models.Unit):
                services.role_grant(user=user, role=role, unit=node)
            else:
                services.role_grant(user=user, role=role, place=node)
        rows.append((username, str(Role(role).label), str(node)))
    helper_person = models.Person.objects.get(code="P-SCZT-05")
    user, made = User.objects.get_or_create(username="helper")
    if made:
        user.set_password(password)
        user.save()
        helper_person.user = user
        helper_person.save(update_fields=["user"])
        services.role_grant(user=user, role=Role.HELPER)
    rows.append(("helper", str(Role.HELPER.label), helper_person.name))
    return rows

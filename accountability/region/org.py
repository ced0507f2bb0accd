"""The organisation of the synthetic region: places under Gansu's real prefectures and counties,
units, cadres and their posts, assignments (contact leaders, group-leader units, assisting units,
sector leads) and leading groups — with the gaps the point rules R07.1 and R08.1 look for."""

from __future__ import annotations

import itertools
from typing import Any

from accountability.region.context import GEN, TOWNSHIP_NUMBER_FROM, Region, place_name, quota
from tiers import models, services
from tiers.choices import GroupRole, LeadingGroupKind, PlaceLevel, PostTitle, Rank, UnitKind
from tiers.demo import LEAD_UNITS, read_divisions

PROVINCIAL_NAMES = {
    UnitKind.PROVINCIAL_ORGAN: [
        "甘肃省财政厅",
        "甘肃省教育厅",
        "甘肃省交通运输厅",
        "甘肃省农业农村厅",
        "甘肃省卫生健康委员会",
        "甘肃省水利厅",
        "甘肃省住房和城乡建设厅",
        "甘肃省人力资源和社会保障厅",
        "甘肃省自然资源厅",
        "甘肃省生态环境厅",
        "甘肃省商务厅",
        "甘肃省文化和旅游厅",
        "甘肃省民政厅",
        "甘肃省司法厅",
        "甘肃省林业和草原局",
        "甘肃省市场监督管理局",
        "甘肃省统计局",
        "甘肃省审计厅",
        "甘肃省科学技术厅",
        "甘肃省工业和信息化厅",
    ],
    UnitKind.CENTRAL_IN_GANSU: [
        "国家税务总局甘肃省税务局",
        "国家统计局甘肃调查总队",
        "甘肃省气象局",
        "中国铁路兰州局集团有限公司",
        "国网甘肃省电力公司",
        "中国移动甘肃有限公司",
    ],
    UnitKind.UNIVERSITY: ["兰州大学", "西北师范大学", "甘肃农业大学", "兰州理工大学", "兰州交通大学", "西北民族大学"],
    UnitKind.STATE_ENTERPRISE: [
        "甘肃省公路交通建设集团有限公司",
        "金川集团股份有限公司",
        "酒泉钢铁（集团）有限责任公司",
        "白银有色集团股份有限公司",
        "甘肃省电力投资集团有限责任公司",
        "甘肃能源化工投资集团有限公司",
    ],
    UnitKind.FINANCIAL: [
        "中国农业银行甘肃省分行",
        "甘肃银行股份有限公司",
        "中国人民银行兰州中心支行",
        "甘肃省农村信用社联合社",
    ],
}
PROVINCIAL_SHARES = {
    UnitKind.PROVINCIAL_ORGAN: 0.5,
    UnitKind.CENTRAL_IN_GANSU: 0.15,
    UnitKind.UNIVERSITY: 0.12,
    UnitKind.STATE_ENTERPRISE: 0.13,
    UnitKind.FINANCIAL: 0.10,
}
DEPARTMENTS = [
    "农业农村局",
    "教育局",
    "财政局",
    "交通运输局",
    "卫生健康局",
    "水务局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源局",
    "民政局",
    "商务局",
    "文化和旅游局",
    "林业和草原局",
    "市场监督管理局",
    "统计局",
    "审计局",
    "发展和改革局",
    "工业和信息化局",
    "司法局",
    "公安局",
    "应急管理局",
    "退役军人事务局",
    "医疗保障局",
    "乡村振兴局",
    "供销合作社",
    "科学技术局",
    "生态环境分局",
    "政务服务中心",
    "农村信用合作联社",
    "融媒体中心",
]
UNIT_COLUMNS = ["id", "code", "name", "kind", "place_id"]
POST_COLUMNS = ["person_id", "title", "unit_id", "place_id", "start", "end"]
DATED = ["start", "end"]


def build(region: Region) -> None:
    """Places, units, people, posts, assignments and leading groups."""
    _places(region)
    _units(region)
    _people_and_posts(region)
    _assignments(region)


def _places(region: Region) -> None:
    rng = region.rng("places")
    divisions = read_divisions()
    counties = [d for d in divisions if d["level"] == PlaceLevel.COUNTY]
    order = list(range(len(counties)))
    rng.shuffle(order)
    sizes = region.sizes
    per_county: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    townships: list[str] = []
    for t in range(sizes.townships):
        county = counties[order[t % len(counties)]]
        number = TOWNSHIP_NUMBER_FROM + per_county.get(county["code"], 0)
        per_county[county["code"]] = per_county.get(county["code"], 0) + 1
        code = f"{county['code']}{number:03d}"
        townships.append(code)
        suffix = "乡" if rng.random() < 0.35 else "镇"
        rows.append({"code": code, "name": place_name(rng, suffix), "level": "township", "parent_code": county["code"]})
    for v in range(sizes.villages):
        parent = townships[v % len(townships)]
        code = f"{parent}{200 + v // len(townships):03d}"
        rows.append({"code": code, "name": place_name(rng, "村"), "level": "village", "parent_code": parent})
    created = services.places_bulk_create(rows=divisions + rows)
    region.out(f"  行政区划：新建 {created:,} 个（乡镇 {sizes.townships:,}，村 {sizes.villages:,}）")
    region.counts["places"] = created

    fields = ("id", "code", "name", "path")
    region.prefectures = list(models.Place.objects.filter(level=PlaceLevel.PREFECTURE).order_by("code").values(*fields))
    region.counties = list(models.Place.objects.filter(level=PlaceLevel.COUNTY).order_by("code").values(*fields))
    county_index = {c["code"]: i for i, c in enumerate(region.counties)}
    # Counties in the order they received townships: provincial units are homed there first.
    region.county_order = [county_index[counties[i]["code"]] for i in order]
    generated = {row["code"] for row in rows}
    found = {
        p["code"]: p
        for p in models.Place.objects.filter(level__in=[PlaceLevel.TOWNSHIP, PlaceLevel.VILLAGE]).values(*fields)
        if p["code"] in generated
    }
    region.townships = [dict(found[code], county=county_index[code[:6]]) for code in townships]
    township_index = {t["code"]: i for i, t in enumerate(region.townships)}
    region.villages = [
        dict(found[r["code"]], township=township_index[r["parent_code"]], county=county_index[r["code"][:6]])
        for r in rows
        if r["level"] == PlaceLevel.VILLAGE
    ]
    region.province_id = models.Place.objects.get(code="620000").pk


def _unit(region: Region, code: str, name: str, kind: str, place_id: int, **extra: Any) -> int:
    uid = region.ids.take(models.Unit)
    region.writer("units", models.Unit, UNIT_COLUMNS).add((uid, f"{GEN}{code}", name, kind, place_id))
    region.units.append({"id": uid, "code": code, "name": name, "kind": kind, **extra})
    return len(region.units) - 1


def _units(region: Region) -> None:
    rng = region.rng("units")
    province = region.province_id
    region.government = _unit(region, "SZF", "甘肃省人民政府", UnitKind.PROVINCIAL_ORGAN, province)
    region.lead_units = {}
    for code, name, kind, member_kinds in LEAD_UNITS:
        index = _unit(region, code, name, kind, province)
        for member_kind in member_kinds:
            region.lead_units[member_kind] = index
    kinds = quota(rng, region.sizes.provincial_units, PROVINCIAL_SHARES)
    # Provincial organs and central units first: the first homes are the counties with villages (R03.3).
    kinds.sort(key=lambda kind: kind not in (UnitKind.PROVINCIAL_ORGAN, UnitKind.CENTRAL_IN_GANSU))
    used: dict[str, int] = {}
    order = region.county_order
    region.provincial = []
    for n, kind in enumerate(kinds):
        names = PROVINCIAL_NAMES[kind]
        k = used.get(kind, 0)
        used[kind] = k + 1
        name = names[k % len(names)] + ("" if k < len(names) else f"第{k // len(names) + 1}帮扶工作组")
        home = order[n % len(order)]
        region.provincial.append(_unit(region, f"S{n + 1:04d}", name, kind, province, county=home, assisting=True))
    region.prefecture_units = [
        _unit(region, f"S{p['code']}", f"中共{p['name']}委员会", UnitKind.PREFECTURE_UNIT, p["id"])
        for p in region.prefectures
    ]
    region.county_units, region.departments = [], []
    for i, county in enumerate(region.counties):
        region.county_units.append(
            _unit(region, f"X{county['code']}", f"中共{county['name']}委员会", UnitKind.COUNTY_UNIT, county["id"])
        )
        region.departments.append(
            [
                _unit(
                    region,
                    f"D{county['code']}-{d + 1:02d}",
                    county["name"] + DEPARTMENTS[d % len(DEPARTMENTS)] + ("" if d < len(DEPARTMENTS) else str(d)),
                    UnitKind.COUNTY_UNIT,
                    county["id"],
                    county=i,
                    assisting=True,
                )
                for d in range(region.sizes.departments_per_county)
            ]
        )
    region.township_units = [
        _unit(region, f"T{t['code']}", f"中共{t['name']}委员会", UnitKind.TOWNSHIP_UNIT, t["id"])
        for t in region.townships
    ]


def _post(
    region: Region,
    person: int,
    title: str,
    *,
    unit: int | None = None,
    place: int | None = None,
    start: str,
    end: str | None = None,
) -> None:
    region.writer("posts", models.Post, POST_COLUMNS).add((person, title, unit, place, start, end))


def _people_and_posts(region: Region) -> None:
    rng = region.rng("people")
    start = region.before_year
    # Leaders of assisting units (R05.2 visits, R05.3 households: 3 for 地厅级, 2 below).
    for index in [*region.provincial, *itertools.chain.from_iterable(region.departments)]:
        unit = region.units[index]
        provincial = unit["kind"] != UnitKind.COUNTY_UNIT
        rank = Rank.BUREAU if provincial else Rank.DIVISION
        titles = [PostTitle.PRINCIPAL, PostTitle.DEPUTY] + ([PostTitle.LEADER] if provincial else [])
        quotas = []
        for title in titles:
            label = {"principal": "主要负责同志", "deputy": "分管负责同志", "leader": "领导班子成员"}[title]
            pid = region.person(rng, unit["id"], rank, label)
            _post(region, pid, title, unit=unit["id"], start=start(rng, 4))
            need = 3 if rank == Rank.BUREAU else 2
            roll = rng.random()
            quotas.append([pid, need - 1 if roll < 0.1 else need + 1 if roll > 0.95 else need])
            region.unit_leaders.append((pid, index))
        region.leader_quota[index] = quotas
    # Contact leaders (省级联系包抓领导), two counties each.
    government = region.units[region.government]["id"]
    region.contact_leaders = [
        region.person(rng, government, Rank.PROVINCIAL, "省级领导") for _ in range((len(region.counties) + 1) // 2)
    ]
    _leading_groups(region, rng)


def _leading_groups(region: Region, rng: Any) -> None:
    """Coordination groups of the province and prefectures; county secretaries, deputies (总队长) and
    驻村工作领导小组 (R07.1); township secretaries and 总队长 (R08.1)."""
    groups = region.writer("leading_groups", models.LeadingGroup, ["id", "kind", "place_id", "name", "established"])
    members = region.writer(
        "leading_group_members", models.LeadingGroupMember, ["group_id", "person_id", "role", "start", "end"]
    )
    existing = {(g.kind, g.place_id): g.pk for g in models.LeadingGroup.objects.all()}
    established = str(region.first_day.replace(year=region.year - 2))

    def group(kind: str, place_id: int, name: str, head: int, since: str) -> None:
        gid = existing.get((kind, place_id))
        if gid is None:
            gid = region.ids.take(models.LeadingGroup)
            groups.add((gid, kind, place_id, name, established))
        members.add((gid, head, GroupRole.HEAD, since, None))

    coordination = LeadingGroupKind.COORDINATION
    group(
        coordination, region.province_id, "甘肃省脱贫攻坚帮扶工作协调领导小组", region.contact_leaders[0], established
    )
    for prefecture, unit in zip(region.prefectures, region.prefecture_units, strict=True):
        head = region.person(rng, region.units[unit]["id"], Rank.BUREAU, "市（州）委书记")
        _post(region, head, PostTitle.PARTY_SECRETARY, place=prefecture["id"], start=region.before_year(rng, 3))
        group(coordination, prefecture["id"], f"{prefecture['name']}脱贫攻坚帮扶工作协调领导小组", head, established)

    mid = region.day_text
    profiles = quota(rng, len(region.counties), {"ok": 0.88, "none": 0.05, "other_head": 0.035, "changed": 0.035})
    for county, unit, profile in zip(region.counties, region.county_units, profiles, strict=True):
        uid, place = region.units[unit]["id"], county["id"]
        secretary = region.person(rng, uid, Rank.DIVISION, "县委书记")
        since = region.before_year(rng, 3)
        turnover = rng.randrange(120, 300)
        end = mid[turnover] if profile == "changed" else None
        _post(region, secretary, PostTitle.PRINCIPAL, place=place, start=since, end=end)
        _post(region, secretary, PostTitle.PARTY_SECRETARY, place=place, start=since, end=end)
        if profile == "changed":  # the new secretary did not take over the 驻村工作领导小组
            successor = region.person(rng, uid, Rank.DIVISION, "县委书记")
            _post(region, successor, PostTitle.PRINCIPAL, place=place, start=mid[turnover + 1])
            _post(region, successor, PostTitle.PARTY_SECRETARY, place=place, start=mid[turnover + 1])
        deputy = region.person(rng, uid, Rank.DIVISION, "县委副书记")
        _post(region, deputy, PostTitle.DEPUTY, place=place, start=since)
        _post(region, deputy, PostTitle.COUNTY_TEAM_HEAD, place=place, start=since)
        head = region.person(rng, uid, Rank.DIVISION, "县长")
        _post(region, head, PostTitle.GOVERNMENT_HEAD, place=place, start=since)
        group(coordination, place, f"{county['name']}脱贫攻坚帮扶工作协调领导小组", secretary, since)
        if profile != "none":
            chair = deputy if profile == "other_head" else secretary
            group(LeadingGroupKind.VILLAGE_WORK, place, f"{county['name']}驻村工作领导小组", chair, since)

    profiles = quota(rng, len(region.townships), {"ok": 0.93, "none": 0.04, "ended": 0.03})
    for township, unit, profile in zip(region.townships, region.township_units, profiles, strict=True):
        uid, place = region.units[unit]["id"], township["id"]
        since = region.before_year(rng, 3)
        _post(
            region,
            region.person(rng, uid, Rank.SECTION_AND_BELOW, "乡镇党委书记"),
            PostTitle.PARTY_SECRETARY,
            place=place,
            start=since,
        )
        if profile != "none":
            head = region.person(rng, uid, Rank.SECTION_AND_BELOW, "乡镇党委副书记")
            end = mid[rng.randrange(100, 330)] if profile == "ended" else None
            _post(region, head, PostTitle.TOWNSHIP_TEAM_HEAD, place=place, start=since, end=end)


def _assignments(region: Region) -> None:
    """Sector leads (四), contact leaders (二), group-leader units (三) and assisting units (五)."""
    rng = region.rng("assignments")
    since = str(region.first_day.replace(year=region.year - 2))
    sector = region.writer("sector_leads", models.SectorLeadMembership, ["lead_unit_id", "member_unit_id", *DATED])
    for index in region.provincial:
        lead = region.units[region.lead_units[region.units[index]["kind"]]]["id"]
        sector.add((lead, region.units[index]["id"], since, None))

    townships_of: dict[int, list[int]] = {}
    for t, township in enumerate(region.townships):
        townships_of.setdefault(township["county"], []).append(t)
    villages_of_township: dict[int, list[int]] = {}
    for v, village in enumerate(region.villages):
        villages_of_township.setdefault(village["township"], []).append(v)
    homed: dict[int, list[int]] = {}
    for index in region.provincial:
        homed.setdefault(region.units[index]["county"], []).append(index)

    contacts = region.writer(
        "contact_leaders",
        models.ContactLeaderAssignment,
        ["person_id", "county_id", "charged_township_id", "charged_village_id", *DATED],
    )
    leaders = region.writer("group_leaders", models.GroupLeaderAssignment, ["unit_id", "county_id", *DATED])
    region.group_leader_units = []
    for i, county in enumerate(region.counties):
        township = townships_of.get(i, [None])[0]
        village = villages_of_township.get(township, [None])[0] if township is not None else None
        contacts.add(
            (
                region.contact_leaders[i // 2],
                county["id"],
                region.townships[township]["id"] if township is not None else None,
                region.villages[village]["id"] if village is not None else None,
                since,
                None,
            )
        )
        gl = homed.get(i, [region.provincial[i % len(region.provincial)]])[0]
        region.group_leader_units.append(gl)
        leaders.add((region.units[gl]["id"], county["id"], since, None))

    assistance = region.writer("assistance", models.AssistanceAssignment, ["unit_id", "village_id", *DATED])
    turn: dict[int, int] = {}
    region.village_units = []
    for village in region.villages:
        c = village["county"]
        departments = region.departments[c]
        units = [departments[turn.get(c, 0) % len(departments)]]
        turn[c] = turn.get(c, 0) + 1
        if homed.get(c) and (turn[c] == 1 or rng.random() < 0.35):  # the county's first village always
            units.insert(0, homed[c][turn[c] % len(homed[c])])
        region.village_units.append(units)
        for index in units:
            assistance.add((region.units[index]["id"], village["id"], region.before_year(rng, 3), None))
    region.out(f"  单位 {len(region.units):,} 个；帮扶单位分工 {assistance.count + len(assistance.rows):,} 条")

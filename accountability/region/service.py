"""``generate_region``: a synthetic province for benchmarks and load tests, written in one transaction."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import TextIO

from django.db import connection, transaction
from django.db.models import Q

from accountability.region import corps, homes, org, records
from accountability.region.context import GEN, RECORD_MARK, TOWNSHIP_NUMBER_FROM, Region, output
from accountability.region.writer import analyze, deferred_indexes, reset_sequences, skip_foreign_key_triggers
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers import models as tiers
from tiers.choices import PlaceLevel
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay

#: Tables whose indexes are built after the load rather than maintained row by row (PostgreSQL).
BIG_TABLES = [DutyDay, Visit, Deed, Plan, Pairing, Household]
NOT_EMPTY = "数据库中已有建档立卡户或驻村工作队：如需替换先前生成的合成数据，请加 --replace。"
BAD_SCALE = "--scale 须大于 0 且不超过 10。"


class RegionNotEmpty(Exception):
    """The database holds households or teams and ``replace`` was not asked for."""


def generate_region(
    *, scale: float, year: int, seed: int, replace: bool = False, stdout: TextIO | None = None
) -> dict[str, int]:
    """Generate a synthetic region at ``scale`` (1.0 ≈ Gansu: 16,000 villages, 1,000,000 households,
    8 million duty days) with records dated in ``year``; deterministic for ``seed``.

    Refuses (:class:`RegionNotEmpty`) when households or teams exist, unless ``replace``, which first
    deletes what an earlier run generated. Returns the rows written per table.
    """
    if not 0 < scale <= 10:
        raise ValueError(BAD_SCALE)
    out = output(stdout)
    started = time.perf_counter()
    with transaction.atomic(), ExitStack() as stack:
        if Household.objects.exists() or Team.objects.exists():
            if not replace:
                raise RegionNotEmpty(NOT_EMPTY)
            deleted = delete_generated()
            out(f"已删除先前生成的数据：{sum(deleted.values()):,} 行（{time.perf_counter() - started:.1f} s）")
        fast = skip_foreign_key_triggers()
        stack.enter_context(deferred_indexes(BIG_TABLES, out))
        region = Region(scale=scale, year=year, seed=seed, out=out)
        method = "COPY" if connection.vendor == "postgresql" else "bulk_create"
        out(f"生成合成区域：规模 {scale}，年度 {year}，种子 {seed}（{method}{'，跳过逐行外键触发器' if fast else ''}）")
        for label, part in (
            ("组织", org.build),
            ("建档立卡户", homes.build),
            ("驻村工作队", corps.build),
            ("履责记录", records.build),
        ):
            step = time.perf_counter()
            before = {name: w.seconds for name, w in region.writers.items()}
            part(region)
            for writer in region.writers.values():
                writer.flush()
            out(f"{label}：{time.perf_counter() - step:.1f} s")
            for name, writer in region.writers.items():
                if writer.seconds != before.get(name, 0.0) or name not in before:
                    out(f"  {name:<24} {writer.count:>12,} 行  写入 {writer.seconds - before.get(name, 0.0):6.1f} s")
        stack.close()  # rebuild the indexes
        if fast:  # back to normal checks for whatever the caller's transaction does next
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        reset_sequences(region.ids.models)
        step = time.perf_counter()
        analyze({w.model for w in region.writers.values()})
        if connection.vendor == "postgresql":
            out(f"ANALYZE：{time.perf_counter() - step:.1f} s")
    counts = {**region.counts, **{name: w.count for name, w in region.writers.items()}}
    out(f"完成：共 {sum(counts.values()):,} 行，{time.perf_counter() - started:.1f} s")
    return counts


def delete_generated() -> dict[str, int]:
    """Delete the rows an earlier run generated (``GEN-`` codes, marked records, generated places), in
    dependency order, without loading them; returns rows deleted per table."""
    gen_people = tiers.Person.objects.filter(code__startswith=GEN)
    gen_units = tiers.Unit.objects.filter(code__startswith=GEN)
    gen_households = Household.objects.filter(code__startswith=GEN)
    generated_townships = [
        t.path
        for t in tiers.Place.objects.filter(level=PlaceLevel.TOWNSHIP).only("code", "path")
        if int(t.code[6:]) >= TOWNSHIP_NUMBER_FROM
    ]
    in_generated = Q(pk__in=[])
    for path in generated_townships:
        in_generated |= Q(path__startswith=path)
    places = tiers.Place.objects.filter(in_generated)
    memberships = Membership.objects.filter(person__in=gen_people)
    records = tiers.DutyRecord.objects.filter(minutes__startswith=RECORD_MARK)
    groups = tiers.LeadingGroup.objects.filter(members__person__in=gen_people).exclude(
        members__in=tiers.LeadingGroupMember.objects.exclude(person__in=gen_people)
    )
    group_ids = list(groups.values_list("pk", flat=True).distinct())
    steps = [
        ("duty_days", DutyDay.objects.filter(person__in=gen_people)),
        ("follow_ups", FollowUpVisit.objects.filter(membership__in=memberships)),
        ("insurance", InsuranceCover.objects.filter(membership__in=memberships)),
        ("training_days", TrainingDay.objects.filter(person__in=gen_people)),
        ("memberships", memberships),
        ("teams", Team.objects.filter(village__in=places)),
        ("visits", Visit.objects.filter(household__in=gen_households)),
        ("deeds", Deed.objects.filter(household__in=gen_households)),
        ("plans", Plan.objects.filter(household__in=gen_households)),
        ("pairings", Pairing.objects.filter(household__in=gen_households)),
        ("households", gen_households),
        ("duty_record_kinds", tiers.DutyRecord.kinds.through.objects.filter(dutyrecord__in=records)),
        ("duty_record_participants", tiers.DutyRecord.participants.through.objects.filter(dutyrecord__in=records)),
        ("duty_records", records),
        ("leading_group_members", tiers.LeadingGroupMember.objects.filter(person__in=gen_people)),
        ("leading_groups", tiers.LeadingGroup.objects.filter(pk__in=group_ids)),
        ("posts", tiers.Post.objects.filter(person__in=gen_people)),
        ("contact_leaders", tiers.ContactLeaderAssignment.objects.filter(person__in=gen_people)),
        ("group_leaders", tiers.GroupLeaderAssignment.objects.filter(unit__in=gen_units)),
        ("assistance", tiers.AssistanceAssignment.objects.filter(unit__in=gen_units)),
        (
            "sector_leads",
            tiers.SectorLeadMembership.objects.filter(Q(lead_unit__in=gen_units) | Q(member_unit__in=gen_units)),
        ),
        ("people", gen_people),
        ("units", gen_units),
    ]
    steps.append(("places", places if generated_townships else tiers.Place.objects.none()))
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # checked statement by statement, so that no trigger event is left pending for the load
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        deleted = {name: qs._raw_delete(qs.db) for name, qs in steps}
        if postgresql:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    parents = {path[: 3 * tiers.Place.steplen] for path in generated_townships}
    for county in tiers.Place.objects.filter(path__in=parents):
        children = tiers.Place.objects.filter(depth=county.depth + 1, path__startswith=county.path)
        tiers.Place.objects.filter(pk=county.pk).update(numchild=children.count())
    return deleted

"""The synthetic region generator: sizes in proportion to the scale, consistent rows, realistic
non-compliance for every registered rule, determinism, refusal and ``--replace``.

One region at scale 0.001 is generated for the module (rolled back at the end); tests that generate
again do it inside their own transaction, which is rolled back after them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q

from accountability.region import NOT_EMPTY, RegionNotEmpty, generate_region
from accountability.region.context import Sizes, quota
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers import models as tiers
from tiers.choices import Period as PeriodKind
from tiers.figures import registered
from tiers.periods import Period
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay

SCALE, YEAR, SEED = 0.001, 2019, 7
WRITTEN = [
    tiers.Place,
    tiers.Unit,
    tiers.Person,
    tiers.Post,
    tiers.LeadingGroup,
    tiers.LeadingGroupMember,
    tiers.SectorLeadMembership,
    tiers.ContactLeaderAssignment,
    tiers.GroupLeaderAssignment,
    tiers.AssistanceAssignment,
    tiers.DutyRecord,
    tiers.DutyRecord.kinds.through,
    Household,
    Pairing,
    Visit,
    Deed,
    Plan,
    Team,
    Membership,
    DutyDay,
    TrainingDay,
    FollowUpVisit,
    InsuranceCover,
]


@pytest.fixture(scope="module")
def region(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """A region at scale 0.001, generated once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_region(scale=SCALE, year=YEAR, seed=SEED)
        transaction.set_rollback(True)


def snapshot() -> str:
    """A digest of the generated rows by their stable codes and values (not their ids)."""
    parts = [
        tiers.Place.objects.order_by("code").values_list("code", "name", "level"),
        tiers.Person.objects.order_by("code").values_list("code", "name", "rank", "unit__code"),
        Household.objects.order_by("code").values_list("code", "head_name", "members", "status", "village__code"),
        Pairing.objects.order_by("household__code", "start").values_list(
            "household__code", "helper__code", "start", "end"
        ),
        Visit.objects.order_by("household__code", "date").values_list("household__code", "date", "industry"),
        Plan.objects.order_by("household__code", "date").values_list("household__code", "date"),
        DutyDay.objects.order_by("person__code", "date").values_list("person__code", "date", "kind"),
        tiers.DutyRecord.objects.order_by("date", "title", "place__code").values_list("date", "title", "place__code"),
    ]
    digest = hashlib.sha256()
    for rows in parts:
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_sizes_are_proportional_to_the_scale() -> None:
    small, large = Sizes(0.01), Sizes(0.1)
    assert large.villages == 10 * small.villages == 1_600
    assert large.households == 10 * small.households == 100_000
    assert large.teams == 10 * small.teams == 730
    assert Sizes(1).townships == 1_200 and Sizes(0.0001).townships == 2  # a floor keeps every kind of subject


def test_quota_keeps_exact_shares_and_every_case() -> None:
    import random

    drawn = quota(random.Random(1), 1_000, {"a": 0.9, "b": 0.07, "c": 0.03})
    assert (drawn.count("a"), drawn.count("b"), drawn.count("c")) == (900, 70, 30)
    assert sorted(set(quota(random.Random(1), 3, {"a": 0.98, "b": 0.01, "c": 0.01}))) == ["a", "b", "c"]


@pytest.mark.django_db
def test_counts_follow_the_scale(region: dict[str, int]) -> None:
    sizes = Sizes(SCALE)
    assert region["households"] == Household.objects.count()
    assert abs(region["households"] - sizes.households) <= 0.05 * sizes.households
    assert 1.0 <= region["pairings"] / region["households"] <= 1.12
    assert 2.5 <= region["visits"] / region["pairings"] <= 3.3
    assert Team.objects.count() == sizes.teams
    assert tiers.Place.objects.filter(level="village").count() == sizes.villages
    memberships = Membership.objects.count()
    assert 2.8 * sizes.teams <= memberships <= 3.4 * sizes.teams
    # One duty day per member and day of the membership in the year.
    first, last = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    in_year = sum((min(m.end or last, last) - max(m.start, first)).days + 1 for m in Membership.objects.all())
    assert DutyDay.objects.count() == region["duty_days"] == in_year


@pytest.mark.django_db
def test_every_foreign_key_points_at_a_row(region: dict[str, int]) -> None:
    for model in WRITTEN:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                target = field.related_model._default_manager.values("pk")
                dangling = model._default_manager.exclude(**{f"{field.attname}__isnull": True}).exclude(
                    **{f"{field.attname}__in": target}
                )
                assert not dangling.exists(), f"{model.__name__}.{field.name}"


@pytest.mark.django_db
def test_records_fall_inside_their_assignments(region: dict[str, int]) -> None:
    outside = Q(date__lt=F("membership__start")) | Q(membership__end__isnull=False, date__gt=F("membership__end"))
    assert not DutyDay.objects.filter(outside).exists()
    assert not DutyDay.objects.exclude(person=F("membership__person")).exists()
    for model in (Membership, Pairing):
        key = "person" if model is Membership else "household"
        rows: dict[int, list[Any]] = {}
        for row in model.objects.order_by("start"):
            rows.setdefault(getattr(row, f"{key}_id"), []).append(row)
        for same in rows.values():  # one membership per person, one pairing per household, on any day
            for before, after in zip(same, same[1:], strict=False):
                assert before.end is not None and before.end < after.start
    for record in (Visit, Deed, Plan):
        paired = Pairing.objects.filter(helper=OuterRef("helper"), household=OuterRef("household")).filter(
            Q(end__isnull=True) | Q(end__gte=OuterRef("date")), start__lte=OuterRef("date")
        )
        assert not record.objects.exclude(Exists(paired)).exists(), record.__name__
    trained = DutyDay.objects.filter(person=OuterRef("person"), date=OuterRef("date"), kind="training")
    assert not TrainingDay.objects.exclude(Exists(trained)).exists()


@pytest.mark.django_db
def test_every_registered_rule_has_subjects_below_and_above_its_minimum(region: dict[str, int]) -> None:
    for code, fn in sorted(registered().items()):
        rule = tiers.Rule.objects.get(code=code)
        if rule.period == PeriodKind.POINT:
            rows = list(fn(datetime.date(YEAR, 12, 31)))
        else:
            rows = [row for period in Period.of_year(rule.period, YEAR) for row in fn(period)]
        figures = [(int(row["figure"]), rule.minimum_for_rank(row.get("rank"))) for row in rows]
        assert any(f < minimum for f, minimum in figures), f"{code}: nobody below {rule.minimum}"
        assert any(f >= minimum for f, minimum in figures), f"{code}: nobody at or above {rule.minimum}"


@pytest.mark.django_db
def test_duty_days_include_the_edges_of_the_minimums(region: dict[str, int]) -> None:
    from villagecorps.figures import duty_days, nights

    year = Period("year", YEAR)
    whole = {row["id"]: row["figure"] for row in duty_days(year) if row["assigned_days"].days == year.days}
    night = {row["id"]: row["figure"] for row in nights(year) if row["id"] in whole}
    assert {219, 220} <= set(whole.values()) and {159, 160} <= set(night.values())
    below = sum(1 for f in whole.values() if f < 220) / len(whole)
    assert 0.05 <= below <= 0.3


@pytest.mark.django_db
def test_same_seed_same_rows_other_seed_other_rows(region: dict[str, int]) -> None:
    first = snapshot()
    with pytest.raises(RegionNotEmpty, match=NOT_EMPTY):
        generate_region(scale=SCALE, year=YEAR, seed=SEED)
    again = generate_region(scale=SCALE, year=YEAR, seed=SEED, replace=True)
    assert again == {**region, "places": again["places"]}  # the real prefectures and counties are kept
    assert again["places"] == region["places"] - 101
    assert snapshot() == first
    generate_region(scale=SCALE, year=YEAR, seed=SEED + 1, replace=True)
    assert snapshot() != first
    assert Household.objects.count() == Household.objects.filter(code__startswith="GEN-").count()


@pytest.mark.django_db
def test_command_refuses_a_region_with_households_unless_replace(region: dict[str, int]) -> None:
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_region", "--scale", str(SCALE))
    out = StringIO()
    call_command("generate_region", "--scale", str(SCALE), "--seed", "3", "--year", "2020", "--replace", stdout=out)
    assert "duty_days" in out.getvalue() and "完成" in out.getvalue()
    assert not Visit.objects.filter(date__year=2019).exists()
    assert Team.objects.count() == Sizes(SCALE).teams


def test_command_rejects_a_bad_scale() -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("generate_region", "--scale", "0")

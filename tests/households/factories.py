"""factory_boy factories of the households app, keeping the hierarchy consistent.

A household lives in a village of the place tree (built on first use, the same tree as the
``place_tree`` fixture); a pairing joins a cadre (``tests.factories.PersonFactory``) with a
household; records (visits, deeds, plans) take their helper and household from a pairing, so
that they fall inside it.
"""

from __future__ import annotations

import datetime

import factory

from households import models
from tests.factories import PersonFactory, build_tree
from tiers.choices import PlaceLevel
from tiers.models import Place

YEAR_START = datetime.date(2019, 1, 1)


def a_village() -> Place:
    """The first village of the tree, building the tree when there is none yet."""
    village = Place.objects.filter(level=PlaceLevel.VILLAGE).order_by("path").first()
    if village is None:
        build_tree()
        village = Place.objects.filter(level=PlaceLevel.VILLAGE).order_by("path").first()
    return village


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Household

    code = factory.Sequence(lambda n: f"H{n:06d}")
    head_name = factory.Sequence(lambda n: f"户主{n}")
    village = factory.LazyFunction(a_village)
    members = 4


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Pairing

    helper = factory.SubFactory(PersonFactory)
    household = factory.SubFactory(HouseholdFactory)
    start = YEAR_START
    end = None


class _RecordFactory(factory.django.DjangoModelFactory):
    """A record inside a pairing: pass ``pairing=`` (one is made otherwise)."""

    class Meta:
        abstract = True
        exclude = ["pairing"]

    pairing = factory.SubFactory(PairingFactory)
    helper = factory.SelfAttribute("pairing.helper")
    household = factory.SelfAttribute("pairing.household")
    date = factory.LazyAttribute(lambda o: o.pairing.start)


class VisitFactory(_RecordFactory):
    class Meta:
        model = models.Visit

    problems = "无"


class DeedFactory(_RecordFactory):
    class Meta:
        model = models.Deed

    description = "帮助联系务工岗位"


class PlanFactory(_RecordFactory):
    class Meta:
        model = models.Plan

    year = factory.LazyAttribute(lambda o: o.date.year)
    family_situation = "四口人，两名劳动力"
    poverty_causes = "缺技术"
    income_paths = "养殖、务工"
    support_measures = "技能培训、产业扶持"

"""factory_boy factories of the villagecorps app, keeping the hierarchy consistent.

A team is stationed in a village of the place tree (built on first use, the same tree as the
``place_tree`` fixture); a membership joins a cadre (``tests.factories.PersonFactory``) to a team, sent
by the cadre's own unit; records (duty days, follow-up visits, insurance covers) hang off a membership
and fall inside it; a training day is held by the county of the first village.
"""

from __future__ import annotations

import datetime

import factory

from tests.factories import PersonFactory
from tests.households.factories import a_village
from tiers.models import Place
from villagecorps import models
from villagecorps.choices import DayKind, DaySource, MemberRole

YEAR_START = datetime.date(2019, 1, 1)


def county_of(village: Place) -> Place:
    """The county a village lies in (two levels up)."""
    return village.get_parent().get_parent()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team

    village = factory.LazyFunction(a_village)
    name = factory.Sequence(lambda n: f"驻村工作队{n}")
    start = datetime.date(2018, 1, 1)
    end = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(PersonFactory)
    role = MemberRole.MEMBER
    dispatching_unit = factory.SelfAttribute("person.unit")
    start = YEAR_START
    end = None


class DutyDayFactory(factory.django.DjangoModelFactory):
    """A duty day inside a membership: pass ``membership=`` (one is made otherwise)."""

    class Meta:
        model = models.DutyDay

    membership = factory.SubFactory(MembershipFactory)
    person = factory.SelfAttribute("membership.person")
    date = factory.LazyAttribute(lambda o: o.membership.start)
    kind = DayKind.IN_VILLAGE_NIGHT
    source = DaySource.ADMIN


class FollowUpVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FollowUpVisit

    membership = factory.SubFactory(MembershipFactory)
    date = factory.LazyAttribute(lambda o: o.membership.start)
    visitors = "单位党委书记、人事处处长"


class InsuranceCoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InsuranceCover

    membership = factory.SubFactory(MembershipFactory)
    insurer = "中国人寿"
    policy_number = factory.Sequence(lambda n: f"PL{n:06d}")
    start = factory.LazyAttribute(lambda o: o.membership.start)
    end = factory.LazyAttribute(lambda o: o.membership.end)


class TrainingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TrainingDay

    county = factory.LazyFunction(lambda: county_of(a_village()))
    person = factory.SubFactory(PersonFactory)
    date = datetime.date(2019, 3, 1)
    topic = "驻村干部轮训"

"""factory_boy factories that keep the hierarchy consistent (codes follow the parent's code)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import factory
from django.contrib.auth import get_user_model

from tiers import models, services
from tiers.choices import PlaceLevel, Rank, UnitKind

START = datetime.date(2019, 7, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Test-2019")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.PROVINCIAL_ORGAN
    place = factory.LazyFunction(lambda: models.Place.objects.get(level=PlaceLevel.PROVINCE))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"干部{n}")
    rank = Rank.DIVISION
    unit = factory.SubFactory(UnitFactory)


@dataclass
class Tree:
    """A small tree: the province, and its places by code."""

    province: models.Place
    places: dict[str, models.Place] = field(default_factory=dict)

    def __getitem__(self, code: str) -> models.Place:
        return self.places[code]


def build_tree() -> Tree:
    """甘肃省 → 兰州市, 天水市 → two counties each → one township → two villages."""
    rows: list[dict[str, str]] = [
        {"code": "620000", "name": "甘肃省", "level": PlaceLevel.PROVINCE, "parent_code": ""},
        {"code": "620100", "name": "兰州市", "level": PlaceLevel.PREFECTURE, "parent_code": "620000"},
        {"code": "620500", "name": "天水市", "level": PlaceLevel.PREFECTURE, "parent_code": "620000"},
    ]
    for prefecture, counties in {"620100": ["620122", "620123"], "620500": ["620521", "620522"]}.items():
        for county in counties:
            rows.append({"code": county, "name": f"县{county}", "level": PlaceLevel.COUNTY, "parent_code": prefecture})
            township = f"{county}101"
            rows.append(
                {
                    "code": township,
                    "name": f"乡{township}",
                    "level": PlaceLevel.TOWNSHIP,
                    "parent_code": county,
                }
            )
            for v in (201, 202):
                rows.append(
                    {
                        "code": f"{township}{v}",
                        "name": f"村{township}{v}",
                        "level": PlaceLevel.VILLAGE,
                        "parent_code": township,
                    }
                )
    services.places_bulk_create(rows=rows)
    places = {p.code: p for p in models.Place.objects.all()}
    return Tree(province=places["620000"], places=places)


def user_with_role(role: str, *, place: models.Place | None = None, unit: models.Unit | None = None, **kw: Any) -> Any:
    """A user granted ``role`` on ``place`` or ``unit`` through the same service the admin uses."""
    user = UserFactory(**kw)
    services.role_grant(user=user, role=role, place=place, unit=unit)
    return user

"""Reads of the tiers app. Every function takes ``user=`` where scope applies and returns querysets."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tiers import models
from tiers.scope import ROLE_PREFIX, sees_everything


def place_list(*, user: Any) -> QuerySet[models.Place]:
    """Places in the user's scope."""
    return models.Place.objects.visible_to(user)


def unit_list(*, user: Any) -> QuerySet[models.Unit]:
    """Units in the user's scope."""
    return models.Unit.objects.visible_to(user).select_related("place")


def person_list(*, user: Any) -> QuerySet[models.Person]:
    """People in the user's scope."""
    return models.Person.objects.visible_to(user).select_related("unit")


def scope_roots(*, user: Any) -> QuerySet[models.Place]:
    """The highest places the user may see (the nodes granted, or the province for a superuser)."""
    if sees_everything(user):
        return models.Place.objects.get_root_nodes()
    place_ids = models.PlaceUserObjectPermission.objects.filter(
        user=user, permission__codename__startswith=ROLE_PREFIX
    ).values("content_object")
    group_place_ids = models.PlaceGroupObjectPermission.objects.filter(
        group__user=user, permission__codename__startswith=ROLE_PREFIX
    ).values("content_object")
    return models.Place.objects.filter(pk__in=place_ids.union(group_place_ids)).order_by("path")


def role_grants(*, user: Any) -> QuerySet[models.RoleAssignment]:
    """The user's own role assignments, for display."""
    return models.RoleAssignment.objects.filter(user=user).select_related("place", "unit")


def place_context(*, place: models.Place, user: Any, on: datetime.date | None = None) -> dict[str, Any]:
    """What the place page shows: breadcrumbs within scope, children, units, current assignments."""
    day = on or timezone.localdate()
    return {
        "place": place,
        "ancestors": models.Place.objects.get_ancestors(place).visible_to(user),
        "children": models.Place.objects.get_children(place).visible_to(user),
        "units": unit_list(user=user).filter(place=place),
        "contact_leaders": models.ContactLeaderAssignment.objects.visible_to(user)
        .current_on(day)
        .filter(county=place)
        .select_related("person"),
        "group_leader_units": models.GroupLeaderAssignment.objects.visible_to(user)
        .current_on(day)
        .filter(county=place)
        .select_related("unit"),
        "assisting_units": models.AssistanceAssignment.objects.visible_to(user)
        .current_on(day)
        .filter(village=place)
        .select_related("unit"),
        "posts": models.Post.objects.visible_to(user).current_on(day).filter(place=place).select_related("person"),
        "leading_groups": models.LeadingGroup.objects.visible_to(user).filter(place=place),
    }


def catalogue_tiers(*, document: models.Document | None = None) -> QuerySet[models.Tier]:
    """Tiers of the catalogue in force (or of ``document``), with duties, rules and escalations."""
    document = document or models.Document.objects.order_by("-in_force_from").first()
    return (
        models.Tier.objects.filter(document=document)
        .order_by("code")
        .prefetch_related(
            Prefetch("duties", queryset=models.Duty.objects.order_by("code")),
            Prefetch("rules", queryset=models.Rule.objects.order_by("code").select_related("duty")),
            Prefetch(
                "escalations",
                queryset=models.Escalation.objects.order_by("code").prefetch_related("actions", "triggers"),
            ),
        )
    )


def units_referenceable(*, user: Any) -> QuerySet[models.Unit]:
    """Units a user may name in a record: those in scope, and those holding an assignment in scope (a
    provincial group-leader or assisting unit of a county's villages, seen by that county's staff)."""
    return models.Unit.objects.filter(
        Q(pk__in=models.Unit.objects.visible_to(user).values("pk"))
        | Q(pk__in=models.GroupLeaderAssignment.objects.visible_to(user).values("unit"))
        | Q(pk__in=models.AssistanceAssignment.objects.visible_to(user).values("unit"))
    )


def places_referenceable(*, user: Any, unit: models.Unit | None = None) -> QuerySet[models.Place]:
    """Places a user may name in a record: those in scope and, for a unit in scope, the counties it leads
    as group-leader unit and the villages it assists (a liaison has a unit, not a place)."""
    condition = Q(pk__in=models.Place.objects.visible_to(user).values("pk"))
    if unit is not None and models.Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        condition |= Q(pk__in=models.GroupLeaderAssignment.objects.filter(unit=unit).values("county"))
        condition |= Q(pk__in=models.AssistanceAssignment.objects.filter(unit=unit).values("village"))
    return models.Place.objects.filter(condition)


#: More ways a person belongs to a user's scope, registered by the apps that own them (a cadre stationed
#: in a village of the scope, a helper paired with a household of it): each maps a user to a queryset of
#: person ids. Lower apps register here, so ``tiers`` imports none of them.
PERSON_SOURCES: list[Callable[[Any], QuerySet]] = []


def persons_referenceable(*, user: Any) -> QuerySet[models.Person]:
    """People a user may name in a record: those of units in scope, those holding a post, a contact-leader
    assignment or a leading-group seat in scope (a provincial leader linked to the county), and those of
    ``PERSON_SOURCES`` (stationed cadres, helpers)."""
    condition = (
        Q(pk__in=models.Person.objects.visible_to(user).values("pk"))
        | Q(pk__in=models.Post.objects.visible_to(user).values("person"))
        | Q(pk__in=models.ContactLeaderAssignment.objects.visible_to(user).values("person"))
        | Q(pk__in=models.LeadingGroupMember.objects.visible_to(user).values("person"))
    )
    for source in PERSON_SOURCES:
        condition |= Q(pk__in=source(user))
    return models.Person.objects.filter(condition)

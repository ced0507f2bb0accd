"""Reads of the tiers app. Every function takes ``user=`` where scope applies and returns querysets."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
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

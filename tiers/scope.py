"""One choke point for scope: ``Model.objects.visible_to(user)``.

A role is granted on a place (a subtree of the organisation tree) or on a unit, as a django-guardian
object permission named after the role (``tiers.role_county_staff`` on a county,
``tiers.role_unit_liaison`` on a unit, …): a handful of rows per user. Any role permission on a
node puts its subtree in scope. A
queryset is restricted in SQL with ``EXISTS`` subqueries over those grants, matching a row's place
path against each granted path as a prefix (the materialised path of django-treebeard), never with
a Python list of ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ROLE_PREFIX = "role_"


def _grants(model_name: str, user: Any) -> tuple[models.QuerySet, models.QuerySet]:
    """The user's own and their groups' role grants on places or units."""
    from django.apps import apps

    user_perms = apps.get_model("tiers", f"{model_name}UserObjectPermission").objects.filter(
        user=user, permission__codename__startswith=ROLE_PREFIX
    )
    group_perms = apps.get_model("tiers", f"{model_name}GroupObjectPermission").objects.filter(
        group__user=user, permission__codename__startswith=ROLE_PREFIX
    )
    return user_perms, group_perms


def place_scope_q(user: Any, path_lookup: str) -> Q:
    """Rows whose place path (at ``path_lookup``) lies in a subtree granted to ``user``."""
    condition = Q()
    for grants in _grants("Place", user):
        prefix = Substr(OuterRef(path_lookup), 1, Length("content_object__path"))
        condition |= Q(Exists(grants.filter(content_object__path=prefix)))
    return condition


def unit_scope_q(user: Any, unit_lookup: str) -> Q:
    """Rows whose unit (at ``unit_lookup``) was granted to ``user``."""
    condition = Q()
    for grants in _grants("Unit", user):
        condition |= Q(Exists(grants.filter(content_object=OuterRef(unit_lookup))))
    return condition


def sees_everything(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Superusers see the whole province without grants."""
    return bool(user.is_active and user.is_superuser)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows sit in the hierarchy.

    Subclasses name the lookups: ``scope_place_paths`` (paths of the places a row belongs to) and
    ``scope_units`` (units a row belongs to). A row is visible when any of them is in scope.
    """

    scope_place_paths: tuple[str, ...] = ()
    scope_units: tuple[str, ...] = ()

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ScopedQuerySet:
        """Restrict to what ``user`` may see. Anonymous or inactive users see nothing."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        condition = Q(pk__in=[])
        for lookup in self.scope_place_paths:
            condition |= place_scope_q(user, lookup)
        for lookup in self.scope_units:
            condition |= unit_scope_q(user, lookup)
        return self.filter(condition)

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

import functools
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Substr
from django.db.models.lookups import In

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


def granted_place_paths(user: Any) -> models.QuerySet:
    """Paths of the places on which the user (or a group of theirs) holds a role: a subquery."""
    user_grants, group_grants = _grants("Place", user)
    return user_grants.values("content_object__path").union(group_grants.values("content_object__path"))


def place_scope_q(user: Any, path_lookup: str) -> Q:
    """Rows whose place path (at ``path_lookup``) lies in a subtree granted to ``user``.

    A row is in scope when one of its ancestors-or-self is granted, i.e. when the prefix of its
    path at some depth is a granted path. With a fixed step per level (treebeard's ``steplen``)
    that is one uncorrelated ``IN (granted paths)`` test per depth: PostgreSQL evaluates the
    subquery once, as a hashed subplan, instead of once per row.
    """
    from tiers.models import Place

    granted = granted_place_paths(user)
    condition = Q()
    for depth in range(1, Place.MAX_DEPTH + 1):
        prefix = Substr(F(path_lookup), 1, depth * Place.steplen)
        condition |= Q(In(prefix, granted))
    return condition


def unit_scope_q(user: Any, unit_lookup: str) -> Q:
    """Rows whose unit (at ``unit_lookup``) was granted to ``user``: one uncorrelated subquery."""
    user_grants, group_grants = _grants("Unit", user)
    granted = user_grants.values("content_object").union(group_grants.values("content_object"))
    return Q(**{f"{unit_lookup}__in": granted})


def dated_unit_scope_q(user: Any, assignment_lookup: str) -> Q:
    """Rows reached through a dated assignment of a granted unit that is in force today."""
    from django.utils import timezone

    today = timezone.localdate()
    return (
        unit_scope_q(user, f"{assignment_lookup}__unit")
        & Q(**{f"{assignment_lookup}__start__lte": today})
        & (Q(**{f"{assignment_lookup}__end__isnull": True}) | Q(**{f"{assignment_lookup}__end__gte": today}))
    )


def crosses_many(model: type[models.Model], lookup: str) -> bool:
    """Whether ``lookup`` follows a reverse or many-to-many relation (a join that repeats rows)."""
    for name in lookup.split(LOOKUP_SEP):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


def sees_everything(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Superusers see the whole province without grants."""
    return bool(user.is_active and user.is_superuser)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows sit in the hierarchy.

    Subclasses name the lookups: ``scope_place_paths`` (paths of the places a row belongs to),
    ``scope_units`` (units a row belongs to) and ``scope_persons`` (people a row belongs to: a user
    linked to one of them sees the row, e.g. a helper their own households). A row is visible when
    any of them is in scope.
    """

    scope_place_paths: tuple[str, ...] = ()
    scope_units: tuple[str, ...] = ()
    scope_persons: tuple[str, ...] = ()
    #: Dated assignments through which a granted unit sees a row only while they are in force today:
    #: ``"village__assisting_units"`` means the unit at ``village__assisting_units__unit``, dated by that
    #: row's ``start`` and ``end`` (a unit no longer assisting a village stops seeing its households).
    scope_dated_units: tuple[str, ...] = ()

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ScopedQuerySet:
        """Restrict to what ``user`` may see. Anonymous or inactive users see nothing."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self.all()
        # Only the kinds of scope the user has: a helper (no grants) gets the one condition on their own
        # rows, which PostgreSQL answers from an index. ORing in empty grant subqueries over a join made
        # it filter the join row by row: 3.4 s for a helper's households at a tenth of a province.
        places, units, persons = scope_kinds(user)
        pairs = [(lookup, place_scope_q(user, lookup)) for lookup in self.scope_place_paths if places]
        pairs += [(lookup, unit_scope_q(user, lookup)) for lookup in self.scope_units if units]
        pairs += [(lookup, dated_unit_scope_q(user, lookup)) for lookup in self.scope_dated_units if units]
        pairs += [(lookup, Q(**{f"{lookup}__user": user})) for lookup in self.scope_persons if persons]
        condition = Q(pk__in=[])
        for lookup, q in pairs:
            if crosses_many(self.model, lookup):
                # Through a reverse relation: a subquery of primary keys, so no row appears twice.
                q = Q(pk__in=self.model._default_manager.filter(q).values("pk"))
            condition |= q
        return self.filter(condition)


def scope_kinds(user: Any) -> tuple[bool, bool, bool]:
    """Whether the user holds role grants on places, on units, and is linked to a person: one query,
    kept on the user object (as Django keeps its permission cache there; ``role_grant`` and
    ``role_revoke`` clear it)."""
    cached = getattr(user, "_scope_kinds", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_scope_kinds_sql(), {"user": user.pk, "prefix": ROLE_PREFIX.replace("_", "\\_") + "%"})
            cached = tuple(bool(value) for value in cursor.fetchone())
        user._scope_kinds = cached
    return cached


@functools.cache
def _scope_kinds_sql() -> str:
    """The statement of ``scope_kinds``, written once from the models' tables. Every request reads it, and
    composing the same ``Exists`` annotations with the ORM cost 2.7 ms of CPU a request, the statement 0.1 ms."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    def table(model: type[models.Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    permission = table(Permission)
    memberships = table(get_user_model().groups.through)
    person = table(apps.get_model("tiers", "Person"))

    def granted(model_name: str) -> str:
        on_user = table(apps.get_model("tiers", f"{model_name}UserObjectPermission"))
        on_group = table(apps.get_model("tiers", f"{model_name}GroupObjectPermission"))
        return (
            f"(EXISTS (SELECT 1 FROM {on_user} g JOIN {permission} p ON p.id = g.permission_id"
            f" WHERE g.user_id = %(user)s AND p.codename LIKE %(prefix)s ESCAPE '\\')"
            f" OR EXISTS (SELECT 1 FROM {on_group} g JOIN {permission} p ON p.id = g.permission_id"
            f" JOIN {memberships} m ON m.group_id = g.group_id"
            f" WHERE m.user_id = %(user)s AND p.codename LIKE %(prefix)s ESCAPE '\\'))"
        )

    return f"SELECT {granted('Place')}, {granted('Unit')}, EXISTS (SELECT 1 FROM {person} WHERE user_id = %(user)s)"


def scope_kinds_clear(user: Any) -> None:
    """Forget the user's cached kinds of scope (after a grant or a revocation)."""
    user.__dict__.pop("_scope_kinds", None)


def scoped_choices(model: type[models.Model], user: Any) -> models.QuerySet | None:
    """What ``user`` may point a relation to ``model`` at: the rows in their scope for a scoped model, every
    login only for those who may link logins to people (administrators), ``None`` for an unscoped model
    (the catalogue)."""
    from django.contrib.auth import get_user_model

    if model is get_user_model():
        return model._default_manager.all() if may_link_logins(user) else model._default_manager.none()
    queryset = model._default_manager.all()
    return queryset.visible_to(user) if isinstance(queryset, ScopedQuerySet) else None


def may_link_logins(user: Any) -> bool:
    """Linking a login to a person (and so giving it that person's scope) is an administrator's act."""
    return bool(user.is_active and (user.is_superuser or user.has_perm("auth.change_user")))


def references_out_of_scope(user: Any, obj: models.Model, *, fields: list[str] | None = None) -> list[str]:
    """The names of ``obj``'s foreign keys that point at a row ``user`` may not reference (outside their
    scope, or a login they may not link). Unchanged references of a saved row are not re-judged."""
    saved = type(obj)._default_manager.filter(pk=obj.pk).values().first() if obj.pk else None
    refused = []
    for field in obj._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one) or (fields is not None and field.name not in fields):
            continue
        value = getattr(obj, field.attname)
        if value is None or (saved is not None and saved.get(field.attname) == value):
            continue
        choices = scoped_choices(field.related_model, user)
        if choices is not None and not choices.filter(pk=value).exists():
            refused.append(field.name)
    return refused

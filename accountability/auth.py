"""Login and permission helpers (issue 10)."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import backends as auth_backends
from django.db import connection

#: The longest username Django's user model allows.
USERNAME_LENGTH = 150


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """The username django-axes counts failed logins for: as typed, cut to what a username can be.

    Axes stores it in a 255-character column; a longer one typed into the login form was a 500."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:USERNAME_LENGTH]


class ModelBackend(auth_backends.ModelBackend):
    """Django's model backend, with a user's own and their groups' permissions read in one query.

    Every page asks for them (the menu shows what the user may open); Django's backend reads the two
    sets with two ORM queries, and composing them cost more than running them. The set is kept on the
    user object for the request, as Django keeps it; a superuser's is Django's own."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), {"user": user_obj.pk})
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
        return user_obj._perm_cache


@functools.cache
def _permissions_sql() -> str:
    """The statement of ``ModelBackend.get_all_permissions``, written once from the models' tables."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    user_model = get_user_model()
    return (
        f"SELECT ct.app_label, p.codename FROM {table(Permission)} p"
        f" JOIN {table(ContentType)} ct ON ct.id = p.content_type_id WHERE p.id IN ("
        f"SELECT permission_id FROM {table(user_model.user_permissions.through)} WHERE user_id = %(user)s"
        f" UNION SELECT gp.permission_id FROM {table(Group.permissions.through)} gp"
        f" JOIN {table(user_model.groups.through)} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %(user)s)"
    )

"""Login and permission helpers (issue 10); the client's address behind a proxy and the password reset
(issue 17)."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import backends as auth_backends
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse

from accountability.messages import Msg

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


# --- the client's address ---------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, as far as ``settings.PROXY_COUNT`` reverse proxies of ours tell it.

    Without a proxy (0) it is the peer's address, whatever X-Forwarded-For says: the header is anyone's to
    write. Behind N proxies, each appending the address it saw, the Nth entry from the right of
    X-Forwarded-For is the client our outermost proxy saw; what the client itself put to its left is never
    read, so a forged header cannot make one client look like another (django-axes locks out a username
    from an address, ``AXES_LOCKOUT_PARAMETERS``). A header shorter than N, or an entry that is no
    address, falls back to the peer's address."""
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "PROXY_COUNT", 0))
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


# --- password reset -----------------------------------------------------------------------------------


def password_reset_enabled() -> bool:
    """Reset by e-mail only where mail can be sent: ``EMAIL_HOST`` is configured."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


def password_reset_allowed(*, email: str, ip: str | None) -> bool:
    """Count a reset request for ``email`` and for the client ``ip``; False once either has made more than
    ``PASSWORD_RESET_LIMIT`` within the hour (the counters live in the default cache)."""
    limit = int(getattr(settings, "PASSWORD_RESET_LIMIT", 5))
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    allowed = True
    for key in (f"password-reset:email:{digest}", f"password-reset:ip:{ip or '-'}"):
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, count := 1, timeout=3600)
        allowed = allowed and count <= limit
    return allowed


class MailRequired:
    """A view of the password reset: 404 unless mail is configured (``password_reset_enabled``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_reset_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class PasswordResetView(MailRequired, auth_views.PasswordResetView):
    """Django's reset request, limited per address and per client (``password_reset_allowed``)."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not password_reset_allowed(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            form.add_error(None, Msg.PASSWORD_RESET_LIMIT)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(MailRequired, auth_views.PasswordResetDoneView):
    """Django's page after a reset request, where reset is enabled."""


class PasswordResetConfirmView(MailRequired, auth_views.PasswordResetConfirmView):
    """Django's new-password page of a reset link, where reset is enabled."""


class PasswordResetCompleteView(MailRequired, auth_views.PasswordResetCompleteView):
    """Django's page after a new password is set, where reset is enabled."""

"""Login helpers (issue 10)."""

from __future__ import annotations

from typing import Any

#: The longest username Django's user model allows.
USERNAME_LENGTH = 150


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """The username django-axes counts failed logins for: as typed, cut to what a username can be.

    Axes stores it in a 255-character column; a longer one typed into the login form was a 500."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:USERNAME_LENGTH]

"""``{% own_duties as duties %}``: the signed-in user's own duties, for the home page.

The home page is the tiers app's view, and tiers never imports ``accountability`` (lower apps do
not depend on the engines). The page's template, which belongs to the project, asks for the section
through this tag instead, so the view and its dependencies stay as they are.
"""

from __future__ import annotations

from typing import Any

from django import template

from accountability.dashboards import duties

register = template.Library()


@register.simple_tag(takes_context=True)
def own_duties(context: template.Context) -> list[duties.Duty]:
    """The duties of the user of the request being rendered (none without a request or a login)."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    return duties.own_duties(user=user) if user is not None else []

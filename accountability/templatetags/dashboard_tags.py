"""Template helpers of the dashboards: links that keep the page's filters, and rates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with ``changes`` applied (a value of None or "" removes the key), so an
    export link downloads the table filtered as shown: ``?{% query format="xlsx" table="children" %}``."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def band(rate: float | None) -> str:
    """A CSS class for a compliance rate: good (≥ 95 %), fair (≥ 80 %), poor, or none."""
    if rate is None:
        return "rate-none"
    if rate >= 0.95:
        return "rate-good"
    return "rate-fair" if rate >= 0.8 else "rate-poor"


@register.simple_tag
def standing_cells(standing: Any) -> SafeString:
    """The four cells of a standing (rate, checks due, violations with severe ones, warnings): one call
    per table row instead of an included template."""
    severe = format_html(' <span class="muted">({})</span>', standing.severe) if standing.severe else ""
    return format_html(
        '<td class="num {}">{}</td><td class="num">{}</td><td class="num">{}{}</td><td class="num">{}</td>',
        band(standing.rate),
        standing.percent,
        standing.checked,
        standing.violations,
        severe,
        standing.at_risk,
    )

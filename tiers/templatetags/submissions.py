"""``{% submission_token %}``: the hidden one-time token of a create form (``tiers.submissions``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tiers.submissions import FIELD, new_token

register = template.Library()


@register.simple_tag
def submission_token() -> SafeString:
    """A hidden input with a fresh token: each rendering of the form is one submission."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())

"""Small helpers shared by the pages of every app."""

from __future__ import annotations

import datetime

from django.http import HttpRequest

from tiers.validators import FIRST_YEAR  # the first year the product accepts in ``?year=``

__all__ = ["FIRST_YEAR", "year_param"]


def year_param(request: HttpRequest, today: datetime.date) -> int:
    """The year asked for in ``?year=``, this year by default or when the value is not a year we keep."""
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if FIRST_YEAR <= year <= today.year else today.year

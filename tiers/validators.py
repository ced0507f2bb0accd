"""Input rules every app shares, in one place: the bounds of the dates people enter and what a code's
digits may be (issue 17).

* A date of a record of the past (a visit, a deed, a duty day, a meeting, an incident, …) lies between
  ``CAMPAIGN_START`` and today; a date that may be ahead (the end of an insurance cover, of a period
  under review) only has the lower bound. ``0001-01-01`` typed by mistake or by a script is refused with
  a message naming the field, not stored to skew the figures.
* A code made of digits (a division code, a year) is ASCII digits only: ``str.isdigit`` also accepts
  full-width (６２０１２３) and Arabic-Indic (٦٢٠) digits, which look like a code and match nothing.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tiers.messages import Msg

#: The first day of 精准扶贫 (targeted poverty alleviation, 2013): no record of the campaign is older.
CAMPAIGN_START = datetime.date(2013, 1, 1)
#: The first year a record, a rating or a ``?year=`` may be about.
FIRST_YEAR = CAMPAIGN_START.year

_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of the digits 0–9 (and nothing else: no full-width or other digits)."""
    return bool(_ASCII_DIGITS.fullmatch(text))


def date_error(
    value: datetime.date | None, *, label: Any, future: bool = False, today: datetime.date | None = None
) -> ValidationError | None:
    """Why ``value`` is not a date a record may have (None when it may): before ``CAMPAIGN_START``, or —
    unless ``future`` — after today. ``label`` names the field in the message (its verbose name)."""
    if not isinstance(value, datetime.date):
        return None  # missing or unparsable: the field's own validation says so
    if value < CAMPAIGN_START:
        return ValidationError(
            Msg.DATE_BEFORE_CAMPAIGN,
            code="date_before_campaign",
            params={"field": label, "start": f"{CAMPAIGN_START:%Y-%m-%d}"},
        )
    today = today or timezone.localdate()
    if not future and value > today:
        return ValidationError(
            Msg.DATE_IN_FUTURE, code="date_in_future", params={"field": label, "today": f"{today:%Y-%m-%d}"}
        )
    return None


def year_error(value: int | None, *, label: Any, today: datetime.date | None = None) -> ValidationError | None:
    """Why ``value`` is not a year a record may be about (None when it may): before ``FIRST_YEAR`` or after
    this year."""
    if not isinstance(value, int):
        return None
    this_year = (today or timezone.localdate()).year
    if FIRST_YEAR <= value <= this_year:
        return None
    return ValidationError(
        Msg.YEAR_OUT_OF_RANGE, code="year_out_of_range", params={"field": label, "first": FIRST_YEAR, "last": this_year}
    )


def record_date_errors(instance: Any, *names: str, future: tuple[str, ...] = ()) -> dict[str, ValidationError]:
    """For a model's ``clean()``: the errors of its date fields ``names`` (and ``future``, which may be
    ahead of today), keyed by field, each message naming the field by its verbose name."""
    errors: dict[str, ValidationError] = {}
    today = timezone.localdate()
    for name in (*names, *future):
        label = instance._meta.get_field(name).verbose_name
        error = date_error(getattr(instance, name), label=label, future=name in future, today=today)
        if error is not None:
            errors[name] = error
    return errors


def validate_record_date(value: datetime.date | None, *, field: str, label: Any, future: bool = False) -> None:
    """Raise ``ValidationError({field: …})`` when ``value`` is out of bounds (see ``date_error``); for a
    service that checks a date before building its record."""
    if (error := date_error(value, label=label, future=future)) is not None:
        raise ValidationError({field: error})

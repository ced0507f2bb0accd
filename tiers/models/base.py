"""Shared model pieces: dated assignments."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiers.messages import Msg


class DatedQuerySet(models.QuerySet):
    """Querysets of records valid from ``start`` to ``end`` (inclusive; open-ended when ``end`` is null)."""

    def current_on(self, day: datetime.date) -> "DatedQuerySet":
        """Rows in force on ``day``."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> "DatedQuerySet":
        """Rows whose validity overlaps [start, end]."""
        qs = self.filter(Q(end__isnull=True) | Q(end__gte=start))
        return qs if end is None else qs.filter(start__lte=end)


class Dated(models.Model):
    """A record valid from ``start`` to ``end`` (inclusive). History is kept by ending, not overwriting."""

    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean_dates(self) -> dict[str, str]:
        """Errors of the date range, keyed by field."""
        if self.start and self.end and self.end < self.start:
            return {"end": Msg.DATES_ORDER}
        return {}

    def overlaps(self, other: "Dated") -> bool:
        """True when this row's validity and ``other``'s share a day."""
        last = datetime.date.max
        return self.start <= (other.end or last) and other.start <= (self.end or last)

    def clean_overlap(self, same: models.QuerySet) -> dict[str, ValidationError]:
        """Error when another row of ``same`` (the rows that may not overlap this one) overlaps it."""
        if not self.start:
            return {}
        other = same.exclude(pk=self.pk).overlapping(self.start, self.end).first()
        if other is None:
            return {}
        return {"__all__": ValidationError(Msg.OVERLAP, params={"other": str(other)})}

"""Calendar periods of the rules: year, half, quarter, month (and a point in time)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from tiers.choices import Period as PeriodKind

_MONTHS = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}


@dataclass(frozen=True)
class Period:
    """One period of a kind, e.g. the second quarter of 2019: ``Period("quarter", 2019, 2)``."""

    kind: str
    year: int
    index: int = 1
    #: Count records only up to this day (an evaluation of an open period as of a date); None: the end.
    until: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in _MONTHS:
            raise ValueError(f"not a calendar period kind: {self.kind}")
        if not 1 <= self.index <= 12 // _MONTHS[self.kind]:
            raise ValueError(f"{self.kind} {self.year} has no period {self.index}")

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, (self.index - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> datetime.date:
        month = self.index * _MONTHS[self.kind]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def records_end(self) -> datetime.date:
        """The last day whose records count: the period's end, or ``until`` when that is earlier."""
        return min(self.end, self.until) if self.until else self.end

    def cut(self, until: datetime.date) -> Period:
        """The same period, counting records only up to ``until`` (an open period as of a date)."""
        return Period(self.kind, self.year, self.index, until)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        labels = {
            PeriodKind.YEAR: f"{self.year}年",
            PeriodKind.HALF: f"{self.year}年{'上' if self.index == 1 else '下'}半年",
            PeriodKind.QUARTER: f"{self.year}年第{self.index}季度",
            PeriodKind.MONTH: f"{self.year}年{self.index}月",
        }
        return labels[self.kind]

    @classmethod
    def of_year(cls, kind: str, year: int) -> list[Period]:
        """All periods of ``kind`` in ``year``, in order."""
        return [cls(kind, year, i) for i in range(1, 12 // _MONTHS[kind] + 1)]

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        return cls(kind, day.year, (day.month - 1) // _MONTHS[kind] + 1)

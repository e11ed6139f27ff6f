"""The metric layer: every figure the dashboard, briefs, exports and CLI show is defined here once.

Each function takes a DuckDB connection, the period (start, end] whose end is the cut-off date, and
optionally an entity; it returns exact figures as a typed Polars frame. Suppression is applied by the
caller for the viewer's role (the release, `psea.disclosure`), never here, so that every output suppresses alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from psea.calendar.quarters import quarter_start, years_before

__all__ = ["Period", "last_complete_quarters", "quarter_start", "years_before"]


@dataclass(frozen=True)
class Period:
    """The half-open period (start, end]. The data are taken as of `cutoff`, by default the
    period's end; a previous period for comparison keeps the current cut-off, so both periods are
    counted as the data stand now (a later snapshot is not ignored for the earlier period)."""

    start: dt.date
    end: dt.date
    cutoff: dt.date | None = field(default=None, compare=False)

    @property
    def as_of(self) -> dt.date:
        return self.cutoff or self.end

    @property
    def params(self) -> dict:
        return {"start": self.start, "end": self.end, "cutoff": self.as_of}

    def previous(self) -> Period:
        """The previous period of equal length, as of this period's cut-off: the previous
        calendar quarter or year for a quarter or a year, else the same number of days."""
        months = _whole_months(self.start, self.end)
        if months in (3, 12):
            return Period(_month_end_before(self.start, months), self.start, self.as_of)
        length = self.end - self.start
        return Period(self.start - length, self.start, self.as_of)

    def year_earlier(self) -> Period:
        """The same dates a year earlier, as of this period's cut-off (like with like)."""
        return Period(years_before(self.start, 1), years_before(self.end, 1), self.as_of)

    @property
    def quarters(self) -> float:
        """The period's length in calendar quarters (a count per quarter divides by it)."""
        months = _whole_months(self.start, self.end)
        return months / 3 if months is not None else (self.end - self.start).days / 91.3125

    @property
    def label(self) -> str:
        return f"{(self.start + dt.timedelta(days=1)).isoformat()} to {self.end.isoformat()}"

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        first = dt.date(year, 3 * q - 2, 1)
        last = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
        return cls(first - dt.timedelta(days=1), last)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def _month_end_before(day: dt.date, months: int) -> dt.date:
    """The month end `months` months before the month end `day`."""
    index = day.year * 12 + day.month - 1 - months
    first_of_next = dt.date(index // 12, index % 12 + 1, 1) + dt.timedelta(days=32)
    return first_of_next.replace(day=1) - dt.timedelta(days=1)


def _whole_months(start: dt.date, end: dt.date) -> int | None:
    """The number of months between two month ends, or None."""
    if not (_is_month_end(start) and _is_month_end(end)):
        return None
    return (end.year - start.year) * 12 + end.month - start.month


def last_complete_quarters(cutoff: dt.date, n: int) -> list[Period]:
    """The n complete calendar quarters up to the cut-off, latest first (a quarter ending on the
    cut-off is complete)."""
    start = quarter_start(cutoff + dt.timedelta(days=1))
    out = []
    for _ in range(n):
        end = start - dt.timedelta(days=1)
        start = quarter_start(end)
        out.append(Period(start - dt.timedelta(days=1), end))
    return out

"""The metric layer: every figure the dashboard, briefs, exports and CLI show is defined here once.

Each function takes a DuckDB connection, the period (start, end] whose end is the cut-off date, and
optionally an entity; it returns exact figures as a typed Polars frame. Suppression is applied by the
caller for the viewer's role (`psea.privacy`), never here, so that every output suppresses alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter holding `day`."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for a 29 February without one)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Period:
    """The half-open period (start, end]; `end` is the cut-off date."""

    start: dt.date
    end: dt.date

    @property
    def params(self) -> dict:
        return {"start": self.start, "end": self.end}

    def previous(self) -> Period:
        """The previous period of equal length."""
        length = self.end - self.start
        return Period(self.start - length, self.start)

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

"""The quarter grid (docs/disclosure.md, "The grid"): the only periods of case figures for roles without
exact access. A year is the sum of its quarters; an SFP meeting's period is the complete quarters
that end after the previous meeting's date and on or before the meeting's date, so each quarter is
reported at exactly one meeting; the comparison for a period is the grid period before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psea.calendar.quarters import quarter_start
from psea.metrics import Period

FIRST_MEETING_LOOKBACK_QUARTERS = 4  # the first meeting on record has no previous one
STOCK = "cut-off"  # the period of figures counted at the cut-off, not over a period (open cases)


def quarter_key(first_day: dt.date) -> str:
    return f"{first_day.year}Q{(first_day.month - 1) // 3 + 1}"


def quarter_end(first_day: dt.date) -> dt.date:
    index = first_day.year * 4 + (first_day.month - 1) // 3 + 1
    return dt.date(index // 4, (index % 4) * 3 + 1, 1) - dt.timedelta(days=1)


def quarter_first_day(key: str) -> dt.date:
    return dt.date(int(key[:4]), 3 * int(key[5]) - 2, 1)


def next_quarter(first_day: dt.date) -> dt.date:
    return quarter_end(first_day) + dt.timedelta(days=1)


def quarters_between(first: dt.date, last: dt.date) -> list[str]:
    """Quarter keys from the quarter starting `first` to the one starting `last`, inclusive."""
    out, day = [], quarter_start(first)
    while day <= last:
        out.append(quarter_key(day))
        day = next_quarter(day)
    return out


def last_complete_quarter(on: dt.date) -> dt.date:
    """The first day of the last quarter that has ended on or before `on`."""
    if quarter_end(quarter_start(on)) == on:
        return quarter_start(on)
    return quarter_start(quarter_start(on) - dt.timedelta(days=1))


@dataclass(frozen=True)
class GridPeriod:
    key: str  # "2018Q2", "2018", "M2018-04-17"
    kind: str  # quarter | year | meeting
    quarters: tuple[str, ...]
    label: str

    @property
    def period(self) -> Period:
        """The same interval as a metric-layer period (start, end]."""
        first = quarter_first_day(self.quarters[0])
        return Period(
            first - dt.timedelta(days=1), quarter_end(quarter_first_day(self.quarters[-1]))
        )

    @property
    def end(self) -> dt.date:
        return self.period.end


def quarter(key: str) -> GridPeriod:
    return GridPeriod(key, "quarter", (key,), f"{key[:4]} Q{key[5]}")


def year(y: int) -> GridPeriod:
    return GridPeriod(str(y), "year", tuple(f"{y}Q{q}" for q in range(1, 5)), f"Year {y}")


def meeting_quarters(meeting: dt.date, previous: dt.date | None) -> tuple[str, ...]:
    """The complete quarters ending after the previous meeting and on or before this one."""
    last = last_complete_quarter(meeting)
    if previous is None:
        first = last
        for _ in range(FIRST_MEETING_LOOKBACK_QUARTERS - 1):
            first = quarter_start(first - dt.timedelta(days=1))
    else:
        first = quarter_start(previous)  # the quarter holding the previous meeting ends after it
        if quarter_end(first) == previous:
            first = next_quarter(first)
    return tuple(quarters_between(first, last)) if first <= last else ()


def meeting(meeting_date: dt.date, calendar: list[dt.date]) -> GridPeriod:
    """The grid period of a meeting; a date outside the calendar gets the calendar rule's quarters
    (those since the previous calendar meeting)."""
    earlier = [d for d in calendar if d < meeting_date]
    quarters = meeting_quarters(meeting_date, max(earlier) if earlier else None)
    label = f"Meeting of {meeting_date.isoformat()}" + (
        f" ({quarters[0][:4]} Q{quarters[0][5]} to {quarters[-1][:4]} Q{quarters[-1][5]})"
        if quarters
        else " (no complete quarter)"
    )
    return GridPeriod(f"M{meeting_date.isoformat()}", "meeting", quarters, label)


def meeting_periods(calendar: list[dt.date]) -> list[GridPeriod]:
    """Every calendar meeting with at least one quarter, oldest first."""
    out = [meeting(d, calendar) for d in sorted(calendar)]
    return [p for p in out if p.quarters]


def previous(period: GridPeriod, calendar: list[dt.date]) -> GridPeriod | None:
    """The grid period before this one: the previous quarter, year or meeting period."""
    if period.kind == "quarter":
        first = quarter_first_day(period.key)
        return quarter(quarter_key(quarter_start(first - dt.timedelta(days=1))))
    if period.kind == "year":
        return year(int(period.key) - 1)
    day = dt.date.fromisoformat(period.key[1:])
    earlier = [p for p in meeting_periods(calendar) if dt.date.fromisoformat(p.key[1:]) < day]
    return earlier[-1] if earlier else None

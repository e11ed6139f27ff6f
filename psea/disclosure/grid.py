"""The quarter grid (docs/disclosure.md, "The grid"): the only periods of case figures for roles without
exact access. A year is the sum of its quarters; an SFP meeting's period is the complete quarters
that end after the previous meeting's date and on or before the meeting's date, so each quarter is
reported at exactly one meeting (at most the last four when the previous meeting is further back;
a meeting recorded to the month only counts the quarters complete before that month); the
comparison for a period is the grid period before it, per quarter, and the same quarters a year
earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psea.calendar.quarters import quarter_start
from psea.metrics import Period

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
    key: str  # "2018Q2", "2018", "M2018-04-17", "S2025Q4-2026Q3"
    kind: str  # quarter | year | meeting | span
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


MAX_MEETING_QUARTERS = 4  # a meeting long after the previous one reports the last 4 quarters


def effective_day(meeting: dt.date, month_only: frozenset[dt.date] = frozenset()) -> dt.date:
    """The day a meeting's data are read at: the meeting's own date, or for a meeting recorded to
    the month only ("September 2016, day not recorded") the day before that month began, so it
    counts the quarters complete before the month."""
    return meeting.replace(day=1) - dt.timedelta(days=1) if meeting in month_only else meeting


def meeting_quarters(meeting: dt.date, previous: dt.date | None) -> tuple[str, ...]:
    """The complete quarters ending after the previous meeting and on or before this one, at most
    the last MAX_MEETING_QUARTERS (the first meeting on record, or one long after the previous)."""
    last = last_complete_quarter(meeting)
    earliest = last
    for _ in range(MAX_MEETING_QUARTERS - 1):
        earliest = quarter_start(earliest - dt.timedelta(days=1))
    if previous is None:
        first = earliest
    else:
        first = quarter_start(previous)  # the quarter holding the previous meeting ends after it
        if quarter_end(first) == previous:
            first = next_quarter(first)
        first = max(first, earliest)
    return tuple(quarters_between(first, last)) if first <= last else ()


def capped(meeting: dt.date, previous: dt.date | None) -> bool:
    """Whether the meeting's period was cut to the last MAX_MEETING_QUARTERS quarters (the front
    page says so): the quarters since the previous meeting are more."""
    if previous is None:
        return False
    first = quarter_start(previous)
    if quarter_end(first) == previous:
        first = next_quarter(first)
    return len(quarters_between(first, last_complete_quarter(meeting))) > MAX_MEETING_QUARTERS


def _label(key: str, quarters: tuple[str, ...]) -> str:
    if not quarters:
        return f"{key} (no complete quarter)"
    return f"{key} ({quarters[0][:4]} Q{quarters[0][5]} to {quarters[-1][:4]} Q{quarters[-1][5]})"


def meeting(
    meeting_date: dt.date, calendar: list[dt.date], month_only: frozenset[dt.date] = frozenset()
) -> GridPeriod:
    """The grid period of a meeting; a date outside the calendar gets the calendar rule's quarters
    (those since the previous calendar meeting, at most the last four)."""
    earlier = [d for d in calendar if d < meeting_date]
    previous = effective_day(max(earlier), month_only) if earlier else None
    quarters = meeting_quarters(effective_day(meeting_date, month_only), previous)
    return GridPeriod(
        f"M{meeting_date.isoformat()}",
        "meeting",
        quarters,
        _label(f"Meeting of {meeting_date.isoformat()}", quarters),
    )


def meeting_periods(
    calendar: list[dt.date], month_only: frozenset[dt.date] = frozenset()
) -> list[GridPeriod]:
    """Every calendar meeting with at least one quarter, oldest first."""
    out = [meeting(d, calendar, month_only) for d in sorted(calendar)]
    return [p for p in out if p.quarters]


def span(quarters: tuple[str, ...]) -> GridPeriod:
    """Consecutive quarters that are no calendar period: the quarters since the last meeting, for a
    meeting not yet in the calendar (the next one, an ad-hoc date)."""
    key = f"S{quarters[0]}-{quarters[-1]}"
    return GridPeriod(key, "span", quarters, _label("Since the last meeting", quarters))


def open_span(
    cutoff: dt.date, calendar: list[dt.date], month_only: frozenset[dt.date] = frozenset()
) -> GridPeriod | None:
    """The quarters a meeting after the cut-off would report (since the last calendar meeting read
    at the cut-off, at most the last four), when they are not a calendar meeting's own."""
    quarters = meeting(cutoff + dt.timedelta(days=1), calendar, month_only).quarters
    quarters = tuple(q for q in quarters if quarter_end(quarter_first_day(q)) <= cutoff)
    if len(quarters) < 2:  # one quarter is the quarter's own period
        return None
    if any(p.quarters == quarters for p in meeting_periods(calendar, month_only)):
        return None
    return span(quarters)


def previous(
    period: GridPeriod, calendar: list[dt.date], month_only: frozenset[dt.date] = frozenset()
) -> GridPeriod | None:
    """The grid period before this one: the previous quarter, year or meeting period (for a span,
    the last meeting period ending before its first quarter)."""
    if period.kind == "quarter":
        first = quarter_first_day(period.key)
        return quarter(quarter_key(quarter_start(first - dt.timedelta(days=1))))
    if period.kind == "year":
        return year(int(period.key) - 1)
    meetings = meeting_periods(calendar, month_only)
    if period.kind == "span":
        start = quarter_first_day(period.quarters[0])
        earlier = [p for p in meetings if quarter_first_day(p.quarters[-1]) < start]
    else:
        day = dt.date.fromisoformat(period.key[1:])
        earlier = [p for p in meetings if dt.date.fromisoformat(p.key[1:]) < day]
    return earlier[-1] if earlier else None


def year_earlier(period: GridPeriod) -> tuple[str, ...]:
    """The same quarters a year earlier (the comparison of like with like)."""
    return tuple(f"{int(q[:4]) - 1}{q[4:]}" for q in period.quarters)

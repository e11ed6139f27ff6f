"""Calendar quarters: the grid every period is built on (pure date arithmetic, no project import)."""

from __future__ import annotations

import datetime as dt


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter holding `day`."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def last_complete_quarter_end(today: dt.date | None = None) -> dt.date:
    """The end of the last calendar quarter that is over on `today` (a quarter ending today is not)."""
    return quarter_start(today or dt.date.today()) - dt.timedelta(days=1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for a 29 February without one)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)

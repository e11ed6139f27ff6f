"""The demo's story: when each entity sends its extracts, when the SFP meetings after the seed's
are held, and the events of the last two years that the meeting workspace talks about (IOM's
speak-up campaign with its new hotline, an investigation backlog in one country, a cluster of
allegations reported to UNHCR, capacity that slips in a few countries). Every date is placed
relative to the cut-off, so a demo of any end date tells the same story (docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from psea.calendar.quarters import quarter_start

# Seven quarter-end snapshots per entity, every extract alike, the first of each a full history:
# the demo's last four meetings, one every two quarters, each rest on snapshots of their own (the
# quarter end before each, the oldest six quarters back), and scale 1 still builds within its
# budget (each quarter end adds ~450k personnel rows at scale 1).
SNAPSHOT_QUARTERS = 7
LAG_QUARTERS = {"UNHCR": 1}  # sends every extract one quarter after the others
LAST_SEED_MEETING = dt.date(2018, 4, 17)
FIRST_ADDED_AFTER = dt.date(2018, 7, 1)  # the seed's spring 2018 meeting was its last
# the seed's rhythm, about two meetings a year: one in spring (the seed's were in April), one in
# autumn; each after a quarter's end, so every period is the two quarters since the last meeting
# and a brief compares like with like
SPRING, AUTUMN = ((4, 1), (5, 25)), ((10, 1), (11, 30))


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the quarter holding `day`."""
    first = quarter_start(day)
    following = dt.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def quarters_before(day: dt.date, n: int) -> dt.date:
    """The end of the quarter `n` quarters before the quarter ending `day` (n = 0: `day`)."""
    for _ in range(n):
        day = quarter_start(day) - dt.timedelta(days=1)
    return day


def snapshot_dates(entity: str, end: dt.date) -> list[dt.date]:
    """The quarter ends at which the entity sends every one of its extracts, oldest first."""
    last = quarters_before(end, LAG_QUARTERS.get(entity, 0))
    return [quarters_before(last, n) for n in reversed(range(SNAPSHOT_QUARTERS))]


@dataclass(frozen=True)
class Story:
    """The events of the demo's last two years, for the generator and the meeting workspace."""

    end: dt.date
    campaign: dt.date  # IOM's speak-up campaign and new hotline, from this day
    backlog_country: str  # IOM's investigations opened there from backlog_from take far longer
    backlog_from: dt.date
    cluster_country: str  # a cluster of allegations reported to UNHCR in one quarter
    cluster_quarter: dt.date  # its first day
    resent_as_of: dt.date  # IOM's case extract of this date is re-sent corrected
    coordinator_vacant: str = "TCD"  # country capacity that slipped over the last year
    network_lapsed: str = "LBY"

    @property
    def first_snapshot(self) -> dt.date:
        return snapshot_dates("IOM", self.end)[0]


def story(end: dt.date) -> Story:
    return Story(
        end=end,
        campaign=quarters_before(end, 6) + dt.timedelta(days=1),
        backlog_country="SSD",
        backlog_from=quarters_before(end, 5) + dt.timedelta(days=1),
        cluster_country="BGD",
        cluster_quarter=quarters_before(end, 4) + dt.timedelta(days=1),
        resent_as_of=end,
    )


def meeting_dates(seed: int, end: dt.date) -> list[dt.date]:
    """The meetings after the seed's last one: a spring and an autumn meeting each year up to the
    latest data, then the next one after it. Deterministic for the seed."""
    rng = np.random.default_rng([seed, 4])
    out: list[dt.date] = []
    if end < LAST_SEED_MEETING:  # the seed's own meetings reach past the data
        return out
    year = LAST_SEED_MEETING.year
    while not out or out[-1] <= end:
        for (m1, d1), (m2, d2) in (SPRING, AUTUMN):
            first, last = dt.date(year, m1, d1), dt.date(year, m2, d2)
            day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            if day.weekday() >= 5:  # meetings are held on working days
                day += dt.timedelta(days=7 - day.weekday())
            if day > FIRST_ADDED_AFTER and (not out or out[-1] <= end):
                out.append(day)
        year += 1
    return out

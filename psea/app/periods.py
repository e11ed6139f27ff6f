"""The periods a viewer may pick and the one a page opens on: one definition for the pages
(psea.app.context) and for the figures computed before anyone opens them (psea.app.precompute)."""

from __future__ import annotations

import datetime as dt

from psea.disclosure import grid, published
from psea.metrics import Period, catalog, last_complete_quarters


def period_choices(con, cutoff: dt.date) -> dict[str, Period]:
    """The analysts' periods: quarters, years, between SFP meetings, at any cut-off; a page opens
    on the first (the latest complete quarter)."""
    choices: dict[str, Period] = {}
    for q in last_complete_quarters(cutoff, 8):
        choices[f"Quarter {q.end.year} Q{(q.end.month - 1) // 3 + 1}"] = q
    first = catalog.first_case_year(con) or cutoff.year
    last_year = cutoff.year - (0 if (cutoff.month, cutoff.day) == (12, 31) else 1)
    for year in range(last_year, first - 1, -1):
        choices[f"Year {year}"] = Period.year(year)
    meetings = catalog.meeting_dates(con)
    for prev, meeting in zip(meetings, meetings[1:], strict=False):
        choices[f"Since SFP meeting {prev.isoformat()} to {meeting.isoformat()}"] = Period(
            prev, meeting
        )
    return choices


def analyst_cutoff(con) -> dt.date:
    """The cut-off of the analysts' periods: the latest case data (today before any)."""
    return catalog.latest_case_as_of(con) or dt.date.today()


def release_choices(release: published.Release, entity: str | None) -> tuple[dict, int]:
    """The periods of the quarter grid a reader of the release may pick for a scope, and the index
    of the one a page opens on: the latest meeting period the scope's data reach (the release
    breaks those down; a quarter inside one is published as a total only), else the first."""
    choices = release.periods(entity or published.ALL)
    reached = release.reported_through(entity or published.ALL)
    meetings = [
        i
        for i, p in enumerate(choices.values())
        if p.kind == "meeting" and grid.quarter_first_day(p.quarters[-1]) <= reached
    ]
    return choices, meetings[0] if meetings else 0

"""The SFP meetings the demo adds after the seed's eleven: held about twice a year up to the
latest data, and the next one after it, added as the administrator would (pipelines.meetings)."""

from __future__ import annotations

import datetime as dt

from pipelines.meetings import add_meeting

SEED_MEETINGS = 11


def meeting_titles(dates: list[dt.date]) -> list[str]:
    return [
        f"PSEA Senior Focal Points meeting {SEED_MEETINGS + i}" for i in range(1, len(dates) + 1)
    ]


def add_demo_meetings(con, dates: list[dt.date], actor: str) -> None:
    """Each meeting with its title and audit record; the last one is the next meeting."""
    for day, title in zip(dates, meeting_titles(dates), strict=True):
        notes = (
            "The next meeting: its brief covers the quarters reported since the last one."
            if (day == dates[-1])
            else None
        )
        add_meeting(con, day, title, notes, actor, "admin")

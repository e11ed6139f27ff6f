"""The SFP meeting calendar's additions: written with their audit record in one transaction."""

from __future__ import annotations

import datetime as dt

from pipelines.audit import record
from pipelines.warehouse import transaction


def add_meeting(
    con, meeting_date: dt.date, title: str, notes: str | None, actor: str, role: str
) -> None:
    """A later meeting added to the calendar (audit-logged)."""
    title = title.strip()
    if not title:
        raise ValueError("a meeting needs a title")
    taken = con.sql(
        "select count(*) from sfp_meetings where meeting_date = $d", params={"d": meeting_date}
    ).fetchall()[0][0]
    if taken:
        raise ValueError(f"a meeting on {meeting_date.isoformat()} is already in the calendar")
    with transaction(con):
        con.execute(
            "insert into sfp_meetings_added (meeting_date, title, notes, added_by) values (?, ?, ?, ?)",
            [meeting_date, title, (notes or "").strip() or None, actor],
        )
        record(con, actor, role, "add_sfp_meeting", meeting_date=meeting_date, title=title)

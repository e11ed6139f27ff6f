"""The SFP meeting calendar's additions: written by the administrator (docs/access.md) with their
audit record in one transaction, and undone the same way."""

from __future__ import annotations

import datetime as dt

from pipelines.audit import record
from pipelines.warehouse import transaction


def add_meeting(
    con, meeting_date: dt.date, title: str, notes: str | None, actor: str, role: str
) -> None:
    """A later meeting added to the calendar (audit-logged)."""
    if role != "admin":
        raise PermissionError("only the administrator changes the meeting calendar")
    title = title.strip()
    if not title:
        raise ValueError("a meeting needs a title")
    with transaction(con):  # the date is the calendar's key: checked inside the write
        taken = con.sql(
            "select count(*) from sfp_meetings where meeting_date = $d", params={"d": meeting_date}
        ).fetchall()[0][0]
        if taken:
            raise ValueError(f"a meeting on {meeting_date.isoformat()} is already in the calendar")
        con.execute(
            "insert into sfp_meetings_added (meeting_date, title, notes, added_by) values (?, ?, ?, ?)",
            [meeting_date, title, (notes or "").strip() or None, actor],
        )
        record(con, actor, role, "add_sfp_meeting", meeting_date=meeting_date, title=title)


def remove_meeting(con, meeting_date: dt.date, actor: str, role: str) -> None:
    """Undo an addition (audit-logged); the seed's meetings are history and stay."""
    if role != "admin":
        raise PermissionError("only the administrator changes the meeting calendar")
    added = con.sql(
        "select title from sfp_meetings_added where meeting_date = $d", params={"d": meeting_date}
    ).fetchall()
    if not added:
        raise ValueError(f"no added meeting on {meeting_date.isoformat()}")
    with transaction(con):
        con.execute("delete from sfp_meetings_added where meeting_date = ?", [meeting_date])
        record(con, actor, role, "remove_sfp_meeting", meeting_date=meeting_date, title=added[0][0])

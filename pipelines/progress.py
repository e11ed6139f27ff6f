"""The SFP progress report's writer: key messages, accomplishments, challenges, requests to the IASC
Principals and action points, per meeting and entity (docs/indicators.md, "SFP meeting brief").

Nothing is overwritten: each save is a new version with who and when, written with its audit record
in one transaction; the latest version is in force. Every line is checked against the contracts'
identifier patterns (data_contracts.free_text) before anything is written, and the audit record
holds counts and ids, never the text.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from data_contracts.free_text import identifier_in
from pipelines.audit import record
from pipelines.warehouse import transaction

PARTS = ("key_messages", "accomplishments", "challenges", "requests")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")
CLOSED = ("done", "dropped")
MAX_LINES = {"key_messages": 5, "accomplishments": 10, "challenges": 10, "requests": 10}
MAX_CHARS = 400  # a line of the report
MAX_OWNER = 80


class TextRefused(ValueError):
    """A line that cannot be stored: its part, line number and rule (never the text)."""

    def __init__(self, where: str, line: int, rule: str, message: str):
        self.where, self.line, self.rule = where, line, rule
        super().__init__(f"{where}, line {line}: {message} ({rule}); nothing was saved")


def _checked(where: str, lines: list[str], max_lines: int, max_chars: int = MAX_CHARS) -> list[str]:
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line]
    if len(lines) > max_lines:
        raise TextRefused(where, max_lines + 1, "too_many_lines", f"at most {max_lines} lines")
    for number, line in enumerate(lines, 1):
        if len(line) > max_chars:
            raise TextRefused(where, number, "too_long", f"longer than {max_chars} characters")
        refusal = identifier_in(line)
        if refusal:
            raise TextRefused(where, number, refusal.rule, refusal.message)
    return lines


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def save_part(
    con,
    meeting: dt.date,
    entity: str,
    part: str,
    lines: list[str],
    actor: str,
    role: str | None,
) -> int:
    """A new version of one part of the report; returns its version (unchanged text: no version)."""
    if part not in PARTS:
        raise ValueError(f"unknown part of the report: {part}")
    lines = _checked(part.replace("_", " "), lines, MAX_LINES[part])
    latest = con.sql(
        """select version, items from progress_texts
           where meeting_date = $m and entity = $e and part = $p order by version desc limit 1""",
        params={"m": meeting, "e": entity, "p": part},
    ).fetchall()
    if latest and json.loads(latest[0][1]) == lines:
        return latest[0][0]
    with transaction(con):  # the version is the key's last part: numbered inside the write
        version = _next_version(con, meeting, entity, part)
        con.execute(
            """insert into progress_texts (meeting_date, entity, part, version, items, written_by,
                   role, written_at) values (?, ?, ?, ?, ?, ?, ?, ?)""",
            [meeting, entity, part, version, json.dumps(lines), actor, role, _now()],
        )
        record(
            con,
            actor,
            role,
            "progress_report_saved",
            meeting=meeting,
            entity=entity,
            part=part,
            version=version,
            lines=len(lines),
        )
    return version


def _next_version(con, meeting: dt.date, entity: str, part: str) -> int:
    return con.sql(
        """select coalesce(max(version), 0) + 1 from progress_texts
           where meeting_date = $m and entity = $e and part = $p""",
        params={"m": meeting, "e": entity, "p": part},
    ).fetchall()[0][0]


def _check_point(action: str, owner: str, status: str) -> tuple[str, str]:
    if status not in ACTION_STATUSES:
        raise ValueError(f"unknown status: {status}")
    (action,) = _checked("action point", [action], 1) or [""]
    if not action:
        raise ValueError("an action point needs its action")
    owner_lines = _checked("owner", [owner], 1, MAX_OWNER)
    if not owner_lines:
        raise ValueError("an action point needs an owner (a role or a unit)")
    return action, owner_lines[0]


def add_action_point(
    con,
    meeting: dt.date,
    entity: str,
    action: str,
    owner: str,
    due: dt.date | None,
    actor: str,
    role: str | None,
) -> str:
    """An action point raised at `meeting`, open; returns its id."""
    action, owner = _check_point(action, owner, "open")
    point_id = f"AP-{meeting:%Y%m%d}-{uuid.uuid4().hex[:6]}"
    with transaction(con):
        _insert(con, point_id, 1, entity, meeting, meeting, action, owner, due, "open", actor, role)
        record(
            con,
            actor,
            role,
            "action_point_raised",
            point_id=point_id,
            meeting=meeting,
            entity=entity,
        )
    return point_id


def update_action_point(
    con,
    point_id: str,
    entity: str,
    meeting: dt.date,
    actor: str,
    role: str | None,
    *,
    status: str | None = None,
    owner: str | None = None,
    due: dt.date | None = None,
    action: str | None = None,
) -> int:
    """A new version of an entity's action point, written in the workspace of `meeting`; returns
    its version. Another entity's point is refused as unknown."""
    rows = con.sql(
        """select version, raised_at, action, owner, due, status from action_points
           where point_id = $id and entity = $e order by version desc limit 1""",
        params={"id": point_id, "e": entity},
    ).fetchall()
    if not rows:
        raise ValueError("no such action point for this entity")
    version, raised_at, old_action, old_owner, old_due, old_status = rows[0]
    if meeting < raised_at:
        raise ValueError("an action point cannot change before the meeting that raised it")
    new = (action or old_action, owner or old_owner, due or old_due, status or old_status)
    if new == (old_action, old_owner, old_due, old_status):
        return version
    checked_action, checked_owner = _check_point(new[0], new[1], new[3])
    with transaction(con):  # (point_id, version) is the key: the version read inside the write
        version = con.sql(
            "select max(version) from action_points where point_id = $id",
            params={"id": point_id},
        ).fetchall()[0][0]
        _insert(
            con,
            point_id,
            version + 1,
            entity,
            raised_at,
            meeting,
            checked_action,
            checked_owner,
            new[2],
            new[3],
            actor,
            role,
        )
        record(
            con,
            actor,
            role,
            "action_point_updated",
            point_id=point_id,
            meeting=meeting,
            entity=entity,
            version=version + 1,
            status=new[3],
        )
    return version + 1


def _insert(
    con, point_id, version, entity, raised_at, written_in, action, owner, due, status, actor, role
):
    con.execute(
        """insert into action_points (point_id, version, entity, raised_at, written_in, action,
               owner, due, status, written_by, role, written_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            point_id,
            version,
            entity,
            raised_at,
            written_in,
            action,
            owner,
            due,
            status,
            actor,
            role,
            _now(),
        ],
    )

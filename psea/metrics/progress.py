"""The SFP progress report as read for a meeting: the parts in force, the action points as they
stood at the meeting, and the history of both (who wrote what version, when).

An action point's state at meeting M is its latest version written in the workspace of a meeting on
or before M: the brief for M is the same whenever it is produced, and a point closed while preparing
a later meeting is still open in M's brief. Open points of earlier meetings are carried into every
later brief with their age, until a version closes them.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from pipelines.progress import CLOSED, PARTS

PART_TITLES = {
    "key_messages": "Key messages",
    "accomplishments": "Accomplishments",
    "challenges": "Challenges",
    "requests": "Requests to the IASC Principals",
}


def report(con, meeting: dt.date, entity: str) -> dict[str, list[str]]:
    """Each part's lines in force for the meeting and entity ([] when none was written)."""
    return reports(con, meeting, [entity])[entity][0]


def written(con, meeting: dt.date, entity: str) -> set[str]:
    """The parts someone has saved for the meeting (an empty save counts: it was reviewed)."""
    return reports(con, meeting, [entity])[entity][1]


def reports(
    con, meeting: dt.date, entities: list[str]
) -> dict[str, tuple[dict[str, list[str]], set[str]]]:
    """Per entity, `report` and `written` for the meeting, in one read of the workspace (the
    brief over every entity asks for them all)."""
    if not entities:
        return {}
    rows = con.sql(
        """select entity, part, arg_max(items, version) from progress_texts
           where meeting_date = $m and list_contains($entities, entity) group by entity, part""",
        params={"m": meeting, "entities": list(entities)},
    ).fetchall()
    saved: dict[str, dict[str, list[str]]] = {e: {} for e in entities}
    for entity, part, items in rows:
        saved[entity][part] = json.loads(items)
    return {e: ({p: parts.get(p, []) for p in PARTS}, set(parts)) for e, parts in saved.items()}


def history(con, meeting: dt.date, entity: str) -> pl.DataFrame:
    """Every version of the report's parts, of the entity's action points and of its commitments
    touched at the meeting: what, version, who, when (latest first)."""
    return con.sql(
        """select part as what, version, json_array_length(items)::integer || ' lines' as change,
               written_by, written_at
           from progress_texts where meeting_date = $m and entity = $e
           union all
           select 'action point ' || point_id, version,
               case when version = 1 then 'raised' else 'status ' || status end,
               written_by, written_at
           from action_points where written_in = $m and entity = $e
           union all
           select 'commitment ' || commitment, version, 'status ' || status, written_by, written_at
           from commitment_status where meeting_date = $m and entity = $e
           order by written_at desc, what""",
        params={"m": meeting, "e": entity},
    ).pl()


def action_points(con, meeting: dt.date, entity: str | None) -> pl.DataFrame:
    """The entity's (or every entity's) action points raised on or before the meeting, as they
    stood at it: point_id, entity, raised_at, action, owner, due, status, age_days (days from the
    meeting that raised it to this one), overdue_days (an open point past its due date),
    closed_here (closed in this meeting's workspace)."""
    return con.sql(
        """with state as (
               select point_id, arg_max(version, version) as version
               from action_points
               where written_in <= $m and raised_at <= $m and ($e is null or entity = $e)
               group by point_id
           )
           select a.point_id, a.entity, a.raised_at, a.action, a.owner, a.due, a.status,
               datediff('day', a.raised_at, $m::date)::integer as age_days,
               case when a.status not in ('done', 'dropped') and a.due < $m::date
                    then datediff('day', a.due, $m::date)::integer end as overdue_days,
               a.status in ('done', 'dropped') and a.written_in = $m as closed_here
           from action_points a join state using (point_id, version)
           order by a.entity, a.raised_at, a.point_id""",
        params={"m": meeting, "e": entity},
    ).pl()


def open_points(points: pl.DataFrame) -> pl.DataFrame:
    return points.filter(~pl.col("status").is_in(CLOSED))


def point_history(con, point_id: str, entity: str) -> pl.DataFrame:
    return con.sql(
        """select version, written_in as meeting, action, owner, due, status, written_by, written_at
           from action_points where point_id = $id and entity = $e order by version""",
        params={"id": point_id, "e": entity},
    ).pl()

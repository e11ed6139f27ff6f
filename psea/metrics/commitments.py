"""Each entity's progress on the Minimum Operating Standards on PSEA and the Secretary-General's four
pillars as it stood at a meeting (pipelines.commitments writes it): the status and line in force,
what it was at the previous meeting, and the history of every version."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.commitments import COMMITMENTS, STATUSES

TITLES = {
    "mos": "Minimum Operating Standards on PSEA",
    "victims_first": "Putting victims first",
    "ending_impunity": "Ending impunity",
    "civil_society_partners": "Engaging civil society and external partners",
    "communication_transparency": "Communication for education and transparency",
}
STATUS_WORDS = {"not_started": "Not started", "in_progress": "In progress", "in_place": "In place"}
DEFINITION = (
    "Set by each entity's focal point in the meeting workspace: a status (not started, in progress, "
    "in place) and one line per commitment, kept with its history; the one in force at a meeting "
    "is the latest written at or before it."
)
assert set(TITLES) == set(COMMITMENTS) and set(STATUS_WORDS) == set(STATUSES)

_IN_FORCE = """
    with state as (
        select entity, commitment, max(version) as version from commitment_status
        where meeting_date <= $m and ($e is null or entity = $e) group by all
    )
    select c.entity, c.commitment, c.status, c.line, c.meeting_date as set_at
    from commitment_status c join state using (entity, commitment, version)
"""


def in_force(
    con, meeting: dt.date, entity: str | None = None, previous: dt.date | None = None
) -> pl.DataFrame:
    """entity, commitment, status, line, set_at (the meeting whose workspace set it) and
    status_before (in force at the previous meeting; null when none was set then), one row per
    commitment an entity has set by the meeting."""
    now = con.sql(_IN_FORCE, params={"m": meeting, "e": entity}).pl()
    if previous is None:
        return now.with_columns(pl.lit(None, dtype=pl.String).alias("status_before"))
    before = (
        con.sql(_IN_FORCE, params={"m": previous, "e": entity})
        .pl()
        .select("entity", "commitment", pl.col("status").alias("status_before"))
    )
    order = {c: i for i, c in enumerate(COMMITMENTS)}
    return (
        now.join(before, on=["entity", "commitment"], how="left")
        .with_columns(pl.col("commitment").replace_strict(order).alias("_order"))
        .sort("entity", "_order")
        .drop("_order")
    )


def history(con, entity: str, commitment: str | None = None) -> pl.DataFrame:
    """Every version of the entity's commitments: commitment, version, meeting_date, status,
    line, written_by, written_at (latest first)."""
    return con.sql(
        """select commitment, version, meeting_date, status, line, written_by, written_at
           from commitment_status where entity = $e and ($c is null or commitment = $c)
           order by written_at desc, commitment""",
        params={"e": entity, "c": commitment},
    ).pl()

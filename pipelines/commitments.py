"""Each entity's progress on its PSEA commitments, set by its focal point in the meeting workspace:
the Minimum Operating Standards on PSEA and the four pillars of the Secretary-General's strategy
(putting victims first, ending impunity, engaging civil society and external partners,
communication for education and transparency), each a status and one line.

Nothing is overwritten: a change is a new version (numbered per entity and commitment inside the
transaction that writes it, with its audit record); the latest version written at or before a
meeting is the one in force at it. The line is checked against the contracts' identifier patterns
before anything is written, and the audit record holds the status, never the text.
"""

from __future__ import annotations

import datetime as dt

from data_contracts.free_text import identifier_in
from pipelines.audit import record
from pipelines.progress import MAX_CHARS, TextRefused
from pipelines.warehouse import transaction

COMMITMENTS = (
    "mos",
    "victims_first",
    "ending_impunity",
    "civil_society_partners",
    "communication_transparency",
)
STATUSES = ("not_started", "in_progress", "in_place")


def _line(commitment: str, line: str) -> str:
    line = " ".join(line.split())
    if len(line) > MAX_CHARS:
        raise TextRefused(commitment, 1, "too_long", f"longer than {MAX_CHARS} characters")
    refusal = identifier_in(line)
    if refusal:
        raise TextRefused(commitment.replace("_", " "), 1, refusal.rule, refusal.message)
    return line


def save_commitment(
    con,
    meeting: dt.date,
    entity: str,
    commitment: str,
    status: str,
    line: str,
    actor: str,
    role: str | None,
    written_at: dt.datetime | None = None,
) -> int:
    """A new version of the entity's commitment when its status or line changes; returns the
    version in force (unchanged: no new version)."""
    if commitment not in COMMITMENTS:
        raise ValueError(f"unknown commitment: {commitment}")
    if status not in STATUSES:
        raise ValueError(f"unknown status: {status}")
    line = _line(commitment, line)
    with transaction(con):
        latest = con.sql(
            """select version, status, line from commitment_status
               where entity = $e and commitment = $c and meeting_date <= $m
               order by version desc limit 1""",
            params={"e": entity, "c": commitment, "m": meeting},
        ).fetchall()
        if latest and latest[0][1:] == (status, line):
            return latest[0][0]
        version = con.sql(
            """select coalesce(max(version), 0) + 1 from commitment_status
               where entity = $e and commitment = $c""",
            params={"e": entity, "c": commitment},
        ).fetchall()[0][0]
        con.execute(
            """insert into commitment_status (entity, commitment, version, meeting_date, status,
                   line, written_by, role, written_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                entity,
                commitment,
                version,
                meeting,
                status,
                line,
                actor,
                role,
                written_at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )
        record(
            con,
            actor,
            role,
            "commitment_saved",
            meeting=meeting,
            entity=entity,
            commitment=commitment,
            version=version,
            status=status,
        )
    return version

"""The brief's part on each entity's commitments: the Minimum Operating Standards on PSEA and the
Secretary-General's four pillars, a status and a line each as the focal point set them in the
meeting workspace (psea.metrics.commitments), with the status at the previous meeting beside it."""

from __future__ import annotations

import polars as pl

from pipelines.commitments import COMMITMENTS
from psea.brief.model import Section, Table
from psea.metrics.commitments import DEFINITION, STATUS_WORDS, TITLES

SHORT = {  # column headers of the Champion's table
    "mos": "MOS-PSEA",
    "victims_first": "Victims first",
    "ending_impunity": "Ending impunity",
    "civil_society_partners": "Civil society and partners",
    "communication_transparency": "Communication and transparency",
}
NOT_SET = "Not set"
TITLE = "Commitments: the Minimum Operating Standards and the Secretary-General's four pillars"


def status_text(status: str | None, before: str | None, compared: bool) -> str:
    """'In progress, was not started'; 'In place, set since the previous meeting'."""
    if status is None:
        return NOT_SET
    words = STATUS_WORDS[status]
    if not compared:
        return words
    if before is None:
        return f"{words} (new)"
    return words if before == status else f"{words}, was {STATUS_WORDS[before].lower()}"


def commitments_section(
    frame: pl.DataFrame, entities: list[str], compared: bool, level: int = 1
) -> Section:
    """`frame`: psea.metrics.commitments.in_force for the entities (status_before read at the
    previous meeting when `compared`). One entity: a row per commitment; several: a status table
    of entities by commitment, then what each says."""
    rows = {(r["entity"], r["commitment"]): r for r in frame.iter_rows(named=True)}
    intro = [
        DEFINITION
        + (
            " Beside each status, the status at the previous meeting when it has changed."
            if compared
            else ""
        ),
        "The pillars of the Secretary-General's strategy: "
        + "; ".join(TITLES[c].lower() for c in COMMITMENTS[1:])
        + ".",
    ]

    def cell(entity: str, commitment: str) -> str:
        row = rows.get((entity, commitment))
        return status_text(row and row["status"], row and row["status_before"], compared)

    if len(entities) == 1:
        (entity,) = entities
        table = pl.DataFrame(
            {
                "Commitment": [TITLES[c] for c in COMMITMENTS],
                "Status": [cell(entity, c) for c in COMMITMENTS],
                "Where it stands": [rows.get((entity, c), {}).get("line", "") for c in COMMITMENTS],
            }
        )
        return Section(TITLE, intro, tables=[Table("", table)], level=level)
    status = pl.DataFrame(
        [[e, *(cell(e, c) for c in COMMITMENTS)] for e in entities],
        schema=["Entity", *(SHORT[c] for c in COMMITMENTS)],
        orient="row",
    )
    lines = pl.DataFrame(
        [
            [e, TITLES[c], rows[e, c]["line"]]
            for e in entities
            for c in COMMITMENTS
            if (e, c) in rows and rows[e, c]["line"]
        ],
        schema=["Entity", "Commitment", "Where it stands"],
        orient="row",
    )
    return Section(
        TITLE,
        intro,
        tables=[
            Table("Each entity's status", status),
            Table("Where each entity stands, in its focal point's words", lines),
        ],
        level=level,
    )

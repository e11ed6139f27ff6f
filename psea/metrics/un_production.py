"""Producing a UN quarterly submission: the same for `psea report un-quarterly` and the UN
quarterly page. The submission is computed, compared with the quarter's latest earlier production,
and recorded with its files (pipelines.un_submissions); nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.un_submissions import (
    MANIFEST,
    Production,
    ReferenceConflict,
    latest_production,
    production_files,
    record_production,
)
from psea.metrics import Period
from psea.metrics.un_quarterly import Submission, submission
from psea.metrics.un_revisions import differences

ATTEMPTS = 3  # another production giving references at the same moment: produce again


@dataclass(frozen=True)
class Produced:
    submission: Submission
    production: Production
    previous: dict | None  # the quarter's latest earlier production (a row of un_productions)
    differences: list[str]  # from that production's files to these; empty when identical

    def files(self) -> dict[str, bytes]:
        """The four files as recorded: the three of the submission and the manifest."""
        return {**self.submission.files(), MANIFEST: self.production.manifest}

    def summary(self) -> list[str]:
        """What the command prints and the page says after a production."""
        sub = self.submission
        lines = [
            f"{sub.entity} {sub.label}: {sub.allegations.height} new allegation(s) "
            f"({sub.reported_late} entered late), {sub.updates.height} update(s) "
            f"({sub.withdrawn} withdrawn); case data as of {sub.as_of.isoformat()} "
            f"(the snapshot for the quarter's end); production {self.production.production_id}"
        ]
        if self.previous is not None:
            when = f"{self.previous['production_id']} of {self.previous['produced_at']:%Y-%m-%d %H:%M} by {self.previous['produced_by']}"
            if self.differences:
                lines.append(
                    f"{sub.label} was produced before ({when}) and differs since (a revised "
                    "snapshot): " + "; ".join(self.differences)
                )
            else:
                lines.append(f"{sub.label} was produced before ({when}): nothing differs")
        return lines + [f"note: {note}" for note in sub.notes()]


def produce(con, entity: str, quarter: Period, actor: str, role: str | None) -> Produced:
    """Compute, compare and record the entity's submission for the quarter; raises
    un_quarterly.NotYetReported (recording nothing) when the case data do not cover it."""
    for attempt in range(ATTEMPTS):
        sub = submission(con, entity, quarter)
        files = sub.files()
        previous = latest_production(con, entity, sub.label)
        before = production_files(con, previous["production_id"]) if previous else {}
        try:
            made = record_production(
                con,
                entity=entity,
                quarter=sub.label,
                snapshots=sub.end.snapshots,
                counts={
                    "allegations": sub.allegations.height,
                    "reported_late": sub.reported_late,
                    "updates": sub.updates.height,
                    "withdrawn": sub.withdrawn,
                },
                files=files,
                references=sub.references_given,
                actor=actor,
                role=role,
            )
        except ReferenceConflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return Produced(sub, made, previous, differences(before, files) if previous else [])
    raise AssertionError("unreachable")

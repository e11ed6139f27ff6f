"""The ledger's walk of an entity, every quarter its case data reach, computed once per state of
the loads and of the ledger, and kept in the store when the data change (psea.app.precompute), so
that the UN quarterly page opens on it in any process instead of walking 60 quarters of snapshots
(1.2 s per entity on the scale-1 demo, about 5 s at scale 10).

The walk depends on the case snapshots (the loads' state), on the references the ledger has given
(`pipelines.un_submissions.ledger_version`: every production adds to them) and on the settings;
its kept form is one frame, a row per quarter end, each submission's frames as lists of rows, so
that the store keeps it as Arrow like any other figure (nothing is unpickled from the store).
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from pipelines.un_submissions import ledger_version
from psea.calendar.quarters import quarter_start
from psea.metrics import memo
from psea.metrics.un_ledger import QuarterEnd, in_progress, quarter_ends
from psea.metrics.un_quarterly import Submission, case_data_as_of, ledger, parse_quarter

FRAMES = ("allegations", "updates", "totals", "outside", "references_given")


def walked(con, entity: str) -> tuple[list[QuarterEnd], bool, list[Submission]]:
    """The quarters ended in the entity's data (oldest first), whether a quarter is under way,
    and the submission of each of them, the one under way last."""
    kept = _walk(con, entity, ledger_version(con, entity))
    sent = [_submission(entity, kept, i) for i in range(kept.height)]
    ended = [s.end for s, e in zip(sent, kept["ended"], strict=True) if e]
    return ended, len(ended) < len(sent), sent


@memo.per_load_state
def _walk(con, entity: str, version: str) -> pl.DataFrame:
    """`walked` as one frame, a row per quarter end (`version`: the ledger's, part of the key)."""
    as_of = case_data_as_of(con, entity)
    if as_of is None:
        return pl.DataFrame(schema={"quarter": pl.String, "ended": pl.Boolean})
    ended = last_ended_quarter(as_of)
    steps = quarter_ends(con, entity, parse_quarter(f"{ended.year}Q{(ended.month - 1) // 3 + 1}"))
    under_way = in_progress(con, entity)
    sent = ledger(con, entity, steps + ([under_way] if under_way else []))
    return pl.DataFrame(
        {
            "quarter": [s.end.quarter for s in sent],
            "day": [s.end.day for s in sent],
            "snapshots": [json.dumps(_dates(s.end.snapshots)) for s in sent],
            "ended": [i < len(steps) for i in range(len(sent))],
            **{name: [getattr(s, name).to_struct(name) for s in sent] for name in FRAMES},
        }
    )


def last_ended_quarter(as_of: dt.date) -> dt.date:
    """The end of the latest quarter the data reach (a snapshot on a quarter's end reaches it)."""
    return quarter_start(as_of + dt.timedelta(days=1)) - dt.timedelta(days=1)


def _dates(snapshots: dict[str, dt.date | None]) -> dict[str, str | None]:
    return {k: v.isoformat() if v else None for k, v in snapshots.items()}


def _submission(entity: str, kept: pl.DataFrame, i: int) -> Submission:
    quarter = kept["quarter"][i]
    snapshots = {
        k: dt.date.fromisoformat(v) if v else None
        for k, v in json.loads(kept["snapshots"][i]).items()
    }
    end = QuarterEnd(quarter, kept["day"][i], snapshots)
    frames = {name: kept[name][i].struct.unnest() for name in FRAMES}
    return Submission(entity, parse_quarter(quarter), end, **frames)

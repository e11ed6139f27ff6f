"""What is still to send to the UN, as the entity's case data stand: the current quarter's late
entries, withdrawals and changes, the quarters never produced, and the productions whose quarter
would now come out differently (a snapshot revised after them)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.un_submissions import production_files, productions, sha256
from psea.metrics.un_ledger import WITHDRAWN
from psea.metrics.un_quarterly import Submission
from psea.metrics.un_revisions import differences
from psea.metrics.un_walk import walked


@dataclass(frozen=True)
class Revised:
    quarter: str
    production_id: str
    differences: list[str]


@dataclass(frozen=True)
class Outstanding:
    current: Submission | None  # the quarter under way (or the last one ended), as data stand
    under_way: bool  # the current quarter has not ended in the data (latest snapshot inside it)
    not_produced: list[str]  # quarters the data reach that no production sent, latest first
    revised: list[Revised]  # productions whose quarter would now come out differently
    submissions: dict[str, Submission]  # of every quarter the data reach, as they stand
    current_sent: str | None = None  # the production that sent the ended current quarter as is

    def lists(self) -> dict[str, pl.DataFrame]:
        """The current quarter's allegations entered late, withdrawals and other changes (none
        left once a production sent them as the data stand)."""
        if self.current is None or self.current_sent:
            return {}
        updates = self.current.updates
        return {
            "entered late": self.current.allegations.filter(pl.col("reported_late")).select(
                "un_reference", "quarter_received", "country", "category", "status"
            ),
            "withdrawals": updates.filter(pl.col("new") == WITHDRAWN),
            "changes": updates.filter(pl.col("new") != WITHDRAWN),
        }


def outstanding(con, entity: str) -> Outstanding:
    steps, under_way, sent = walked(con, entity)
    if not sent:
        return Outstanding(None, False, [], [], {})
    by_quarter = {s.label: s for s in sent[: len(steps)]}
    made = productions(con, entity)
    latest = made.unique("quarter", keep="first", maintain_order=True)  # latest first
    revised = []
    for row in latest.iter_rows(named=True):
        now = by_quarter.get(row["quarter"])
        if now is None:
            continue
        files = now.files()
        if any(row[f"{n.removesuffix('.csv')}_sha256"] != sha256(b) for n, b in files.items()):
            before = production_files(con, row["production_id"])
            revised.append(
                Revised(row["quarter"], row["production_id"], differences(before, files))
            )
    done = set(made["quarter"].to_list())
    current = sent[-1] if sent else None
    changed = {r.quarter for r in revised}
    current_sent = None
    if current is not None and not under_way and current.label in done - changed:
        current_sent = latest.filter(pl.col("quarter") == current.label)["production_id"][0]
    ended_labels = [s.quarter for s in steps]
    return Outstanding(
        current=current,
        under_way=under_way,
        not_produced=[q for q in reversed(ended_labels) if q not in done],
        revised=revised,
        submissions=by_quarter,
        current_sent=current_sent,
    )

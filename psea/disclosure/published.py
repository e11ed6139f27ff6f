"""The published release as the pages and briefs read it: the current one (the latest data) or a
meeting's own, built, audited and published when first asked for (psea.disclosure.release)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import polars as pl

from psea.disclosure import grid
from psea.metrics import facts
from psea.metrics.catalog import case_data_key, meeting_dates

ALL = "ALL"
SUPPRESSED = "suppressed"
NOT_IN_RETURNS = "not in the returns"  # a figure an entity's quarterly returns do not carry
NOT_REPORTED = "not yet reported"


@dataclass(frozen=True)
class Statistic:
    median: float | None
    p90: float | None
    n: int
    withheld: bool
    state: str = ""  # why there is no value when it is not withheld for size ("not in the returns")

    def label(self, which: str = "median", unit: str = "days") -> str:
        if self.state:
            return self.state
        if self.withheld:
            return SUPPRESSED
        value = self.median if which == "median" else self.p90
        return "no data" if value is None else f"{value:,.0f} {unit}"


def _group_order(family: str, breakdown: str) -> pl.Expr:
    """A breakdown's groups in the family's own order (statuses as a case moves, delays from
    short to long), groups without a fixed place after them."""
    fixed = facts.family(family).groups.get(breakdown, ()) if family in facts.families() else ()
    rank = {g: i for i, g in enumerate(fixed)}
    return pl.col("group").replace_strict(rank, default=len(rank), return_dtype=pl.Int32)


@dataclass
class Release:
    release_id: str
    purpose: str
    cutoff: dt.date
    meeting_date: dt.date | None
    coverage: dict[str, dt.date]  # entity -> as_of of its case data
    audit: dict
    cells: pl.DataFrame
    statistics: pl.DataFrame
    calendar: list[dt.date]
    built_at: dt.datetime | None = None
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        rows = self.cells.select(
            "family", "breakdown", "group", "scope", "period", "value", "hidden"
        )
        self._index = {tuple(r[:5]): (r[5], r[6]) for r in rows.iter_rows()}

    @property
    def scopes(self) -> list[str]:
        return sorted(self.coverage)

    def cell(self, family, breakdown, group, scope, period) -> tuple[int | None, bool] | None:
        """(value, hidden) of a cell, or None when the release holds no such cell."""
        return self._index.get((family, breakdown, group, scope, period))

    def breakdown(self, family: str, breakdown: str, scope: str, period: str) -> pl.DataFrame:
        return (
            self.cells.filter(
                (pl.col("family") == family)
                & (pl.col("breakdown") == breakdown)
                & (pl.col("scope") == scope)
                & (pl.col("period") == period)
            )
            .select("group", pl.col("value").alias("count"), "hidden")
            .sort(_group_order(family, breakdown), "group")
        )

    def statistic(self, name: str, scope: str, period: str):
        rows = self.statistics.filter(
            (pl.col("statistic") == name)
            & (pl.col("scope") == scope)
            & (pl.col("period") == period)
        )
        if rows.is_empty():  # medians rest on case rows: none for returns, nor all entities then
            rows_only = scope == ALL or scope in self.coverage
            return Statistic(None, None, 0, True, NOT_IN_RETURNS if rows_only else "")
        measure = dict(zip(rows["measure"], rows["value"], strict=True))
        return Statistic(
            measure.get("median_days"),
            measure.get("p90_days"),
            int(rows["n"][0] or 0),  # no number of cases is kept for a withheld median
            bool(rows["withheld"][0]),
        )

    def reported_through(self, scope: str) -> dt.date:
        """The first day of the last quarter reported for the scope (all entities: the earliest)."""
        dates = self.coverage.values() if scope == ALL else [self.coverage[scope]]
        return grid.last_complete_quarter(min(min(dates), self.cutoff))

    def missing_state(self, scope: str, period: grid.GridPeriod, breakdown: str) -> str:
        if scope in self.coverage or scope == ALL:
            last = self.reported_through(scope)
            if any(grid.quarter_first_day(q) > last for q in period.quarters):
                return NOT_REPORTED
        if breakdown != "total":
            return "not broken down"
        if scope == ALL or scope in self.coverage:  # a figure some entity's returns do not carry
            return NOT_IN_RETURNS
        return "no data"

    def periods(self, scope: str) -> dict[str, grid.GridPeriod]:
        """The grid periods a viewer may pick, latest first: the last 8 quarters reported for the
        scope, the complete years, the meeting periods."""
        last = self.reported_through(scope)
        quarter_keys = sorted(
            {p for p in self.cells["period"].unique() if len(p) == 6 and p[4] == "Q"}
        )
        quarter_keys = [q for q in quarter_keys if grid.quarter_first_day(q) <= last][-8:]
        out = {grid.quarter(q).label: grid.quarter(q) for q in reversed(quarter_keys)}
        years = sorted({p for p in self.cells["period"].unique() if len(p) == 4}, reverse=True)
        out |= {grid.year(int(y)).label: grid.year(int(y)) for y in years}
        for p in reversed(grid.meeting_periods(self.calendar)):
            if self.cell("allegations", "total", "total", scope, p.key) is not None:
                out[p.label] = p
        return out


def _load(con, row) -> Release:
    release_id, purpose, cutoff, meeting, coverage, audit, built_at = row
    cells = con.sql(
        'select family, breakdown, "group", scope, period, value, hidden from release_cells where release_id = $id',
        params={"id": release_id},
    ).pl()
    stats = con.sql(
        "select statistic, measure, scope, period, n, value, withheld from release_statistics where release_id = $id",
        params={"id": release_id},
    ).pl()
    return Release(
        release_id,
        purpose,
        cutoff,
        meeting,
        {e: dt.date.fromisoformat(d) for e, d in json.loads(coverage).items()},
        json.loads(audit),
        cells,
        stats,
        meeting_dates(con),
        built_at,
    )


_COLUMNS = "release_id, purpose, cutoff, meeting_date, coverage, audit, built_at"


def by_id(con, release_id: str) -> Release | None:
    row = con.sql(
        f"select {_COLUMNS} from releases where release_id = $id", params={"id": release_id}
    ).fetchall()
    return _load(con, row[0]) if row else None


def snapshot_cutoff(con, day: dt.date | None = None) -> dt.date | None:
    """The cut-off of the release for data as of `day`: the latest case snapshot not after it
    (default: the latest). Releases exist only at snapshot dates, so two days between the same
    snapshots read the same release and nothing can be learnt from their difference."""
    if day is None:
        return con.sql("select max(as_of) from case_data_as_of").fetchall()[0][0]
    return con.sql(
        "select max(as_of) from case_data_as_of where as_of <= $d", params={"d": day}
    ).fetchall()[0][0]


def latest(con, cutoff: dt.date | None = None) -> Release | None:
    """The published release at `cutoff` (default: the one of the latest data)."""
    cutoff = cutoff or snapshot_cutoff(con)
    row = con.sql(
        f"""select {_COLUMNS} from releases where status = 'published' and cutoff = $c
            order by built_at desc limit 1""",
        params={"c": cutoff},
    ).fetchall()
    return _load(con, row[0]) if row else None


def is_fresh(con, cutoff: dt.date | None = None) -> bool:
    """Whether the published release at the cut-off still rests on the data the warehouse holds."""
    cutoff = cutoff or snapshot_cutoff(con)
    row = con.sql(
        """select data_key from releases where status = 'published' and cutoff = $c
           order by built_at desc limit 1""",
        params={"c": cutoff},
    ).fetchall()
    return bool(row) and row[0][0] == case_data_key(con, cutoff)


def ensure(con, actor: str, role: str | None, day: dt.date | None = None) -> Release | None:
    """The published release for the data as of `day` (default: the latest), built, audited and
    published first when none rests on the data the warehouse holds. None without case data, or
    when the audit of a new release failed and no earlier one exists at that cut-off."""
    from pipelines.warehouse import retrying
    from psea.disclosure.release import NothingToRelease, build, publish

    cutoff = snapshot_cutoff(con, day)
    if cutoff is None:
        return None

    def publish_if_stale() -> bool:  # again from the check when another writer got there first
        if is_fresh(con, cutoff):
            return True
        purpose = "current" if cutoff == snapshot_cutoff(con) else "snapshot"
        try:
            built = build(con, cutoff)
        except NothingToRelease:
            return False
        publish(con, built, purpose, actor, role, case_data_key(con, cutoff))
        return True

    if not retrying(con, publish_if_stale, "release"):
        return None
    return latest(con, cutoff)


def in_force_id(con) -> str | None:
    """The id of the release the pages show: the one at the latest snapshot, else (data loaded
    since, its replacement not yet published) the latest published one."""
    for query in (
        "select release_id from releases where status = 'published' "
        "and cutoff = (select max(as_of) from case_data_as_of) order by built_at desc limit 1",
        "select release_id from releases where status = 'published' "
        "order by cutoff desc, built_at desc limit 1",
    ):
        row = con.sql(query).fetchall()
        if row:
            return row[0][0]
    return None


def summary(con) -> dict | None:
    """The release in force as `psea release --json` and the Data-quality page show it."""
    release_id = in_force_id(con)
    if release_id is None:
        return None
    row = con.sql(
        """select release_id, cutoff, coverage, cells, hidden, primary_hidden, audit, seconds,
                  built_at, built_by, data_key from releases where release_id = $id""",
        params={"id": release_id},
    ).fetchall()[0]
    rid, cutoff, coverage, cells, hidden, primary, audit, seconds, built_at, by, key = row
    return {
        "release_id": rid,
        "cutoff": cutoff.isoformat(),
        "as_of": {"cases": json.loads(coverage)},
        "cells": cells,
        "hidden": hidden,
        "hidden_primary": primary,
        "audit": json.loads(audit),
        "build_seconds": seconds,
        "built_at": str(built_at),
        "built_by": by,
        "current": key == case_data_key(con),
    }

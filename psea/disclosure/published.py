"""The published release as the pages and briefs read it: the current one (the latest data) or a
meeting's own, built, audited and published when first asked for (psea.disclosure.release)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

from pipelines.writes import in_transaction, read_snapshot
from psea.disclosure import grid
from psea.metrics import facts
from psea.metrics.catalog import case_data_key, meeting_dates, month_only_meetings
from psea.metrics.memo import Bounded, store_identity

ALL = "ALL"
SUPPRESSED = "suppressed"
NOT_BROKEN_DOWN = "not broken down"  # a breakdown withheld as a whole, or a return without it
NOT_IN_RETURNS = "not in the returns"  # a figure an entity's quarterly returns do not carry
NOT_REPORTED = "not yet reported"


class Cell(NamedTuple):
    value: int | None
    hidden: bool
    withdrawn: bool = False  # its breakdown is withheld as a whole: "not broken down"
    missing: str | None = None  # the entities an all-entities cell leaves out, with why


def coverage_note(missing: str | None, entities: int) -> str:
    """What an all-entities figure leaves out, in words: "5 of 6 entities; NRC does not report
    this" or "5 of 6 entities; UNHCR not yet reported"."""
    if not missing:
        return ""
    out = [m.split(":") for m in missing.split(",")]
    carried = [e for e, why in out if why == "not_carried"]
    late = [e for e, why in out if why == "not_reported"]
    parts = [f"{entities - len(out)} of {entities} entities"]
    if carried:
        verb = "does" if len(carried) == 1 else "do"
        parts.append(f"{', '.join(carried)} {verb} not report this")
    if late:
        parts.append(f"{', '.join(late)} not yet reported")
    return "; ".join(parts)


@dataclass(frozen=True)
class Statistic:
    median: float | None
    p90: float | None
    n: int
    withheld: bool
    state: str = ""  # why there is no value when it is not withheld for size ("not in the returns")
    note: str = (
        ""  # an all-entities median's coverage ("5 of 6 entities; NRC does not report this")
    )

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
    month_only: frozenset[dt.date] = frozenset()
    _index: dict = field(default_factory=dict, repr=False)
    _by_quarters: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        rows = self.cells.select(
            "family",
            "breakdown",
            "group",
            "scope",
            "period",
            "value",
            "hidden",
            "withdrawn",
            "missing",
        )
        self._index = {tuple(r[:5]): Cell(r[5], r[6], bool(r[7]), r[8]) for r in rows.iter_rows()}
        held = set(self.cells["period"].unique().to_list())
        for p in [*grid.meeting_periods(self.calendar, self.month_only), *self._spans(held)]:
            if p.key in held:
                self._by_quarters.setdefault(p.quarters, p.key)

    @staticmethod
    def _spans(held: set[str]) -> list[grid.GridPeriod]:
        out = []
        for key in held:
            if key.startswith("S"):
                first, last = key[1:].split("-")
                out.append(
                    grid.span(
                        tuple(
                            grid.quarters_between(
                                grid.quarter_first_day(first), grid.quarter_first_day(last)
                            )
                        )
                    )
                )
        return out

    def key_for(self, period: grid.GridPeriod) -> str:
        """The release's key for a period: its own, or that of the period the release holds for
        the same quarters (an ad-hoc meeting date reads the calendar meeting's or the span since
        the last meeting)."""
        if period.kind in ("quarter", "year") or not period.quarters:
            return period.key
        if period.key in self._by_quarters.values():
            return period.key
        if len(period.quarters) == 1:  # one quarter is the quarter's own period
            return self._by_quarters.get(period.quarters, period.quarters[0])
        return self._by_quarters.get(period.quarters, period.key)

    def entities(self) -> int:
        return len(self.coverage)

    @property
    def scopes(self) -> list[str]:
        return sorted(self.coverage)

    def cell(self, family, breakdown, group, scope, period) -> Cell | None:
        """A cell (value, hidden, withdrawn, missing), or None when the release holds no such
        cell."""
        return self._index.get((family, breakdown, group, scope, period))

    def breakdown(self, family: str, breakdown: str, scope: str, period: str) -> pl.DataFrame:
        """The groups of a breakdown (never its all-entities covered total), each with its count
        (null when hidden), whether hidden, whether withheld as a whole, and its coverage."""
        return (
            self.cells.filter(
                (pl.col("family") == family)
                & (pl.col("breakdown") == breakdown)
                & (pl.col("scope") == scope)
                & (pl.col("period") == period)
                & (pl.col("group") != "total")
            )
            .select(
                "group",
                pl.col("value").alias("count"),
                "hidden",
                pl.col("withdrawn").fill_null(False),
                "missing",
            )
            .sort(_group_order(family, breakdown), "group")
        )

    def statistic(self, name: str, scope: str, period: str):
        rows = self.statistics.filter(
            (pl.col("statistic") == name)
            & (pl.col("scope") == scope)
            & (pl.col("period") == period)
        )
        if rows.is_empty():  # medians rest on case rows: none for returns
            rows_only = scope == ALL or scope in self.coverage
            return Statistic(None, None, 0, True, NOT_IN_RETURNS if rows_only else "")
        measure = dict(zip(rows["measure"], rows["value"], strict=True))
        missing = rows["missing"][0] if "missing" in rows.columns else None
        return Statistic(
            measure.get("median_days"),
            measure.get("p90_days"),
            int(rows["n"][0] or 0),  # no number of cases is kept for a withheld median
            bool(rows["withheld"][0]),
            note=coverage_note(missing, self.entities()),
        )

    def reported_through(self, scope: str) -> dt.date:
        """The first day of the last quarter reported for the scope (all entities: the earliest)."""
        dates = self.coverage.values() if scope == ALL else [self.coverage[scope]]
        return grid.last_complete_quarter(min(min(dates), self.cutoff))

    def missing_state(self, scope: str, period: grid.GridPeriod, breakdown: str) -> str:
        if scope in self.coverage or scope == ALL:
            last = (
                max(self.reported_through(e) for e in self.coverage)
                if scope == ALL
                else self.reported_through(scope)
            )
            if any(grid.quarter_first_day(q) > last for q in period.quarters):
                return NOT_REPORTED
        if breakdown != "total":
            return NOT_BROKEN_DOWN
        if scope in self.coverage:  # a figure the entity's returns do not carry
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
        for p in reversed(grid.meeting_periods(self.calendar, self.month_only)):
            if self.cell("allegations", "total", "total", scope, p.key) is not None:
                out[p.label] = p
        return out


def _published_cells(con, release_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A release's cells and statistics: written once when it is published and never changed, so
    read once per process (a brief regenerated after an edit, every page of every session)."""
    key = (store_identity(con.store), release_id) if hasattr(con, "store") else None
    kept = _CELLS.get(key) if key is not None else Bounded.MISSING
    if kept is not Bounded.MISSING:
        return kept
    cells = con.sql(
        """select family, breakdown, "group", scope, period, value, hidden,
                  coalesce(withdrawn, false) as withdrawn, missing, coalesce(public, false) as public
           from release_cells where release_id = $id""",
        params={"id": release_id},
    ).pl()
    stats = con.sql(
        """select statistic, measure, scope, period, n, value, withheld, missing
           from release_statistics where release_id = $id""",
        params={"id": release_id},
    ).pl()
    if key is not None and not in_transaction(con) and cells.height:
        _CELLS.put(key, (cells, stats))
    return cells, stats


_CELLS = Bounded(32)  # (store, release id) -> (cells, statistics)


def _load(con, row) -> Release:
    release_id, purpose, cutoff, meeting, coverage, audit, built_at = row
    cells, stats = _published_cells(con, release_id)
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
        month_only_meetings(con),
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


class ReleaseRefused(RuntimeError):
    """A release could not pass its audit: the previous one (if any) stays in force."""


def ensure(con, actor: str, role: str | None, day: dt.date | None = None) -> Release | None:
    """The published release for the data as of `day` (default: the latest), built, audited and
    published first when none rests on the data the warehouse holds. None when there are no case
    data by then; ReleaseRefused, naming why, when a new release failed its audit and no earlier
    one exists at that cut-off (the protection hides more until the audit passes, so this is a
    defect to report, never a state of the data)."""
    from pipelines.warehouse import retrying
    from psea.disclosure.cells import NothingToRelease
    from psea.disclosure.release import build, publish

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
        published = publish(con, built, purpose, actor, role, case_data_key(con, cutoff))
        if not published and latest(con, cutoff) is None:
            raise ReleaseRefused(
                f"the release of the case data as of {cutoff.isoformat()} did not pass its "
                f"audit ({len(built.audit.failed)} hidden figures could be worked out) and no "
                "earlier release of those data exists; report it to the analysts"
            )
        return True

    if not retrying(con, publish_if_stale, "release"):
        return None
    return latest(con, cutoff)


def in_force_id(con) -> str | None:
    """The id of the release the pages show: the one at the latest snapshot, else (data loaded
    since, its replacement not yet published) the latest published one. Asked once per snapshot
    of the store (every page asks on every rerun; the two queries take about 20 ms)."""
    store = getattr(con, "store", None)
    if store is None or in_transaction(con):
        return _in_force_id(con)
    key = (store_identity(store), read_snapshot(con))
    found = _IN_FORCE.get(key)
    if found is Bounded.MISSING:
        found = _in_force_id(con)
        _IN_FORCE.put(key, found)
    return found


_IN_FORCE = Bounded(64)


def _in_force_id(con) -> str | None:
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

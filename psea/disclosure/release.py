"""The protected release (docs/disclosure.md): the published case cells for roles without exact access.

`build` counts every fact family of the metric layer per entity and quarter of the grid, adds the
all-entities scope, the years and the meeting periods, relates them (breakdowns to their totals,
quarters to years and meeting periods, entities to all entities, the funnel's links), protects them
jointly (psea.disclosure.protect) and stores them with the audit's result. The release is written,
audited and only then published, in one transaction; a failed audit leaves the previous release in
force. Medians and percentiles are stored beside the cells, withheld when they rest on fewer than K.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.audit import record
from pipelines.warehouse import note_commit, transaction
from psea.disclosure import grid
from psea.disclosure.cells import ALL, STOCK, NothingToRelease, count_cells
from psea.disclosure.protect import AuditResult, Relation, protect
from psea.disclosure.relations import implied_relations, relate
from psea.disclosure.statistics import count_statistics, withhold_with_their_counts
from psea.disclosure.weights import cell_weights
from psea.settings import suppression_k


@dataclass
class Built:
    release_id: str
    # family, breakdown, group, scope, period, value (null when hidden), hidden, withdrawn (not
    # broken down), public (the UN publishes it), missing (entities an all-entities cell leaves out)
    cells: pl.DataFrame
    statistics: pl.DataFrame
    audit: AuditResult
    coverage: dict[str, str]  # entity -> the as_of of its case data
    cutoff: dt.date
    primary_hidden: int
    seconds: float
    values: np.ndarray | None = None  # the exact counts, in memory only (never stored)
    relations: list[Relation] | None = None
    lower: np.ndarray | None = None  # what a reader knows a hidden cell is at least (0 or 1)
    implied: list[Relation] | None = None


AS_OF_BREAKDOWNS = ("status", "action_taken")  # a case's status at the cut-off, not an event


def at_the_cutoff(period: pl.Expr, breakdown: pl.Expr) -> pl.Expr:
    """Cells that are a different figure at each cut-off: the open and overdue cases at it, and
    the allegations by their status at it (the UN's quarterly updates re-publish statuses too).
    Releases at different cut-offs share nothing of them."""
    return (period == STOCK) | breakdown.is_in(AS_OF_BREAKDOWNS)


def _earlier_releases(con, cutoff: dt.date, k: int, cells: pl.DataFrame) -> tuple:
    """What the releases already handed out tell about these cells: (keep_shown, keep_hidden).

    A cell an earlier release published with the value it has now stays published (withholding
    it would protect nothing: its value is out), and a cell an earlier release withheld while its
    value is unchanged stays withheld (publishing it now would give away what that release
    protected, and with it the cells around it). Hidden values are never stored, so an earlier
    release's cells are counted again at its own cut-off to tell whether a value changed; a
    revised value (a late report, a corrected re-send) is free, as docs/disclosure.md allows."""
    n = cells.height
    keep_shown, keep_hidden = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    earlier = con.sql(
        """select release_id, cutoff from releases
           where status in ('published', 'superseded') order by built_at""",
    ).fetchall()
    key = ["family", "breakdown", "group", "scope", "period"]
    at = cells.select(key).with_row_index("i")
    recounted: dict[dt.date, pl.DataFrame] = {}
    for release_id, earlier_cutoff in earlier:
        if earlier_cutoff not in recounted:
            try:
                recounted[earlier_cutoff] = count_cells(con, earlier_cutoff, k).cells
            except NothingToRelease:
                continue
        stored = con.sql(
            """select family, breakdown, "group", scope, period, hidden from release_cells
               where release_id = $id""",
            params={"id": release_id},
        ).pl()
        if earlier_cutoff != cutoff:  # figures as they stand at a cut-off differ with it
            stored = stored.filter(~at_the_cutoff(pl.col("period"), pl.col("breakdown")))
        then = stored.join(
            recounted[earlier_cutoff].select(*key, pl.col("value").alias("then")), on=key
        )
        same = (
            at.join(then, on=key)
            .join(cells.select(*key, "value"), on=key)
            .filter(pl.col("then") == pl.col("value"))
        )
        shown_ids = same.filter(~pl.col("hidden"))["i"].to_numpy()
        hidden_ids = same.filter(pl.col("hidden"))["i"].to_numpy()
        keep_shown[shown_ids] = True
        keep_hidden[hidden_ids] = True
    return keep_shown & ~keep_hidden, keep_hidden


def _breakdown_ids(cells: pl.DataFrame) -> np.ndarray:
    """A number per breakdown of one scope and period (its groups share it), -1 for totals: what
    the protection withholds as a whole when nothing else protects a small group."""
    grouped = (pl.col("breakdown") != "total") & (pl.col("group") != "total")
    ids = cells.select(
        pl.when(grouped)
        .then(pl.struct("family", "breakdown", "scope", "period").rank("dense"))
        .otherwise(0)
        .cast(pl.Int64)
        - 1
    ).to_series()
    return ids.to_numpy()


def _hold(relations: list[Relation], values: np.ndarray) -> None:
    """Every relation holds on the exact counts (else the release would state a falsehood, and the
    audit would prove nothing)."""
    broken = [r for r in relations if values[r.total] != values[list(r.members)].sum()]
    if broken:
        raise ValueError(
            f"{len(broken)} relations of the release do not add up (first: {broken[0]})"
        )


def build(con, cutoff: dt.date | None = None) -> Built:
    """Count, relate and protect every cell of the release as of `cutoff`, a snapshot date
    (default: the latest case data), consistently with the releases already handed out. When the
    cells earlier releases published leave no way to pass the audit, they may be withheld again
    (withholding them protects nothing they told, but the new release passes on its own)."""
    clock = time.perf_counter()
    k = suppression_k()
    counted = count_cells(con, cutoff, k)
    cells, coverage, rows_reach, reported = (
        counted.cells,
        counted.coverage,
        counted.rows_reach,
        counted.reported,
    )
    cutoff, quarter_keys, periods, chosen = (
        counted.cutoff,
        counted.quarter_keys,
        counted.periods,
        counted.chosen,
    )
    relations = relate(cells, periods, chosen)
    values = cells["value"].to_numpy()
    _hold(relations, values)
    implied = implied_relations(cells, periods)
    _hold(implied, values)
    keep_shown, keep_hidden = _earlier_releases(con, cutoff, k, cells)
    public = cells["public"].to_numpy()
    options = dict(
        weights=cell_weights(cells),
        implied=implied,
        keep_hidden=keep_hidden,
        group_of=_breakdown_ids(cells),
    )
    withdrawn = cells["withdrawn"].to_numpy()
    hidden, lower, result = protect(
        values,
        relations,
        k,
        locked=public | keep_shown,
        withdrawn=withdrawn & ~keep_shown,  # what a release handed out showed stays shown
        **options,
    )
    if not result.passed and keep_shown.any():
        hidden, lower, result = protect(
            values, relations, k, locked=public, withdrawn=withdrawn, **options
        )
    quarter_periods = [grid.quarter(q) for q in quarter_keys][-12:]
    # medians rest on case rows: all entities' over the entities that send them
    scopes = [*rows_reach, *([ALL] if rows_reach else [])]
    stats = count_statistics(
        con, cutoff, scopes, [*quarter_periods, *periods], reported, k, list(rows_reach)
    )
    as_of = {e: d.isoformat() for e, d in coverage.items()}
    known = result.known if result.known is not None else public
    published = cells.drop("cover").with_columns(
        pl.Series("hidden", hidden),
        pl.Series("withdrawn", lower == 0),
        # known outside this release: the UN publishes it, an earlier release did, or it follows
        # from those alone
        pl.Series("public", (public | (known & (values > 0))) & ~hidden),
        pl.when(pl.Series(hidden)).then(None).otherwise(pl.col("value")).alias("value"),
    )
    stats = withhold_with_their_counts(stats, published)
    return Built(
        release_id=f"R{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        cells=published,
        statistics=stats,
        audit=result,
        coverage=as_of,
        cutoff=cutoff,
        primary_hidden=int(((values > 0) & (values < k) & ~public).sum()),
        seconds=time.perf_counter() - clock,
        values=values,
        relations=relations,
        lower=lower,
        implied=implied,
    )


def publish(con, built: Built, purpose: str, actor: str, role: str | None, data_key: str) -> bool:
    """Write, audit, publish: one transaction. A release whose audit failed is recorded as failed
    (no cell of it is kept) and the previous release stays in force. True when published."""
    status = "published" if built.audit.passed else "failed"
    meeting = None
    with transaction(con):
        if status == "published":
            con.execute(
                "update releases set status = 'superseded' where status = 'published' and cutoff = $c",
                {"c": built.cutoff},
            )
            rows = built.cells.with_columns(pl.lit(built.release_id).alias("release_id"))  # noqa: F841
            con.execute(
                'insert into release_cells (release_id, family, breakdown, "group", scope, period, '
                "value, hidden, withdrawn, public, missing) "
                'select release_id, family, breakdown, "group", scope, period, value, hidden, '
                "withdrawn, public, missing from rows"
            )
            stats = built.statistics.with_columns(pl.lit(built.release_id).alias("release_id"))  # noqa: F841
            con.execute(
                "insert into release_statistics (release_id, statistic, measure, scope, period, n, "
                "value, withheld, missing) select release_id, statistic, measure, scope, period, n, "
                "value, withheld, missing from stats"
            )
        con.execute(
            """insert into releases (release_id, purpose, meeting_date, cutoff, coverage, status, cells,
                   hidden, primary_hidden, audit, seconds, data_key, built_at, built_by)
               values ($id, $purpose, $meeting, $cutoff, $coverage, $status, $cells, $hidden, $primary,
                   $audit, $seconds, $key, current_timestamp, $actor)""",
            {
                "id": built.release_id,
                "purpose": purpose,
                "meeting": meeting,
                "cutoff": built.cutoff,
                "coverage": json.dumps(built.coverage),
                "status": status,
                "cells": built.cells.height,
                "hidden": built.audit.hidden,
                "primary": built.primary_hidden,
                "audit": json.dumps(built.audit.as_dict()),
                "seconds": round(built.seconds, 3),
                "key": data_key,
                "actor": actor,
            },
        )
        note_commit(con, "releases", built.release_id, author=actor)
        record(
            con,
            actor,
            role,
            f"release_{status}",
            release_id=built.release_id,
            purpose=purpose,
            cutoff=built.cutoff,
            cells=built.cells.height,
            hidden=built.audit.hidden,
        )
    return status == "published"

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
from psea.disclosure.cells import ALL
from psea.disclosure.history import counted_at, earlier_releases, protect_with
from psea.disclosure.latent import Atoms, known_through_atoms
from psea.disclosure.protect import LATENT, AuditResult, Relation
from psea.disclosure.relations import implied_relations
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
    atoms: Atoms | None = None  # the open cases counted twice: unknowns, never stored (latent.py)


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
    (default: the latest case data), consistently with the releases already handed out: protected
    and audited together with them (psea.disclosure.history)."""
    clock = time.perf_counter()
    k = suppression_k()
    counted, relations = counted_at(con, cutoff, k)
    cells, coverage, rows_reach, reported = (
        counted.cells,
        counted.coverage,
        counted.rows_reach,
        counted.reported,
    )
    cutoff, quarter_keys, periods = counted.cutoff, counted.quarter_keys, counted.periods
    relations = list(relations)
    values = cells["value"].to_numpy()
    atoms = counted.atoms
    system = np.concatenate([values, atoms.values])
    _hold(relations, system)
    implied = implied_relations(cells, periods)
    _hold(implied, values)
    history = earlier_releases(con, cutoff, k, cells, relations, atoms)
    public = cells["public"].to_numpy()
    public = public | known_through_atoms(cells, values, relations, atoms, public, k)
    hidden, lower, result = protect_with(
        system,
        relations,
        k,
        history,
        public=public,
        withdrawn=cells["withdrawn"].to_numpy(),
        weights=cell_weights(cells),
        group_of=_breakdown_ids(cells),
        implied=implied,
        atoms=len(atoms),
        known=atoms.known,
    )
    n = cells.height
    hidden, lower = hidden[:n], lower[:n]
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
        relations=[r for r in relations if r.kind != LATENT],
        lower=lower,
        implied=implied,
        atoms=atoms,
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

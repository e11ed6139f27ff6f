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

import polars as pl

from pipelines.audit import record
from psea.disclosure import grid
from psea.disclosure.protect import AuditResult, Relation, protect
from psea.metrics import cases, facts
from psea.metrics.catalog import case_coverage, meeting_dates
from psea.settings import suppression_k

ALL = "ALL"  # the all-entities scope
STOCK = "cut-off"  # the period key of figures counted at the cut-off (overdue investigations)
# Links between breakdowns of one family, beyond each breakdown adding up to the total.
STATISTICS = {  # name -> (metric function, its n, its value keys)
    "days_to_assessment": (cases.days_to_assessment, ("median_days", "p90_days")),
    "investigation_duration": (cases.investigation_duration, ("median_days", "p90_days")),
    "days_to_needs_assessment": (cases.victim_assistance, ("median_days_to_needs_assessment",)),
}


@dataclass
class Built:
    release_id: str
    cells: pl.DataFrame  # family, breakdown, group, scope, period, value (null when hidden), hidden
    statistics: pl.DataFrame
    audit: AuditResult
    coverage: dict[str, str]  # entity -> the as_of of its case data
    cutoff: dt.date
    primary_hidden: int
    seconds: float


def breakdown_periods(
    quarters: list[str], years: list[grid.GridPeriod], meetings: list[grid.GridPeriod]
) -> list[grid.GridPeriod]:
    """The periods whose breakdowns are published: meeting periods, the quarters of the last two
    calendar years, then years, each kept only when the set stays laminar (any two periods are
    disjoint or nested) and every period holding others is exactly covered by them. Then no
    difference of two published periods is a period that is not published (Year 2016 minus the
    meeting periods inside it would otherwise give a quarter)."""
    recent_years = sorted({q[:4] for q in quarters})[-2:]
    chosen: list[grid.GridPeriod] = []

    def fits(candidate: grid.GridPeriod) -> bool:
        span, inside = set(candidate.quarters), []
        for p in chosen:
            other = set(p.quarters)
            if not span & other:
                continue
            if other <= span:
                inside.append(other)
            else:  # inside a published period, or across one: a difference would leak
                return False
        return not inside or set().union(*inside) == span

    for candidate in [
        *meetings,
        *[grid.quarter(q) for q in quarters if q[:4] in recent_years],
        *years,
    ]:
        if fits(candidate):
            chosen.append(candidate)
    return chosen


def _quarter_frame(con, cutoff: dt.date, reported: dict[str, dt.date]) -> pl.DataFrame:
    """Every family's counts per entity and grid quarter, zeros included, up to each entity's last
    reported quarter."""
    first_quarter = None
    frames = []
    for name, fam in facts.families().items():
        counted = facts.count_by_quarter(con, name, cutoff).with_columns(
            pl.lit(name).alias("family")
        )
        frames.append(counted)
        if name == "allegations" and counted.height:
            first_quarter = counted["quarter"].min()
    if first_quarter is None:
        return pl.DataFrame()
    observed = pl.concat(frames)
    keys = []
    for name, fam in facts.families().items():
        seen = observed.filter(pl.col("family") == name)
        keys.append((name, "total", "total"))
        for b in fam.breakdowns:
            groups = set(fam.groups.get(b, ())) | set(
                seen.filter(pl.col("breakdown") == b)["group"].to_list()
            )
            keys += [(name, b, g) for g in sorted(groups)]
    key_frame = pl.DataFrame(keys, schema=["family", "breakdown", "group"], orient="row")
    grids = []
    for entity, last in reported.items():
        quarters = [grid.quarter_first_day(q) for q in grid.quarters_between(first_quarter, last)]
        grids.append(pl.DataFrame({"entity": entity, "quarter": quarters}))
    frame = key_frame.join(pl.concat(grids), how="cross")
    return (
        frame.join(observed, on=["family", "breakdown", "group", "entity", "quarter"], how="left")
        .with_columns(
            pl.col("count").fill_null(0),
            pl.col("quarter")
            .map_elements(grid.quarter_key, return_dtype=pl.String)
            .alias("period"),
        )
        .rename({"entity": "scope"})
        .select("family", "breakdown", "group", "scope", "period", pl.col("count").alias("value"))
    )


def _derived(quarters: pl.DataFrame, periods: list[grid.GridPeriod]) -> pl.DataFrame:
    """Years and meeting periods as sums of their quarters, where every quarter is reported."""
    parts = []
    for p in periods:
        need = len(p.quarters)
        part = (
            quarters.filter(pl.col("period").is_in(p.quarters))
            .group_by("family", "breakdown", "group", "scope")
            .agg(pl.col("value").sum(), pl.len().alias("n"))
            .filter(pl.col("n") == need)
            .drop("n")
            .with_columns(pl.lit(p.key).alias("period"))
        )
        parts.append(part)
    return pl.concat(parts).select(quarters.columns) if parts else quarters.clear()


def _all_entities(frame: pl.DataFrame, entities: list[str]) -> pl.DataFrame:
    """The all-entities scope, only where every entity has the cell (no partly reported sum)."""
    return (
        frame.group_by("family", "breakdown", "group", "period")
        .agg(pl.col("value").sum(), pl.col("scope").n_unique().alias("n"))
        .filter(pl.col("n") == len(entities))
        .drop("n")
        .with_columns(pl.lit(ALL).alias("scope"))
        .select(frame.columns)
    )


def _children(chosen: list[grid.GridPeriod]) -> dict[str, list[str]]:
    """Each published breakdown period held by others -> the largest ones inside it (they cover it)."""
    out = {}
    for p in chosen:
        span = set(p.quarters)
        inside = [o for o in chosen if o.key != p.key and set(o.quarters) <= span]
        top = [
            o
            for o in inside
            if not any(o.key != x.key and set(o.quarters) < set(x.quarters) for x in inside)
        ]
        if top and set().union(*(set(o.quarters) for o in top)) == span:
            out[p.key] = [o.key for o in top]
    return out


def _relations(
    cells: pl.DataFrame, periods: list[grid.GridPeriod], chosen: list[grid.GridPeriod]
) -> list[Relation]:
    """Every additive relation among the cells: breakdowns to their totals, quarters to years and
    meeting periods (totals) and published periods to the published periods inside them
    (breakdowns), entities to all entities, and the cross links of CROSS."""
    key_cols = ["family", "breakdown", "group", "scope", "period"]
    index = {tuple(row): i for i, row in enumerate(cells.select(key_cols).iter_rows())}
    relations: list[Relation] = []

    def add(total, members) -> None:
        if total in index and members and all(m in index for m in members):
            relations.append(Relation(index[total], tuple(index[m] for m in members)))

    groups: dict[tuple, list] = {}
    for fam, brk, grp, scope, period in index:
        if brk != "total":
            groups.setdefault((fam, brk, scope, period), []).append(grp)
    for (fam, brk, scope, period), members in groups.items():
        top = ("status", "substantiated") if brk == "action_taken" else ("total", "total")
        add((fam, *top, scope, period), [(fam, brk, g, scope, period) for g in members])
    scopes = sorted({k[3] for k in index} - {ALL})
    series = {(f, b, g) for f, b, g, _, _ in index}
    period_keys = {k[4] for k in index}
    children = _children(chosen)
    for fam, brk, grp in series:
        for period in period_keys:  # entities -> all entities
            add((fam, brk, grp, ALL, period), [(fam, brk, grp, s, period) for s in scopes])
        for scope in [*scopes, ALL]:
            if brk == "total":  # quarters -> year, meeting period
                for p in periods:
                    add(
                        (fam, brk, grp, scope, p.key),
                        [(fam, brk, grp, scope, q) for q in p.quarters],
                    )
            else:
                for parent, kids in children.items():
                    add((fam, brk, grp, scope, parent), [(fam, brk, grp, scope, c) for c in kids])
    return relations


def _statistics(
    con, scopes: list[str], periods: list[grid.GridPeriod], reported, k
) -> pl.DataFrame:
    """Medians and 90th percentiles per scope and grid period, withheld below K cases."""
    rows = []
    for p in periods:
        for scope in scopes:
            if scope != ALL and any(
                grid.quarter_first_day(q) > reported[scope] for q in p.quarters
            ):
                continue
            if scope == ALL and any(
                grid.quarter_first_day(q) > last for q in p.quarters for last in reported.values()
            ):
                continue
            period = p.period
            for name, (fn, keys) in STATISTICS.items():
                row = fn(con, period, None if scope == ALL else scope)
                n = row.get("n", row.get("needs_assessed", 0))
                for key in keys:
                    value = row[key]
                    withheld = n < k
                    rows.append(
                        (name, key, scope, p.key, int(n), None if withheld else value, withheld)
                    )
    return pl.DataFrame(
        rows,
        schema={
            "statistic": pl.String,
            "measure": pl.String,
            "scope": pl.String,
            "period": pl.String,
            "n": pl.Int64,
            "value": pl.Float64,
            "withheld": pl.Boolean,
        },
        orient="row",
    )


def build(con, cutoff: dt.date | None = None, meeting: dt.date | None = None) -> Built:
    """Count, relate and protect every cell of the release as of `cutoff` (default: the latest
    case data); for a meeting, the data of that meeting (the latest snapshots not after it)."""
    clock = time.perf_counter()
    k = suppression_k()
    coverage = case_coverage(con, meeting or cutoff)
    cutoff = meeting or cutoff or max(coverage.values())
    reported = {e: grid.last_complete_quarter(min(as_of, cutoff)) for e, as_of in coverage.items()}
    atoms = _quarter_frame(con, cutoff, reported).filter(
        (pl.col("breakdown") != "action_taken") | (pl.col("group") != "not_substantiated")
    )  # substantiated cases with and without an action add up to the substantiated status
    calendar = meeting_dates(con)
    quarter_keys = sorted(set(atoms["period"]))
    last = max(reported.values())
    years = [grid.year(y) for y in range(int(quarter_keys[0][:4]), last.year + 1)]
    meetings = [p for p in grid.meeting_periods(calendar) if p.end <= cutoff]
    periods = [*years, *meetings]
    chosen = breakdown_periods(quarter_keys, years, meetings)
    totals = atoms.filter(pl.col("breakdown") == "total")
    split = atoms.filter(pl.col("breakdown") != "total")
    cells = pl.concat(
        [
            totals,
            _derived(totals, periods),
            split.filter(pl.col("period").is_in([p.key for p in chosen])),
            _derived(split, [p for p in chosen if p.kind != "quarter"]),
        ]
    )
    overdue = pl.DataFrame(
        {
            "family": "overdue",
            "breakdown": "total",
            "group": "total",
            "scope": list(coverage),
            "period": STOCK,
            "value": [cases.overdue_investigations(con, cutoff, e) for e in coverage],
        },
        schema=cells.schema,
    )
    cells = pl.concat([cells, overdue])
    cells = pl.concat([cells, _all_entities(cells, list(coverage))])
    relations = _relations(cells, periods, chosen)
    values = cells["value"].to_numpy()
    hidden, result = protect(values, relations, k)
    quarter_periods = [grid.quarter(q) for q in quarter_keys][-12:]
    stats = _statistics(con, [*coverage, ALL], [*quarter_periods, *periods], reported, k)
    as_of = {e: d.isoformat() for e, d in coverage.items()}
    published = cells.with_columns(
        pl.Series("hidden", hidden),
        pl.when(pl.Series(hidden)).then(None).otherwise(pl.col("value")).alias("value"),
    )
    return Built(
        release_id=f"R{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        cells=published,
        statistics=stats,
        audit=result,
        coverage=as_of,
        cutoff=cutoff,
        primary_hidden=int(((values > 0) & (values < k)).sum()),
        seconds=time.perf_counter() - clock,
    )


def publish(con, built: Built, purpose: str, actor: str, role: str | None, data_key: str) -> bool:
    """Write, audit, publish: one transaction. A release whose audit failed is recorded as failed
    (no cell of it is kept) and the previous release stays in force. True when published."""
    status = "published" if built.audit.passed else "failed"
    meeting = built.cutoff if purpose == "meeting" else None
    con.execute("begin transaction")
    try:
        if status == "published":
            con.execute(
                "update releases set status = 'superseded' where status = 'published' and purpose = $p "
                "and meeting_date is not distinct from $m",
                {"p": purpose, "m": meeting},
            )
            rows = built.cells.with_columns(pl.lit(built.release_id).alias("release_id"))  # noqa: F841
            con.execute(
                'insert into release_cells (release_id, family, breakdown, "group", scope, period, value, hidden) '
                'select release_id, family, breakdown, "group", scope, period, value, hidden from rows'
            )
            stats = built.statistics.with_columns(pl.lit(built.release_id).alias("release_id"))  # noqa: F841
            con.execute(
                "insert into release_statistics (release_id, statistic, measure, scope, period, n, value, withheld) "
                "select release_id, statistic, measure, scope, period, n, value, withheld from stats"
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
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return status == "published"

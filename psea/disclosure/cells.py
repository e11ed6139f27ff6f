"""The release's cells, counted exactly before any protection: every fact family of the metric
layer per entity and grid quarter (an entity's case rows, or the quarters and breakdowns its returns
carry), the years, meeting periods and the quarters since the last meeting as sums of their quarters,
the open and overdue cases at each entity's data date, and all entities together over the entities
that report each cell (with the coverage of that sum). Each cell knows whether it is public (the UN
publishes it) and whether its breakdown is withheld as a whole ("not broken down": too little to
break down, or no way to protect its small groups)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from psea.disclosure import grid
from psea.disclosure.breakdowns import ALL, STOCK, public, top_of, withdrawn
from psea.disclosure.latent import Atoms, atoms_of
from psea.metrics import facts
from psea.metrics.catalog import case_coverage, meeting_dates, month_only_meetings


class NothingToRelease(ValueError):
    """The case data hold no complete quarter yet: there is no cell to publish."""


def breakdown_periods(
    quarters: list[str], years: list[grid.GridPeriod], meetings: list[grid.GridPeriod]
) -> list[grid.GridPeriod]:
    """The periods whose breakdowns are published: meeting periods, then years, then the quarters
    of the last two calendar years (those of a year not yet complete), each kept only when the set stays laminar (any two periods are
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
        *years,
        *[grid.quarter(q) for q in quarters if q[:4] in recent_years],
    ]:
        if fits(candidate):
            chosen.append(candidate)
    return chosen


def _quarter_frame(
    con, cutoff: dt.date, reported: dict[str, dt.date], rows_reach: dict[str, dt.date]
) -> pl.DataFrame:
    """Every family's counts per entity and grid quarter, zeros included: for an entity's case
    rows every cell up to their last reported quarter; for its returns the quarters and
    breakdowns they carry (a breakdown a return does not carry has no cell: not broken down)."""
    first_quarter = None
    frames = []
    for name in facts.families():
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
    grids = [pl.DataFrame(schema={"entity": pl.String, "quarter": pl.Date})]
    for entity, reach in rows_reach.items():
        last = grid.last_complete_quarter(min(reach, cutoff))
        quarters = [grid.quarter_first_day(q) for q in grid.quarters_between(first_quarter, last)]
        grids.append(
            pl.DataFrame(
                {"entity": [entity] * len(quarters), "quarter": quarters},
                schema={"entity": pl.String, "quarter": pl.Date},
            )
        )
    returned = facts.return_cells(con, cutoff).filter(pl.col("entity").is_in(list(reported)))
    nothing = returned.filter((pl.col("breakdown") == "total") & (pl.col("count") == 0))
    every_breakdown = pl.DataFrame(  # a zero total breaks down into zeros, whatever the breakdown
        [(name, b) for name, fam in facts.families().items() for b in fam.breakdowns],
        schema=["family", "breakdown"],
        orient="row",
    )
    carried = pl.concat(
        [
            returned.select("entity", "quarter", "family", "breakdown"),
            nothing.select("entity", "quarter", "family").join(every_breakdown, on="family"),
        ]
    ).unique()
    frame = pl.concat(
        [
            key_frame.join(pl.concat(grids), how="cross").select(
                "family", "breakdown", "group", "entity", "quarter"
            ),
            key_frame.join(carried, on=["family", "breakdown"]).select(
                "family", "breakdown", "group", "entity", "quarter"
            ),
        ]
    )
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


KEY = ["family", "breakdown", "group", "scope", "period"]
OVERDUE = "overdue"  # the stock of overdue cases: from case rows' open cases, or a return's own


def periods_inside(chosen: list[grid.GridPeriod]) -> dict[str, list[str]]:
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


def _stock_cells(con, coverage: dict[str, dt.date], cutoff: dt.date, schema) -> pl.DataFrame:
    """The stock families (facts.stocks: the open cases) per entity at the date of its own data
    (never past the cut-off), every fixed group present, in the period STOCK."""
    days = {e: min(d, cutoff) for e, d in coverage.items()}
    parts = []
    for name, fam in facts.stocks().items():
        counted = facts.count_stock_by_entity(con, name, days)
        keys = [("total", "total")] + [(b, g) for b in fam.breakdowns for g in fam.groups[b]]
        frame = pl.DataFrame(
            [(b, g, e) for b, g in keys for e in days],
            schema={"breakdown": pl.String, "group": pl.String, "entity": pl.String},
            orient="row",
        )
        parts.append(
            frame.join(counted, on=["breakdown", "group", "entity"], how="left").select(
                pl.lit(name).alias("family"),
                "breakdown",
                "group",
                pl.col("entity").alias("scope"),
                pl.lit(STOCK).alias("period"),
                pl.col("count").fill_null(0).alias("value"),
            )
        )
    return pl.concat(parts).cast(schema) if parts else pl.DataFrame(schema=schema)


@dataclass
class Counted:
    cells: pl.DataFrame  # family, breakdown, group, scope, period, value (exact)
    coverage: dict[str, dt.date]
    rows_reach: dict[str, dt.date]
    reported: dict[str, dt.date]
    cutoff: dt.date
    quarter_keys: list[str]
    periods: list[grid.GridPeriod]
    chosen: list[grid.GridPeriod]
    atoms: Atoms  # the open cases counted twice (psea.disclosure.latent)


def _overdue_cells(
    con, cutoff: dt.date, stocks: pl.DataFrame, returns: set[str], schema
) -> pl.DataFrame:
    """Each entity's overdue cases at the date of its data: from its case rows, the open cases of
    the age buckets past the overdue rule; from its returns, the figure they state."""
    over = facts.overdue_groups()
    rows = (
        stocks.filter(
            (pl.col("family") == "open_cases")
            & (pl.col("breakdown") == "age")
            & pl.col("group").is_in(over)
        )
        .group_by("scope")
        .agg(pl.col("value").sum())
    )
    stated = {e: n for e, n in facts.return_stock(con, OVERDUE, cutoff).items() if e in returns}
    frame = pl.concat(
        [
            rows,
            pl.DataFrame(
                {"scope": list(stated), "value": list(stated.values())},
                schema={"scope": pl.String, "value": pl.Int64},
            ),
        ],
        how="vertical_relaxed",
    )
    return frame.select(
        pl.lit(OVERDUE).alias("family"),
        pl.lit("total").alias("breakdown"),
        pl.lit("total").alias("group"),
        "scope",
        pl.lit(STOCK).alias("period"),
        "value",
    ).cast(schema)


def _period_quarters(periods: list[grid.GridPeriod]) -> dict[str, tuple[str, ...]]:
    return {p.key: p.quarters for p in periods}


def _all_entities(
    cells: pl.DataFrame, entities: list[str], reported: dict[str, dt.date], spans: dict
) -> pl.DataFrame:
    """The all-entities scope: each cell the sum over the entities that report it, with `cover`
    (the entities summed) and `missing` (the others, each as "ENTITY:not_reported" when its data
    do not reach the period, else "ENTITY:not_carried": its returns do not carry the figure)."""
    summed = (
        cells.group_by("family", "breakdown", "group", "period")
        .agg(pl.col("value").sum(), pl.col("scope").sort().alias("cover"))
        .with_columns(pl.lit(ALL).alias("scope"))
    )

    def missing(period: str, cover: list[str]) -> str | None:
        out = []
        for e in entities:
            if e in cover:
                continue
            quarters = spans.get(period, ())
            late = any(grid.quarter_first_day(q) > reported[e] for q in quarters)
            out.append(f"{e}:{'not_reported' if late else 'not_carried'}")
        return ",".join(out) or None

    return summed.with_columns(
        pl.struct("period", "cover")
        .map_elements(lambda r: missing(r["period"], r["cover"]), return_dtype=pl.String)
        .alias("missing")
    )


def _covered_tops(all_cells: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """Where the all-entities groups of a breakdown sum fewer entities than its total (a return
    that does not carry the breakdown), the total of those entities: (family, breakdown, "total",
    ALL, period), the sum its groups add up to."""
    groups = (
        all_cells.filter((pl.col("breakdown") != "total") & (pl.col("group") != "total"))
        .group_by("family", "breakdown", "period")
        .agg(pl.col("cover").first(), pl.col("missing").first())
    )
    index = {
        (f, b, g, p): (cover, value)
        for f, b, g, p, cover, value in all_cells.select(
            "family", "breakdown", "group", "period", "cover", "value"
        ).iter_rows()
    }
    entity_value = {
        (f, b, g, s, p): v
        for f, b, g, s, p, v in cells.select(
            "family", "breakdown", "group", "scope", "period", "value"
        ).iter_rows()
    }
    rows = []
    tops: dict[tuple[str, str], tuple[str, str]] = {}
    for family, breakdown, period, cover, gap in groups.iter_rows():
        if (family, breakdown) not in tops:
            tops[family, breakdown] = top_of(family, breakdown)
        top = tops[family, breakdown]
        whole = index.get((family, *top, period))
        if whole is None or list(whole[0]) == list(cover):
            continue
        parts = [entity_value.get((family, *top, e, period)) for e in cover]
        if None in parts:
            continue
        rows.append((family, breakdown, "total", period, sum(parts), list(cover), ALL, gap))
    return pl.DataFrame(
        rows,
        schema={
            "family": pl.String,
            "breakdown": pl.String,
            "group": pl.String,
            "period": pl.String,
            "value": pl.Int64,
            "cover": pl.List(pl.String),
            "scope": pl.String,
            "missing": pl.String,
        },
        orient="row",
    )


def count_cells(con, cutoff: dt.date | None, k: int) -> Counted:
    """Every cell of the release as of `cutoff`, exact, before any protection."""
    coverage = case_coverage(con, cutoff)
    cutoff = cutoff or max(coverage.values())
    rows_reach = case_coverage(con, cutoff, rows_only=True)
    reported = {e: grid.last_complete_quarter(min(as_of, cutoff)) for e, as_of in coverage.items()}
    atoms = _quarter_frame(con, cutoff, reported, rows_reach).filter(
        (pl.col("breakdown") != "action_taken") | (pl.col("group") != "not_substantiated")
    )  # substantiated cases with and without an action add up to the substantiated status
    calendar, month_only = meeting_dates(con), month_only_meetings(con)
    quarter_keys = sorted(set(atoms["period"])) if atoms.height else []
    if not quarter_keys:
        raise NothingToRelease(f"no complete quarter of case data as of {cutoff.isoformat()}")
    last = max(reported.values())
    last_year = last.year if last.month == 10 else last.year - 1  # complete years only
    years = [grid.year(y) for y in range(int(quarter_keys[0][:4]), last_year + 1)]
    meetings = [p for p in grid.meeting_periods(calendar, month_only) if p.end <= cutoff]
    spans = [s for s in [grid.open_span(cutoff, calendar, month_only)] if s is not None]
    periods = [*years, *meetings, *spans]
    chosen = breakdown_periods(quarter_keys, years, [*meetings, *spans])
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
    cases_rows = {e: d for e, d in coverage.items() if e in rows_reach}
    stocks = _stock_cells(con, cases_rows, cutoff, cells.schema)
    cells = pl.concat(
        [
            cells,
            stocks,
            _overdue_cells(con, cutoff, stocks, set(coverage) - set(rows_reach), cells.schema),
        ]
    )
    spans_of = _period_quarters([*periods, *(grid.quarter(q) for q in quarter_keys)])
    entities = sorted(coverage)
    all_cells = _all_entities(cells, entities, reported, spans_of)
    tops = _covered_tops(all_cells, cells)
    cells = pl.concat(
        [
            cells.with_columns(
                pl.lit(None, dtype=pl.List(pl.String)).alias("cover"),
                pl.lit(None, dtype=pl.String).alias("missing"),
            ),
            all_cells.select(*cells.columns, "cover", "missing"),
            tops.select(*cells.columns, "cover", "missing"),
        ]
    )
    cells = withdrawn(public(cells, entities), k).sort(
        "family", "breakdown", "group", "scope", "period"
    )  # in one order, so the same data always give the same release
    index = {key: i for i, key in enumerate(cells.select(KEY).iter_rows())}
    data_dates = {e: min(d, cutoff) for e, d in cases_rows.items()}
    rows_through = {e: grid.last_complete_quarter(min(d, cutoff)) for e, d in rows_reach.items()}
    atoms = atoms_of(con, index, data_dates, quarter_keys[0], spans_of, rows_through)
    return Counted(
        cells, coverage, rows_reach, reported, cutoff, quarter_keys, periods, chosen, atoms
    )

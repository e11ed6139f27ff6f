"""The release's cells, counted exactly before any protection: every fact family of the metric
layer per entity and grid quarter (an entity's case rows, or the quarters and breakdowns its returns
carry), the years and meeting periods as sums of their quarters, the open cases at each entity's data
date, and all entities together; breakdowns only where there is enough to break down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from psea.disclosure import grid
from psea.metrics import facts
from psea.metrics.catalog import case_coverage, meeting_dates

ALL = "ALL"  # the all-entities scope


STOCK = grid.STOCK  # the period key of figures counted at the cut-off (the open cases)


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


BREAKDOWN_MINIMUM = 2  # times K: a period's total below it is not broken down


def _enough_to_break_down(
    cells: pl.DataFrame, chosen: list[grid.GridPeriod], k: int
) -> pl.DataFrame:
    """Breakdowns only where there is enough to break down: a family's breakdowns of a period are
    published for every entity when every entity's total reaches BREAKDOWN_MINIMUM x K, else for
    all entities together when theirs does, else not at all. A period holding others keeps a
    scope's breakdowns only when each period inside it does (so no difference of two published
    periods is an unpublished one). Small totals give mostly hidden cells anyway; this keeps the
    release's linked tables from being mostly hidden zeros and ones."""
    floor = BREAKDOWN_MINIMUM * k
    totals = cells.filter(pl.col("breakdown") == "total").select(
        "family", "scope", "period", pl.col("value").alias("total")
    )
    level = (
        totals.with_columns((pl.col("scope") == ALL).alias("is_all"))
        .group_by("family", "period", "is_all")
        .agg((pl.col("total") >= floor).all().alias("enough"))
    )
    keep: dict[tuple[str, str], str] = {}  # (family, period) -> "entities" | "all" | "none"
    for family, period, is_all, enough in level.iter_rows():
        current = keep.get((family, period), "none")
        if not is_all and enough:
            keep[(family, period)] = "entities"
        elif is_all and enough and current == "none":
            keep[(family, period)] = "all"
    rank = {"none": 0, "all": 1, "entities": 2}
    children = periods_inside(chosen)
    for parent, kids in children.items():  # a parent shows no more than its least child
        for family in {f for f, _ in keep}:
            least = min((keep.get((family, c), "none") for c in kids), key=rank.get)
            if rank[keep.get((family, parent), "none")] > rank[least]:
                keep[(family, parent)] = least
    decision = pl.DataFrame(
        [(f, p, v) for (f, p), v in keep.items()],
        schema={"family": pl.String, "period": pl.String, "keep": pl.String},
        orient="row",
    )
    split = cells.filter(pl.col("breakdown") != "total").join(
        decision, on=["family", "period"], how="left"
    )
    split = split.filter(
        (pl.col("keep") == "entities") | ((pl.col("keep") == "all") & (pl.col("scope") == ALL))
    ).drop("keep")
    return pl.concat([cells.filter(pl.col("breakdown") == "total"), split])


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


def _returned_overdue(con, cutoff: dt.date, entities: set[str], schema) -> pl.DataFrame:
    """A return entity's overdue cases (open more than the overdue days since received, at the end
    of its latest quarter) as its one open-cases cell: the age group past the overdue days. Its
    other open-case cells are not reported, so all entities' open cases by stage and age are not
    published while any entity sends returns; their overdue cases are."""
    (over,) = facts.overdue_groups() if len(facts.overdue_groups()) == 1 else (None,)
    stated = {e: n for e, n in facts.return_stock(con, "overdue", cutoff).items() if e in entities}
    if over is None or not stated:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(
        {
            "family": "open_cases",
            "breakdown": "age",
            "group": over,
            "scope": list(stated),
            "period": STOCK,
            "value": list(stated.values()),
        },
        schema=schema,
    )


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


def count_cells(con, cutoff: dt.date | None, k: int) -> Counted:
    """Every cell of the release as of `cutoff`, exact, before any protection."""
    coverage = case_coverage(con, cutoff)
    cutoff = cutoff or max(coverage.values())
    rows_reach = case_coverage(con, cutoff, rows_only=True)
    reported = {e: grid.last_complete_quarter(min(as_of, cutoff)) for e, as_of in coverage.items()}
    atoms = _quarter_frame(con, cutoff, reported, rows_reach).filter(
        (pl.col("breakdown") != "action_taken") | (pl.col("group") != "not_substantiated")
    )  # substantiated cases with and without an action add up to the substantiated status
    calendar = meeting_dates(con)
    quarter_keys = sorted(set(atoms["period"])) if atoms.height else []
    if not quarter_keys:
        raise NothingToRelease(f"no complete quarter of case data as of {cutoff.isoformat()}")
    last = max(reported.values())
    last_year = last.year if last.month == 10 else last.year - 1  # complete years only
    years = [grid.year(y) for y in range(int(quarter_keys[0][:4]), last_year + 1)]
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
    cases_rows = {e: d for e, d in coverage.items() if e in rows_reach}
    cells = pl.concat(
        [
            cells,
            _stock_cells(con, cases_rows, cutoff, cells.schema),
            _returned_overdue(con, cutoff, set(coverage) - set(rows_reach), cells.schema),
        ]
    )
    cells = pl.concat([cells, _all_entities(cells, list(coverage))])
    cells = _enough_to_break_down(cells, chosen, k).sort(
        "family", "breakdown", "group", "scope", "period"
    )  # in one order, so the same data always give the same release
    return Counted(cells, coverage, rows_reach, reported, cutoff, quarter_keys, periods, chosen)

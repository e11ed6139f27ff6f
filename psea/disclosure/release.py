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
from psea.disclosure.protect import AuditResult, Relation, protect
from psea.metrics import cases, facts
from psea.metrics.catalog import case_coverage, meeting_dates
from psea.settings import suppression_k

ALL = "ALL"  # the all-entities scope
STOCK = grid.STOCK  # the period key of figures counted at the cut-off (the open cases)
# Links between breakdowns of one family, beyond each breakdown adding up to the total.


class NothingToRelease(ValueError):
    """The case data hold no complete quarter yet: there is no cell to publish."""


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
    values: np.ndarray | None = None  # the exact counts, in memory only (never stored)
    relations: list[Relation] | None = None


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
    children = _children(chosen)
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
        top = _within(fam, brk) or top
        add((fam, *top, scope, period), [(fam, brk, g, scope, period) for g in members])
        if brk == "un_personnel_group":  # the UN's groups are sums of the personnel groups
            for g in members:
                parts = facts.AGENCY_PERSONNEL if g == "agencies_funds_programmes" else (g,)
                add(
                    (fam, brk, g, scope, period),
                    [(fam, "personnel_group", p, scope, period) for p in parts],
                )
    _link_relations(index, add)
    scopes = sorted({k[3] for k in index} - {ALL})
    series = sorted({(f, b, g) for f, b, g, _, _ in index})  # sorted: one release per data
    period_keys = sorted({k[4] for k in index})
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


def _within(name: str, breakdown: str) -> tuple[str, str] | None:
    """The group a breakdown partitions when it is not the family's total (facts.Family.within)."""
    found = {**facts.families(), **facts.stocks()}.get(name)
    return found.within.get(breakdown) if found else None


def _link_relations(index: dict, add) -> None:
    """The sums a family declares among its breakdowns' groups (facts.Family.links: a cross
    breakdown adds up to each of its parents' groups), per scope and period."""
    linked = {
        name: fam.links for name, fam in {**facts.families(), **facts.stocks()}.items() if fam.links
    }
    places = {(f, s, p) for f, _, _, s, p in index if f in linked}
    for fam, scope, period in places:
        for (brk, grp), members in linked[fam]:
            add((fam, brk, grp, scope, period), [(fam, b, g, scope, period) for b, g in members])


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


# The cost of withholding a cell grows with its level (tau-ARGUS's cost weights): a group of a
# fine, little-read breakdown goes first, then the other breakdowns' groups, then the figures'
# totals (dearest for the headline figures and the quarters and meeting periods the trend and the
# brief show), each dearer again for all entities. Within a level the smaller count goes first.
FINE_BREAKDOWNS = {
    "allegations": ("region", "incident_year", "reporting_channel", "personnel_group", "delay"),
    "services": ("service",),
    "actions": ("action",),
    "victims": ("needs_assessed", "declined"),
    "findings": ("duration",),
}
HEADLINE_FAMILIES = ("allegations", "victims", "investigations_opened", "findings")
WEIGHT_FINE_GROUP = 1.0
WEIGHT_GROUP = 3.0
WEIGHT_TOTAL = {"year": 30.0, "quarter": 60.0, "meeting": 60.0, "stock": 60.0}
WEIGHT_HEADLINE = 2.0  # times a total's weight, for HEADLINE_FAMILIES
WEIGHT_ALL = 3.0  # times any weight, for the all-entities scope


def _period_kind(period: str) -> str:
    if period == STOCK:
        return "stock"
    if period.startswith("M"):
        return "meeting"
    return "quarter" if "Q" in period else "year"


def _weights(cells: pl.DataFrame) -> np.ndarray:
    """Each cell's weight (see FINE_BREAKDOWNS): the cost of withholding it is weight x (count + 1)."""
    fine = pl.DataFrame(
        [(f, b) for f, bs in FINE_BREAKDOWNS.items() for b in bs],
        schema={"family": pl.String, "breakdown": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("fine"))
    total = pl.col("period").map_elements(
        lambda p: WEIGHT_TOTAL[_period_kind(p)], return_dtype=pl.Float64
    ) * pl.when(pl.col("family").is_in(HEADLINE_FAMILIES)).then(WEIGHT_HEADLINE).otherwise(1.0)
    weight = (
        cells.select("family", "breakdown", "scope", "period")
        .join(fine, on=["family", "breakdown"], how="left", maintain_order="left")
        .select(
            pl.when(pl.col("breakdown") == "total")
            .then(total)
            .when(pl.col("fine").fill_null(False))
            .then(WEIGHT_FINE_GROUP)
            .otherwise(WEIGHT_GROUP)
            * pl.when(pl.col("scope") == ALL).then(WEIGHT_ALL).otherwise(1.0)
        )
        .to_series()
    )
    return weight.to_numpy()


def _implied(cells: pl.DataFrame, periods: list[grid.GridPeriod]) -> list[Relation]:
    """Relations that follow from the others, for the totals: a year or meeting period is the
    published periods inside it plus its remaining quarters (Year 2013 = the meeting of 2013-10-08
    + 2013 Q4, so the difference of the two publishes a quarter). Years and meeting periods cross,
    so these differences are not among the relations the release states."""
    totals = cells.filter(pl.col("breakdown") == "total")
    key_cols = ["family", "breakdown", "group", "scope", "period"]
    index = {
        tuple(row[:5]): i
        for i, row in enumerate(cells.select(key_cols).iter_rows())
        if row[1] == "total"
    }
    layouts = []
    for p in periods:
        span = set(p.quarters)
        inside = sorted(
            (o for o in periods if o.key != p.key and set(o.quarters) < span),
            key=lambda o: -len(o.quarters),
        )
        parts, covered = [], set()
        for o in inside:
            if not covered & set(o.quarters):
                parts.append(o.key)
                covered |= set(o.quarters)
        if parts:
            layouts.append((p.key, [*parts, *sorted(span - covered)]))
    out = []
    for family, scope in (
        totals.select("family", "scope").unique().sort("family", "scope").iter_rows()
    ):
        for total, parts in layouts:
            cell = index.get((family, "total", "total", scope, total))
            members = [index.get((family, "total", "total", scope, m)) for m in parts]
            if cell is not None and members and None not in members:
                out.append(Relation(cell, tuple(members)))
    return out


def _statistics(con, cutoff, scopes, periods: list[grid.GridPeriod], reported, k) -> pl.DataFrame:
    """Medians and 90th percentiles per scope and grid period (only where every quarter of the
    period is reported for the scope), withheld below K cases."""
    spans = {p.key: p.period for p in periods}
    frames = []
    for name in cases.STATISTIC_ROWS:
        out = cases.statistic_by_period(con, name, cutoff, spans).with_columns(
            pl.col("entity").fill_null(ALL).alias("scope"), pl.lit(name).alias("statistic")
        )
        frames.append(out)
    stats = pl.concat(frames)
    last_quarter = {p.key: grid.quarter_first_day(p.quarters[-1]) for p in periods}
    fully = [
        (key, scope)
        for key, first_day in last_quarter.items()
        for scope in scopes
        if first_day <= (min(reported.values()) if scope == ALL else reported[scope])
    ]
    keep = pl.DataFrame(fully, schema={"period": pl.String, "scope": pl.String}, orient="row")
    long = stats.join(keep, on=["period", "scope"]).unpivot(
        index=["statistic", "scope", "period", "n"],
        on=["median_days", "p90_days"],
        variable_name="measure",
    )
    return long.select(
        "statistic",
        "measure",
        "scope",
        "period",
        "n",
        pl.when(pl.col("n") < k).then(None).otherwise(pl.col("value")).alias("value"),
        (pl.col("n") < k).alias("withheld"),
    )


# The count each median rests on, where the release publishes it: a median is withheld whenever
# its count is (else "withheld below K" would tell that a hidden count is 1..4).
STATISTIC_COUNT = {
    "investigation_duration": ("findings", "total", "total"),
    "time_to_outcome": ("outcomes", "total", "total"),
    "days_waiting_for_needs_assessment": ("victims", "needs_assessed", "no"),
    "days_to_needs_assessment": ("victims", "needs_assessed", "yes"),
}


def _withhold_with_their_counts(stats: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """Medians withheld with their hidden (or unpublished) counts too. No median keeps its number
    of cases: n is a count of cases the release may not publish (the victims whose needs were
    assessed, where only the victims are shown), so it is never stored."""
    base = pl.DataFrame(
        [(s, *cell) for s, cell in STATISTIC_COUNT.items()],
        schema=["statistic", "family", "breakdown", "group"],
        orient="row",
    )
    key = ["family", "breakdown", "group", "scope", "period"]
    shown = cells.filter(~pl.col("hidden")).select(key).with_columns(pl.lit(True).alias("shown"))
    joined = stats.join(base, on="statistic", how="left").join(shown, on=key, how="left")
    withheld = pl.col("withheld") | (pl.col("family").is_not_null() & pl.col("shown").is_null())
    return joined.select(
        "statistic",
        "measure",
        "scope",
        "period",
        pl.lit(None, dtype=pl.Int64).alias("n"),
        pl.when(withheld).then(None).otherwise(pl.col("value")).alias("value"),
        withheld.alias("withheld"),
    )


@dataclass
class _Counted:
    cells: pl.DataFrame  # family, breakdown, group, scope, period, value (exact)
    coverage: dict[str, dt.date]
    rows_reach: dict[str, dt.date]
    reported: dict[str, dt.date]
    cutoff: dt.date
    quarter_keys: list[str]
    periods: list[grid.GridPeriod]
    chosen: list[grid.GridPeriod]


def _count(con, cutoff: dt.date | None, k: int) -> _Counted:
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
    return _Counted(cells, coverage, rows_reach, reported, cutoff, quarter_keys, periods, chosen)


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
                recounted[earlier_cutoff] = _count(con, earlier_cutoff, k).cells
            except NothingToRelease:
                continue
        stored = con.sql(
            """select family, breakdown, "group", scope, period, hidden from release_cells
               where release_id = $id""",
            params={"id": release_id},
        ).pl()
        then = stored.join(recounted[earlier_cutoff].rename({"value": "then"}), on=key)
        same = (
            at.join(then, on=key)
            .join(cells.select(*key, "value"), on=key)
            .filter(pl.col("then") == pl.col("value"))
        )
        shown_ids = same.filter(~pl.col("hidden"))["i"].to_numpy()
        hidden_ids = same.filter(pl.col("hidden"))["i"].to_numpy()
        keep_shown[shown_ids] = True
        keep_hidden[hidden_ids] = True
    values = cells["value"].to_numpy()
    keep_shown &= ~keep_hidden & ~((values > 0) & (values < k))
    return keep_shown, keep_hidden


def build(con, cutoff: dt.date | None = None) -> Built:
    """Count, relate and protect every cell of the release as of `cutoff`, a snapshot date
    (default: the latest case data), consistently with the releases already handed out."""
    clock = time.perf_counter()
    k = suppression_k()
    counted = _count(con, cutoff, k)
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
    relations = _relations(cells, periods, chosen)
    values = cells["value"].to_numpy()
    keep_shown, keep_hidden = _earlier_releases(con, cutoff, k, cells)
    hidden, result = protect(
        values,
        relations,
        k,
        weights=_weights(cells),
        implied=_implied(cells, periods),
        keep_shown=keep_shown,
        keep_hidden=keep_hidden,
    )
    quarter_periods = [grid.quarter(q) for q in quarter_keys][-12:]
    # medians rest on case rows: all entities' only when every entity sends case rows
    scopes = [*rows_reach, *([ALL] if set(rows_reach) == set(coverage) else [])]
    stats = _statistics(con, cutoff, scopes, [*quarter_periods, *periods], reported, k)
    as_of = {e: d.isoformat() for e, d in coverage.items()}
    published = cells.with_columns(
        pl.Series("hidden", hidden),
        pl.when(pl.Series(hidden)).then(None).otherwise(pl.col("value")).alias("value"),
    )
    stats = _withhold_with_their_counts(stats, published)
    return Built(
        release_id=f"R{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        cells=published,
        statistics=stats,
        audit=result,
        coverage=as_of,
        cutoff=cutoff,
        primary_hidden=int(((values > 0) & (values < k)).sum()),
        seconds=time.perf_counter() - clock,
        values=values,
        relations=relations,
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

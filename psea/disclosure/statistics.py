"""Medians and 90th percentiles of a release, per scope and grid period, withheld below K cases and
whenever the count they rest on is hidden; never stored with their number of cases."""

from __future__ import annotations

import polars as pl

from psea.disclosure import grid
from psea.disclosure.cells import ALL
from psea.metrics import cases


def count_statistics(
    con, cutoff, scopes, periods: list[grid.GridPeriod], reported, k, with_rows: list[str]
) -> pl.DataFrame:
    """Medians and 90th percentiles per scope and grid period (only where every quarter of the
    period is reported for the scope), withheld below K cases. They rest on case rows: all
    entities' are over the entities that send them (`with_rows`), the others named in `missing`."""
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
        if first_day <= (min(reported[e] for e in with_rows) if scope == ALL else reported[scope])
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
        pl.when(pl.col("scope") == ALL)
        .then(
            pl.lit(
                ",".join(f"{e}:not_carried" for e in sorted(reported) if e not in with_rows) or None
            )
        )
        .otherwise(None)
        .cast(pl.String)
        .alias("missing"),
    )


# The count each median rests on, where the release publishes it: a median is withheld whenever
# its count is (else "withheld below K" would tell that a hidden count is 1..4).
STATISTIC_COUNT = {
    "investigation_duration": ("findings", "total", "total"),
    "time_to_outcome": ("outcomes", "total", "total"),
    "days_waiting_for_needs_assessment": ("victims", "needs_assessed", "no"),
    "days_to_needs_assessment": ("victims", "needs_assessed", "yes"),
}


def withhold_with_their_counts(stats: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
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
        "missing",
    )

"""The demo appraisals: each manager's yearly PSEA indicator rating, sent once the year's cycle
has closed.

The demo assumes the appraisal cycle of year Y closes on 31 March of Y + 1: the rating for Y is
in the appraisal snapshots from that date on, never in an earlier one (so a cut-off in April 2018
sees the 2017 ratings, not 2018's).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

FIRST_YEAR = 2011  # the PSEA indicator's first year in the demo (the Champion's first year)
RATINGS = np.array(["met", "partially_met", "not_met", "not_rated"])


def last_closed_year(as_of: dt.date) -> int:
    """The latest year whose appraisal cycle has closed on `as_of`."""
    return as_of.year - 1 if as_of >= dt.date(as_of.year, 3, 31) else as_of.year - 2


def manager_appraisals(
    rng: np.random.Generator,
    entity: str,
    roster: pl.DataFrame,
    irregular: set[str],
    end: dt.date,
) -> pl.DataFrame:
    """Every rating of a closed cycle; weaker in the irregular missions, and some are missing."""
    managers = roster.filter(pl.col("is_manager"))
    rows = [
        pl.DataFrame(
            schema={
                "person_ref": pl.String,
                "mission": pl.String,
                "year": pl.Int32,
                "psea_indicator": pl.String,
            }
        )
    ]
    for year in range(FIRST_YEAR, last_closed_year(end) + 1):
        active = managers.filter(
            # appraised for the year: in post by October and still there at the year's end
            (pl.col("contract_start") <= dt.date(year, 9, 30))
            & (pl.col("contract_end").is_null() | (pl.col("contract_end") >= dt.date(year, 12, 31)))
        )
        n = active.height
        weak = active["mission"].is_in(sorted(irregular)).to_numpy()
        p_good, p_weak = [0.74, 0.14, 0.04, 0.08], [0.55, 0.25, 0.12, 0.08]
        rating = np.where(weak, rng.choice(4, n, p=p_weak), rng.choice(4, n, p=p_good))
        keep = rng.random(n) < 0.93  # some appraisals are missing
        rows.append(
            active.select("person_ref", "mission")
            .with_columns(
                pl.lit(year, dtype=pl.Int32).alias("year"),
                pl.Series("psea_indicator", RATINGS[rating]),
            )
            .filter(pl.Series(keep))
        )
    return (
        pl.concat(rows, how="vertical")
        .with_columns(pl.lit(entity).alias("entity"))
        .select("person_ref", "entity", "mission", "year", "psea_indicator")
    )


def appraisal_snapshots(ratings: pl.DataFrame, end: dt.date) -> list[tuple[dt.date, pl.DataFrame]]:
    """One snapshot at each cycle's close and one at the cut-off, each with the closed cycles."""
    closes = [dt.date(y + 1, 3, 31) for y in range(FIRST_YEAR, end.year)]
    as_ofs = sorted({d for d in closes if d < end} | {end})
    return [(d, ratings.filter(pl.col("year") <= last_closed_year(d))) for d in as_ofs]

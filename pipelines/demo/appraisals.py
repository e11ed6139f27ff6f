"""The demo appraisals: each manager's yearly PSEA indicator rating."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.scenario import START


def manager_appraisals(
    rng: np.random.Generator,
    entity: str,
    roster: pl.DataFrame,
    irregular: set[str],
    end: dt.date,
) -> pl.DataFrame:
    """Ratings are weaker in the irregular missions, and some appraisals are missing."""
    managers = roster.filter(pl.col("is_manager"))
    rows = []
    for year in range(START.year, end.year + (1 if end.month == 12 and end.day == 31 else 0)):
        y1 = dt.date(year, 12, 31)
        active = managers.filter(
            # appraised for the year: in post by October and still there at the year's end
            (pl.col("contract_start") <= dt.date(year, 9, 30))
            & (pl.col("contract_end").is_null() | (pl.col("contract_end") >= y1))
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
                pl.Series(
                    "psea_indicator",
                    np.array(["met", "partially_met", "not_met", "not_rated"])[rating],
                ),
            )
            .filter(pl.Series(keep))
        )
    return (
        pl.concat(rows)
        .with_columns(pl.lit(entity).alias("entity"))
        .select("person_ref", "entity", "mission", "year", "psea_indicator")
    )

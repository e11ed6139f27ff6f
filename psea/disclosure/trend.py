"""A quarterly series as published: the last quarters before a date, and their counts with the
state of each (suppressed, not broken down, not yet reported), for the trend charts."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.disclosure import grid
from psea.disclosure.published import NOT_BROKEN_DOWN, NOT_REPORTED, SUPPRESSED


def last_quarters(end: dt.date, n: int) -> list[str]:
    last = grid.last_complete_quarter(end)
    keys = [grid.quarter_key(last)]
    while len(keys) < n:
        last = grid.quarter_first_day(keys[0]) - dt.timedelta(days=1)
        keys.insert(0, grid.quarter_key(grid.last_complete_quarter(last)))
    return keys


def trend_frame(keys, values, hidden, missing, withheld=None) -> pl.DataFrame:
    """Quarters with their count as published; a quarter withheld as a whole (an entity shown by
    year only) counts as not broken down, drawn like a suppressed one."""
    withheld = withheld or [False] * len(keys)
    state = [
        NOT_REPORTED if m else NOT_BROKEN_DOWN if w else SUPPRESSED if h else ""
        for h, m, w in zip(hidden, missing, withheld, strict=True)
    ]
    return pl.DataFrame(
        {
            "quarter": [grid.quarter_first_day(k) for k in keys],
            "label": [f"{k[:4]} Q{k[5]}" for k in keys],
            "count": values,
            "suppressed": [h or w for h, w in zip(hidden, withheld, strict=True)],
            "not_reported": missing,
            "state": state,
        },
        schema={
            "quarter": pl.Date,
            "label": pl.String,
            "count": pl.Int64,
            "suppressed": pl.Boolean,
            "not_reported": pl.Boolean,
            "state": pl.String,
        },
    )

"""The demo's scenario: which entities, how large, since when; and the day numbers it counts in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

ENTITY_SHARE = {"IOM": 1.0, "UNHCR": 0.30, "WFP": 0.25, "UNICEF": 0.20}
ENTITY_MISSIONS = {"IOM": 170, "UNHCR": 110, "WFP": 90, "UNICEF": 100, "NRC": 30, "IRC": 35}
CASE_ROW_ENTITIES = ("IOM", "UNHCR")  # the others answer with quarterly returns (returns.py)
# allegations a year in 2018 at scale 1: tens a year, as the agencies reported then (docs/demo.md)
ENTITY_CASES_2018 = {"IOM": 110, "UNHCR": 45, "WFP": 35, "UNICEF": 40}
IOM_STAFF, IOM_AFFILIATES = 19_000, 5_600
START = dt.date(2012, 1, 1)
EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01: what a Polars Date holds, so arrays of them cast straight to dates."""
    return (d - EPOCH).days


def as_dates(day_numbers: np.ndarray) -> pl.Series:
    return pl.Series(day_numbers.astype("int64")).cast(pl.Date)


def as_dates_or_none(day_numbers: np.ndarray) -> pl.Series:
    """Negative day numbers stand for a date not (yet) known: None."""
    return as_dates(np.where(day_numbers >= 0, day_numbers, 0)).set(
        pl.Series(day_numbers < 0), None
    )


def random_refs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Opaque 16-hex-digit references, as the pseudonymized extracts carry."""
    return np.char.mod("%016x", rng.integers(0, 2**63 - 1, n, dtype=np.int64)).astype(str)

"""Country PSEA capacity: about forty countries, the in-country networks and the entities present,
reported before each of the last two seed meetings (the Champion's report compares them), a year
before the cut-off and at it. Capacity grows over time, and most where the CBCMs were trained."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from data_contracts import contract_for
from data_contracts.reference import reference_frame
from pipelines.demo.operations import CBCM_MISSIONS, CBCM_PILOT_SITES, OPERATION_SIZE
from psea.calendar.quarters import quarter_start

NETWORK_ITEMS = contract_for("psea_capacity").column("item").valid_values  # every item
ENTITY_ITEMS = (
    "psea_coordinator",
    "complaint_procedures",
    "gbv_referral_pathway",
    "community_awareness",
    "investigation_capacity",
)
COUNTRIES = 40
REPORTERS = ("IOM", "UNHCR", "WFP", "UNICEF", "NRC", "IRC")
PRESENCE = {"IOM": 1.0, "UNHCR": 0.8, "WFP": 0.75, "UNICEF": 0.85, "NRC": 0.35, "IRC": 0.3}


def _status(level: np.ndarray) -> np.ndarray:
    return np.select([level >= 0.7, level >= 0.4], ["yes", "partial"], "no")


def _growth(rng: np.random.Generator) -> float:
    """Most items improve over the years; about one in eight slips back (a coordinator leaves)."""
    return rng.random() * 0.4 - 0.05


def report_dates(end: dt.date) -> list[dt.date]:
    """The quarter ends before the last two seed meetings, a year before `end`, and `end`."""
    meetings = sorted(reference_frame("sfp_meetings")["meeting_date"].to_list())[-2:]
    dates = {quarter_start(m) - dt.timedelta(days=1) for m in meetings}
    dates |= {dt.date(end.year - 1, end.month, end.day), end}
    return sorted(d for d in dates if d <= end)


def capacity_snapshots(seed: int, end: dt.date) -> list[tuple[dt.date, pl.DataFrame]]:
    """(as_of, rows) at each of `report_dates(end)`, capacity growing from the first to the last."""
    rng = np.random.default_rng([seed, 3])
    countries = list(dict.fromkeys([*CBCM_MISSIONS, *CBCM_PILOT_SITES, *OPERATION_SIZE]))[
        :COUNTRIES
    ]
    dates = report_dates(end)
    span = max((dates[-1] - dates[0]).days, 1)
    rows = []  # (reporter, country, item, start level, growth, not applicable)
    for country in countries:
        boost = 0.25 if country in CBCM_MISSIONS else 0.1 if country in CBCM_PILOT_SITES else 0.0
        for item in NETWORK_ITEMS:
            rows.append(("NETWORK", country, item, rng.random() * 0.8 + boost, _growth(rng)))
        for reporter in REPORTERS:
            if rng.random() >= PRESENCE[reporter]:
                continue
            for item in ENTITY_ITEMS:
                rows.append((reporter, country, item, rng.random() * 0.8 + boost, _growth(rng)))
    reporter, country, item, level, growth = (np.array(c) for c in zip(*rows, strict=True))
    level, growth = level.astype(float), growth.astype(float)
    not_applicable = (item == "funding_secured") & (rng.random(len(item)) < 0.1)
    since_days = rng.integers(30, 900, len(item))
    out = []
    for as_of in dates:
        lift = (as_of - dates[0]).days / span
        status = np.where(not_applicable, "not_applicable", _status(level + lift * growth))
        since = [
            (as_of - dt.timedelta(days=int(d))) if s in ("yes", "partial") else None
            for s, d in zip(status, since_days, strict=True)
        ]
        out.append(
            (
                as_of,
                pl.DataFrame(
                    {
                        "reporter": reporter,
                        "as_of": [as_of] * len(item),
                        "country": country,
                        "item": item,
                        "status": status,
                        "since": pl.Series(since, dtype=pl.Date),
                    }
                ),
            )
        )
    return out

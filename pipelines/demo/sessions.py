"""The demo awareness sessions: each mission's quarterly sessions, by audience."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.scenario import START, random_refs


def awareness_sessions(
    rng: np.random.Generator,
    entity: str,
    codes: list[str],
    weights: np.ndarray,
    irregular: set[str],
    end: dt.date,
) -> pl.DataFrame:
    """Larger missions hold more sessions; the irregular ones few."""
    quarters = pl.date_range(START, end, interval="3mo", eager=True).to_list()
    rows = []
    for i, code in enumerate(codes):
        size = weights[i] * len(codes)
        rate = 0.25 if code in irregular else 0.9 + 0.4 * min(size, 3)
        for q in quarters:
            for audience, factor in (
                ("staff", 1.0),
                ("community", 0.7),
                ("partners", 0.4),
                ("contractors", 0.2),
            ):
                for _ in range(rng.poisson(rate * factor)):
                    rows.append((code, q + dt.timedelta(days=int(rng.integers(0, 90))), audience))
    n = len(rows)
    held = pl.Series([r[1] for r in rows], dtype=pl.Date)
    frame = pl.DataFrame(
        {
            "session_ref": random_refs(rng, n),
            "entity": entity,
            "mission": [r[0] for r in rows],
            "held_on": held,
            "audience": [r[2] for r in rows],
            "participants": rng.integers(5, 220, n).astype(np.int32),
            "facilitator": rng.choice(
                [
                    "mission_focal_point",
                    "ethics_conduct_office",
                    "gender_coordination_unit",
                    "other",
                ],
                n,
                p=[0.6, 0.15, 0.15, 0.1],
            ),
        }
    )
    return frame.filter(pl.col("held_on") <= end)

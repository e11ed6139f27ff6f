"""The demo awareness sessions: each mission's quarterly sessions, by audience."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.scenario import START, random_refs

AUDIENCES = {"staff": 1.0, "community": 0.7, "partners": 0.4, "contractors": 0.2}  # relative rates


def awareness_sessions(
    rng: np.random.Generator,
    entity: str,
    codes: list[str],
    weights: np.ndarray,
    irregular: set[str],
    end: dt.date,
) -> pl.DataFrame:
    """Larger missions hold more sessions; the irregular ones few."""
    quarters = pl.date_range(START, end, interval="3mo", eager=True).cast(pl.Int32).to_numpy()
    size = np.asarray(weights) * len(codes)
    rate = np.where(np.isin(codes, sorted(irregular)), 0.25, 0.9 + 0.4 * np.minimum(size, 3))
    # sessions per mission, quarter and audience
    counts = rng.poisson(
        rate[:, None, None] * np.array(list(AUDIENCES.values()))[None, None, :],
        (len(codes), len(quarters), len(AUDIENCES)),
    )
    mission, quarter, audience = (
        np.repeat(index.ravel(), counts.ravel()) for index in np.indices(counts.shape)
    )
    n = len(mission)
    held = pl.Series(quarters[quarter] + rng.integers(0, 90, n)).cast(pl.Date)
    frame = pl.DataFrame(
        {
            "session_ref": random_refs(rng, n),
            "entity": entity,
            "mission": np.array(codes)[mission],
            "held_on": held,
            "audience": np.array(list(AUDIENCES))[audience],
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

"""The demo training records: induction, the mandatory PSEA course and its renewals, and the rest."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.operations import CBCM_MISSIONS
from pipelines.demo.scenario import START, as_dates, day_number

MANDATORY_FROM = dt.date(
    2016, 1, 1
)  # the course rolls out in 2016, compulsory from 2017 (milestones)
VOLUNTEERS = 0.3  # of personnel, took the course before it was mandatory
ROLLOUT_DAYS = 330  # mean wait of those in post in 2016 before completing it


def training_records(
    rng: np.random.Generator,
    entity: str,
    roster: pl.DataFrame,
    irregular: set[str],
    end: dt.date,
) -> pl.DataFrame:
    """The courses each person on the roster completed while in post, up to `end`."""
    end0 = day_number(end)
    start = roster["contract_start"].cast(pl.Int32).to_numpy().astype(np.int64)
    stop = roster["contract_end"].cast(pl.Int32).fill_null(end0).to_numpy().astype(np.int64)
    stop = np.minimum(stop, end0)
    person, mission = roster["person_ref"].to_numpy(), roster["mission"].to_numpy()
    # how reliably each person renews: lower in the irregular missions
    lax = np.isin(mission, sorted(irregular))
    diligent = np.where(lax, rng.beta(8, 1.5, len(start)), rng.beta(40, 1, len(start)))
    rows = []
    # Induction PSEA module, from 2013: mostly within 30 days of joining.
    joined = (start >= day_number(dt.date(2013, 1, 1))) & (rng.random(len(start)) < 0.88)
    offset = np.where(
        rng.random(len(start)) < 0.85,
        rng.integers(-10, 30, len(start)),
        rng.integers(31, 150, len(start)),
    )
    when = start + offset
    ok = joined & (when <= stop)
    rows.append((person[ok], "induction_psea", when[ok], "online", mission[ok]))
    # Before the course became mandatory, some took it of their own accord.
    volunteer = rng.random(len(start)) < VOLUNTEERS
    when = np.maximum(start, day_number(START)) + rng.integers(5, 1460, len(start))
    alive = volunteer & (when <= stop) & (when < day_number(MANDATORY_FROM))
    for _ in range(2):
        rows.append((person[alive], "psea_mandatory", when[alive], "online", mission[alive]))
        when = when + rng.normal(650, 50, len(start)).astype(int)
        alive = (
            alive
            & (when <= stop)
            & (when < day_number(MANDATORY_FROM))
            & (rng.random(len(start)) < 0.5)
        )
    # Mandatory from 2016: those in post complete it over the roll-out, joiners within months,
    # and everyone renews it about every two years (less reliably in the irregular missions).
    rollout = day_number(MANDATORY_FROM) + rng.exponential(ROLLOUT_DAYS, len(start)).astype(int)
    when = np.maximum(start + rng.integers(5, 120, len(start)), rollout)
    alive = (when <= stop) & (rng.random(len(start)) < 0.97)
    for _ in range(10):
        rows.append((person[alive], "psea_mandatory", when[alive], "online", mission[alive]))
        when = when + rng.normal(650, 50, len(start)).astype(int)
        alive = alive & (when <= stop) & (rng.random(len(start)) < diligent)
    # The Values we Share (from 2014), once; face-to-face sessions in some missions.
    vws = np.maximum(start, day_number(dt.date(2014, 3, 1))) + rng.integers(0, 300, len(start))
    ok = (vws <= stop) & (rng.random(len(start)) < 0.9)
    rows.append((person[ok], "values_we_share", vws[ok], "online", mission[ok]))
    f2f = np.maximum(start, day_number(START)) + rng.integers(0, 3000, len(start))
    ok = (f2f <= stop) & (rng.random(len(start)) < 0.08)
    rows.append((person[ok], "psea_face_to_face", f2f[ok], "in_person", mission[ok]))
    if entity == "IOM":  # the seed's 2017 CBCM trainings and the 2018 training of trainers
        for code in CBCM_MISSIONS:
            idx = np.flatnonzero(
                (mission == code)
                & (start <= day_number(dt.date(2017, 6, 1)))
                & (stop >= day_number(dt.date(2017, 12, 31)))
            )[:12]
            day = day_number(dt.date(2017, 3, 1)) + int(rng.integers(0, 270))
            rows.append(
                (person[idx], "cbcm_training", np.full(len(idx), day), "in_person", mission[idx])
            )
        idx = np.flatnonzero(
            (start <= day_number(dt.date(2018, 1, 1)))
            & (stop >= day_number(dt.date(2018, 12, 31)))
            & np.isin(mission, CBCM_MISSIONS)
        )[:20]
        rows.append(
            (
                person[idx],
                "cbcm_tot",
                np.full(len(idx), day_number(dt.date(2018, 5, 15))),
                "in_person",
                mission[idx],
            )
        )
    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "person_ref": p,
                    "course": c,
                    "completed_on": as_dates(w),
                    "delivery": d,
                    "mission": m,
                },
                schema={
                    "person_ref": pl.String,
                    "course": pl.String,
                    "completed_on": pl.Date,
                    "delivery": pl.String,
                    "mission": pl.String,
                },
            )
            for p, c, w, d, m in rows
        ]
    )
    frame = frame.filter(pl.col("completed_on") <= end).unique(
        ["person_ref", "course", "completed_on"], keep="first", maintain_order=True
    )
    return frame.with_columns(pl.lit(entity).alias("entity")).select(
        "person_ref", "entity", "course", "completed_on", "delivery", "mission"
    )

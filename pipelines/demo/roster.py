"""The demo roster: everyone an entity has employed since 2000, with their mission and manager."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.scenario import (
    IOM_AFFILIATES,
    IOM_STAFF,
    START,
    as_dates,
    as_dates_or_none,
    day_number,
    random_refs,
)


def entity_roster(
    rng: np.random.Generator,
    entity: str,
    size: float,
    codes: list[str],
    weights: np.ndarray,
    end: dt.date,
) -> pl.DataFrame:
    """`size` is the entity's headcount relative to IOM's at scale 1; `weights` the missions' shares."""
    target = int(
        round((IOM_STAFF + IOM_AFFILIATES) * size * 1.13)
    )  # calibrated: ~24,600 active at scale 1
    start0, end0 = day_number(dt.date(2000, 1, 1)), day_number(end)
    first_year = day_number(START)
    # Calibrate the number of people ever employed so that ~target are active at the end.
    n = int(target * 2.1) + 10
    early = rng.random(n) < 0.35
    starts = np.where(
        early,
        rng.integers(start0, first_year, n),
        first_year
        + ((end0 - first_year) * np.sqrt(rng.random(n))).astype(int),  # hiring grows over time
    )
    tenure = rng.exponential(8 * 365, n).astype(int) + 60
    active_end = starts + tenure > end0
    keep = min(n, int(n * target / max(active_end.sum(), 1)))
    starts, tenure, active_end = starts[:keep], tenure[:keep], active_end[:keep]
    n = keep
    ends = np.where(
        active_end,
        np.where(rng.random(n) < 0.3, end0 + rng.integers(30, 900, n), -1),
        starts + tenure,
    )
    mission = rng.choice(len(codes), n, p=weights)
    staff = rng.random(n) < IOM_STAFF / (IOM_STAFF + IOM_AFFILIATES)
    person = random_refs(rng, n)
    is_manager = staff & (rng.random(n) < 0.07)
    role = np.where(is_manager, "manager", "personnel").astype(object)
    # One chief of mission per mission, among its staff active at the end (or its longest-serving).
    order = np.lexsort((-(ends == -1).astype(int), starts, mission))
    first_of_mission = np.r_[True, mission[order][1:] != mission[order][:-1]]
    com = order[first_of_mission]
    role[com], is_manager[com], staff[com], ends[com] = "chief_of_mission", True, True, -1
    manager_ref = np.full(n, None, dtype=object)
    com_of = {int(mission[i]): i for i in com}
    hq_com = com_of[0]
    managers_by_mission: dict[int, np.ndarray] = {}
    for m in np.unique(mission):
        managers_by_mission[int(m)] = np.flatnonzero((mission == m) & (role == "manager"))
    for m in np.unique(mission):
        members = np.flatnonzero((mission == m) & (role == "personnel"))
        pool = managers_by_mission[int(m)]
        pool = pool if len(pool) else np.array([com_of[int(m)]])
        manager_ref[members] = person[pool[rng.integers(0, len(pool), len(members))]]
        mgrs = managers_by_mission[int(m)]
        manager_ref[mgrs] = person[com_of[int(m)]]
    for m, i in com_of.items():
        manager_ref[i] = None if m == 0 else person[hq_com]
    return pl.DataFrame(
        {
            "person_ref": person,
            "entity": entity,
            "mission": np.array(codes, dtype=object)[mission],
            "staff_category": np.where(staff, "staff", "non_staff"),
            "is_manager": is_manager,
            "role": role.astype(str),
            "manager_ref": pl.Series(manager_ref, dtype=pl.String),
            "contract_start": as_dates(starts),
            "contract_end": as_dates_or_none(ends),
        }
    )

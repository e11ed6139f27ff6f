"""The demo roster: everyone an entity has employed since 2000, with their mission and supervisor."""

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
from pipelines.demo.stations import DutyStations

# about one staff member in twelve manages a team: teams of ~10 direct reports
MANAGER_SHARE_OF_STAFF = 0.08
CANDIDATES = 24  # managers of the mission considered for each person
STAFF_SHARE = IOM_STAFF / (IOM_STAFF + IOM_AFFILIATES)


def entity_roster(
    rng: np.random.Generator, entity: str, size: float, stations: DutyStations, end: dt.date
) -> pl.DataFrame:
    """`size` is the entity's headcount relative to IOM's at scale 1. Every duty station has one
    chief of mission, in post throughout; managers and personnel come and go."""
    target = int(round((IOM_STAFF + IOM_AFFILIATES) * size))
    start0, end0 = day_number(dt.date(2000, 1, 1)), day_number(end)
    first_year = day_number(START)
    # Calibrate the number of people ever employed so that ~target are active at the end.
    n = int(target * 3) + 10
    staff = rng.random(n) < STAFF_SHARE
    is_manager = staff & (rng.random(n) < MANAGER_SHARE_OF_STAFF)
    early = rng.random(n) < 0.35
    starts = np.where(
        early,
        rng.integers(start0, first_year, n),
        first_year
        + ((end0 - first_year) * np.sqrt(rng.random(n))).astype(int),  # hiring grows over time
    )
    # managers are the longer-serving staff: promoted from within, and staying longer
    starts = np.where(
        is_manager & (rng.random(n) < 0.2), rng.integers(start0, first_year, n), starts
    )
    tenure = (rng.exponential(8 * 365, n) * np.where(is_manager, 1.6, 1)).astype(int) + 60
    active_end = starts + tenure > end0
    keep = min(n, int(n * target / max(active_end.sum(), 1)))
    starts, tenure, active_end = starts[:keep], tenure[:keep], active_end[:keep]
    staff, is_manager, n = staff[:keep], is_manager[:keep], keep
    ends = np.where(
        active_end,
        np.where(rng.random(n) < 0.3, end0 + rng.integers(30, 900, n), -1),
        starts + tenure,
    )
    mission = rng.choice(len(stations.codes), n, p=stations.staff_share)
    boss = _supervisors(rng, mission, len(stations.codes), is_manager, starts, ends, end0)

    chiefs = len(stations.codes)  # persons n .. n + chiefs - 1, one per station
    chief_start = rng.integers(start0, day_number(dt.date(2011, 1, 1)), chiefs)
    boss = np.where(boss >= 0, boss, n + mission)  # the chief where no manager was in post
    chief_boss = np.where(stations.supervising_station >= 0, n + stations.supervising_station, -1)
    boss = np.r_[boss, chief_boss]
    person = random_refs(rng, n + chiefs)
    role = np.where(is_manager, "manager", "personnel")
    return pl.DataFrame(
        {
            "person_ref": person,
            "entity": entity,
            "mission": stations.code_array[np.r_[mission, np.arange(chiefs)]],
            "staff_category": np.where(np.r_[staff, np.ones(chiefs, bool)], "staff", "non_staff"),
            "is_manager": np.r_[is_manager, np.ones(chiefs, bool)],
            "role": np.r_[role, np.full(chiefs, "chief_of_mission")],
            "manager_ref": pl.Series(
                np.where(boss >= 0, person[np.maximum(boss, 0)], None), dtype=pl.String
            ),
            "contract_start": as_dates(np.r_[starts, chief_start]),
            "contract_end": as_dates_or_none(np.r_[ends, np.full(chiefs, -1)]),
        }
    )


def _supervisors(
    rng: np.random.Generator,
    mission: np.ndarray,
    stations: int,
    is_manager: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    end0: int,
) -> np.ndarray:
    """Each non-manager's manager, one of the mission's managers; -1 where none was found (the
    chief of mission supervises) and for managers."""
    boss = np.full(len(mission), -1)
    managers = np.flatnonzero(is_manager)
    if not len(managers):
        return boss
    managers = managers[np.argsort(mission[managers], kind="stable")]
    first = np.searchsorted(mission[managers], np.arange(stations + 1))
    offset, count = first[mission], (first[1:] - first[:-1])[mission]
    stop = np.where(ends < 0, end0, ends)
    last_day = np.minimum(stop, end0)
    first_day = np.maximum(starts, day_number(START))
    team = np.zeros(len(mission), dtype=np.int64)
    chunks = np.array_split(rng.permutation(np.flatnonzero(~is_manager & (count > 0))), 16)
    # best a manager in post all the person's time (teams then hold at every past cut-off),
    # else over their last two years, else on their last day (or the cut-off); of two such
    # managers the one with the smaller team so far, a chunk of people at a time
    for since in (first_day, np.maximum(first_day, last_day - 730), last_day):
        for chunk in chunks:
            draw = rng.random((CANDIDATES, len(chunk))) * count[chunk]
            candidate = managers[offset[chunk] + draw.astype(int)]
            fits = (starts[candidate] <= since[chunk]) & (stop[candidate] >= last_day[chunk])
            load = np.where(fits, team[candidate], np.iinfo(np.int64).max)
            pick = candidate[load.argmin(axis=0), np.arange(len(chunk))]
            found = (boss[chunk] < 0) & fits.any(axis=0)
            boss[chunk[found]] = pick[found]
            np.add.at(team, pick[found], 1)
    return boss

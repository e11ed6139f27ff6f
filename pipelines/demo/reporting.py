"""When, where and how allegations are reported: the demo's story of reporting rising with the
community-based complaint mechanisms (CBCMs).

More reports are read as better reporting, not more abuse: the level rises everywhere as the
system matures (the 2013-2015 pilot, the 2015 IASC Statement, the 2016 toolkit), and more in the
pilot sites from the pilot's start and in the countries trained in 2017, where many reports then
come through the CBCM.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.demo.operations import CBCM_MISSIONS, CBCM_PILOT_SITES
from pipelines.demo.scenario import START, day_number
from pipelines.demo.stations import DutyStations

# reporting level of each year relative to 2018; after 2018 it keeps rising by 3% a year
REPORTING_LEVEL = {2012: 0.40, 2013: 0.45, 2014: 0.55, 2015: 0.65, 2016: 0.75, 2017: 0.88}
CBCM_BOOST = {2017: 1.4}  # the trainings ran through 2017; from 2018 reporting there doubles
PILOT_STARTED, CBCMS_TRAINED = dt.date(2013, 10, 1), dt.date(2017, 7, 1)
TOOLKIT_ENDORSED = dt.date(2016, 6, 1)
OTHER_CHANNELS = {
    "supervisor": 0.14,
    "psea_focal_point": 0.25,
    "ethics_conduct_office": 0.16,
    "oig_direct": 0.20,
    "hotline": 0.11,
    "other_agency": 0.09,
    "other": 0.05,
}


def reporting_level(code: str, year: int) -> float:
    """Expected allegations of a duty station in a year, relative to its 2018 level without CBCM."""
    level = REPORTING_LEVEL.get(year, 1.03 ** max(0, year - 2018))
    if code in CBCM_MISSIONS and year >= 2017:
        level *= CBCM_BOOST.get(year, 2.0)
    elif code in CBCM_PILOT_SITES and year >= 2014:
        level *= 1.6
    return level


def received_allegations(
    rng: np.random.Generator, per_year_2018: float, stations: DutyStations, end: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """The day each allegation was received (sorted) and its duty station; `per_year_2018` is the
    entity's expected total for 2018."""
    years = np.arange(START.year, end.year + 1)
    level = np.array([[reporting_level(c, int(y)) for y in years] for c in stations.codes])
    in_2018 = stations.case_share @ np.array([reporting_level(c, 2018) for c in stations.codes])
    expected = stations.case_share[:, None] * level * (per_year_2018 / in_2018)
    first_days = np.array([day_number(dt.date(int(y), 1, 1)) for y in years])
    last_days = np.minimum(first_days + 365 + (years % 4 == 0) - 1, day_number(end))
    expected *= (last_days - first_days + 1) / (365 + (years % 4 == 0))  # the cut-off's year so far
    # a year's total wavers less than a Poisson count would, so the trend reads through the noise
    totals = expected.sum(axis=0)
    totals = np.maximum(0, np.round(totals + rng.normal(0, 0.5, len(years)) * np.sqrt(totals)))
    station = np.concatenate(
        [
            rng.choice(len(stations.codes), int(total), p=expected[:, y] / expected[:, y].sum())
            for y, total in enumerate(totals)
        ]
    )
    year = np.repeat(np.arange(len(years)), totals.astype(int))
    span = last_days[year] - first_days[year] + 1
    received = first_days[year] + (rng.random(len(year)) * span).astype(np.int64)
    order = np.argsort(received, kind="stable")
    return received[order], station[order]


def reporting_channels(
    rng: np.random.Generator, missions: np.ndarray, received: np.ndarray
) -> np.ndarray:
    """Through the CBCM where one runs: the trained countries and the pilot sites, a few elsewhere."""
    n = len(received)
    p_cbcm = np.select(
        [
            np.isin(missions, CBCM_MISSIONS) & (received >= day_number(CBCMS_TRAINED)),
            np.isin(missions, CBCM_PILOT_SITES) & (received >= day_number(PILOT_STARTED)),
            received >= day_number(TOOLKIT_ENDORSED),
        ],
        [0.4, 0.3, 0.05],
        0.01,
    )
    other = rng.choice(list(OTHER_CHANNELS), n, p=list(OTHER_CHANNELS.values()))
    return np.where(rng.random(n) < p_cbcm, "cbcm", other)

"""When, where and how allegations are reported: the demo's story of reporting rising with the
community-based complaint mechanisms (CBCMs), then each entity's own trend.

More reports are read as better reporting, not more abuse: the level rises everywhere as the
system matures (the 2013-2015 pilot, the 2015 IASC Statement, the 2016 toolkit), and more in the
pilot sites from the pilot's start and in the countries trained in 2017, where many reports then
come through the CBCM. After 2018 each entity follows its own trend (`ENTITY_TREND`): IOM's rises,
and jumps with its speak-up campaign and new hotline; WFP's falls; UNHCR's is flat but for one
quarter's cluster of allegations in one operation (`pipelines.demo.story`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.demo.operations import CBCM_MISSIONS, CBCM_PILOT_SITES
from pipelines.demo.scenario import START, day_number
from pipelines.demo.stations import DutyStations
from pipelines.demo.story import Story, quarter_end
from psea.calendar.quarters import quarter_start

# reporting level of each year relative to 2018, before each entity's own trend
REPORTING_LEVEL = {2012: 0.40, 2013: 0.45, 2014: 0.55, 2015: 0.65, 2016: 0.75, 2017: 0.88}
CBCM_BOOST = {2017: 1.4}  # the trainings ran through 2017; from 2018 reporting there doubles
PILOT_STARTED, CBCMS_TRAINED = dt.date(2013, 10, 1), dt.date(2017, 7, 1)
TOOLKIT_ENDORSED = dt.date(2016, 6, 1)
# each entity's yearly change after 2018 (growth, then from a year another growth)
ENTITY_TREND = {
    "IOM": (0.03, None),
    "UNHCR": (0.0, None),
    "WFP": (0.02, (2021, -0.10)),
    "UNICEF": (0.06, None),
    "NRC": (0.01, None),
    "IRC": (0.0, None),
}
CAMPAIGN_LIFT = 1.35  # IOM's reports after its speak-up campaign, against before
CAMPAIGN_HOTLINE = 0.3  # of IOM's reports outside the CBCMs after the campaign: the new hotline
CLUSTER_SIZE = 1.0  # UNHCR's cluster: this many quarters' worth of its reports, in one operation
NOISE = 0.6  # a quarter's total wavers less than a Poisson count would: the trend reads through
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
    """Expected allegations of a duty station in a year, relative to its 2018 level without CBCM,
    before the entity's own trend."""
    level = REPORTING_LEVEL.get(year, 1.0)
    if code in CBCM_MISSIONS and year >= 2017:
        level *= CBCM_BOOST.get(year, 2.0)
    elif code in CBCM_PILOT_SITES and year >= 2014:
        level *= 1.6
    return level


def entity_trend(entity: str, year: int) -> float:
    """The entity's own level in a year after 2018, relative to 2018 (1 before)."""
    growth, turn = ENTITY_TREND.get(entity, (0.0, None))
    level = 1.0
    for y in range(2019, year + 1):
        level *= 1 + (turn[1] if turn and y >= turn[0] else growth)
    return level


def _quarter_starts(end: dt.date) -> list[dt.date]:
    out, day = [], quarter_start(START)
    while day <= end:
        out.append(day)
        day = quarter_end(day) + dt.timedelta(days=1)
    return out


def received_allegations(
    rng: np.random.Generator,
    entity: str,
    per_year_2018: float,
    stations: DutyStations,
    end: dt.date,
    story: Story,
) -> tuple[np.ndarray, np.ndarray]:
    """The day each allegation was received (sorted) and its duty station; `per_year_2018` is the
    entity's expected total for 2018."""
    starts = _quarter_starts(end)
    years = np.array([d.year for d in starts])
    first_days = np.array([day_number(d) for d in starts])
    last_days = np.array([day_number(min(quarter_end(d), end)) for d in starts])
    full_days = np.array([day_number(quarter_end(d)) for d in starts]) - first_days + 1
    per_year = sorted(set(years.tolist()))
    level = np.array([[reporting_level(c, y) for y in per_year] for c in stations.codes])
    level = level[:, [per_year.index(y) for y in years]]
    trend = np.array([entity_trend(entity, int(y)) for y in years])
    if entity == "IOM":
        trend = trend * np.where(first_days >= day_number(story.campaign), CAMPAIGN_LIFT, 1.0)
    in_2018 = stations.case_share @ np.array([reporting_level(c, 2018) for c in stations.codes])
    expected = stations.case_share[:, None] * level * trend * (per_year_2018 / 4 / in_2018)
    expected *= (last_days - first_days + 1) / full_days  # the cut-off's quarter so far
    totals = expected.sum(axis=0)
    totals = np.maximum(0, np.round(totals + rng.normal(0, NOISE, len(starts)) * np.sqrt(totals)))
    station = [
        rng.choice(len(stations.codes), int(total), p=expected[:, q] / expected[:, q].sum())
        for q, total in enumerate(totals)
    ]
    if entity == "UNHCR" and story.cluster_quarter <= end:
        q = starts.index(story.cluster_quarter)
        extra = int(round(CLUSTER_SIZE * expected[:, q].sum()))
        station[q] = np.concatenate([station[q], np.full(extra, cluster_station(stations, story))])
        totals[q] += extra
    station = np.concatenate(station).astype(np.int64)
    quarter = np.repeat(np.arange(len(starts)), totals.astype(int))
    span = last_days[quarter] - first_days[quarter] + 1
    received = first_days[quarter] + (rng.random(len(quarter)) * span).astype(np.int64)
    order = np.argsort(received, kind="stable")
    return received[order], station[order]


def cluster_station(stations: DutyStations, story: Story) -> int:
    """Where UNHCR's cluster is reported: the story's country, else its largest operation."""
    if story.cluster_country in stations.codes:
        return stations.codes.index(story.cluster_country)
    return int(np.argmax(stations.case_share))


def reporting_channels(
    rng: np.random.Generator,
    entity: str,
    missions: np.ndarray,
    received: np.ndarray,
    story: Story,
) -> np.ndarray:
    """Through the CBCM where one runs: the trained countries and the pilot sites, a few elsewhere;
    through IOM's new hotline after its campaign."""
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
    if entity == "IOM":
        hotline = (received >= day_number(story.campaign)) & (rng.random(n) < CAMPAIGN_HOTLINE)
        other = np.where(hotline, "hotline", other)
    return np.where(rng.random(n) < p_cbcm, "cbcm", other)

"""The whole demo: each entity's duty stations, then every extract it would send, as snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_contracts.reference import reference_frame
from pipelines.demo.appraisals import appraisal_snapshots, manager_appraisals
from pipelines.demo.cases import CASE_KINDS, case_histories, case_snapshot
from pipelines.demo.contracts import entity_contracts
from pipelines.demo.roster import entity_roster
from pipelines.demo.scenario import (
    CBCM_MISSIONS,
    ENTITY_CASES_2018,
    ENTITY_MISSIONS,
    ENTITY_SHARE,
    START,
)
from pipelines.demo.sessions import awareness_sessions
from pipelines.demo.training import training_records
from psea.calendar import last_complete_quarter_end

# sent once, at the cut-off, each holding its whole history
FULL_HISTORY_KINDS = ("roster", "training", "awareness_sessions", "contracts")


@dataclass
class DemoExtracts:
    """kind -> list of (as_of, frame holding every entity's snapshot at that date)."""

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]]
    end: dt.date


def generate(seed: int = 7, scale: float = 1.0, end: dt.date | None = None) -> DemoExtracts:
    """The same seed, scale and end give the same extracts, row for row."""
    end = end or last_complete_quarter_end()
    rng = np.random.default_rng(seed)
    missions = reference_frame("missions")
    parts: dict[str, list[pl.DataFrame]] = {k: [] for k in (*FULL_HISTORY_KINDS, "appraisals")}
    histories: list[tuple[str, dict]] = []
    for entity, share in ENTITY_SHARE.items():
        codes, weights = _duty_stations(rng, entity, missions)
        roster = entity_roster(rng, entity, share * scale, codes, weights, end)
        parts["roster"].append(roster)
        # about one mission in six is irregular: few awareness sessions, training renewed late
        irregular = set(rng.choice(codes[10:], max(1, len(codes) // 6), replace=False))
        parts["training"].append(training_records(rng, entity, roster, irregular, end))
        parts["awareness_sessions"].append(
            awareness_sessions(rng, entity, codes, weights, irregular, end)
        )
        parts["appraisals"].append(manager_appraisals(rng, entity, roster, irregular, end))
        parts["contracts"].append(entity_contracts(rng, entity, codes, weights, scale, end))
        per_year = ENTITY_CASES_2018[entity] * scale
        histories.append((entity, case_histories(rng, entity, per_year, codes, weights, end)))

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]] = {
        kind: [(end, pl.concat(parts[kind]).with_columns(pl.lit(end).alias("as_of")))]
        for kind in FULL_HISTORY_KINDS
    }
    # appraisals are sent once each year's cycle has closed
    snapshots["appraisals"] = appraisal_snapshots(pl.concat(parts["appraisals"]), end)
    year_ends = [
        dt.date(y, 12, 31) for y in range(START.year, end.year) if dt.date(y, 12, 31) < end
    ]
    for kind in CASE_KINDS:
        snapshots[kind] = []
    for as_of in [*year_ends, end]:
        frames = {k: [] for k in CASE_KINDS}
        for entity, history in histories:
            for kind, frame in case_snapshot(history, entity, as_of).items():
                frames[kind].append(frame)
        for kind, fs in frames.items():
            snapshots[kind].append((as_of, pl.concat(fs)))
    return DemoExtracts(snapshots=snapshots, end=end)


def _duty_stations(
    rng: np.random.Generator, entity: str, missions: pl.DataFrame
) -> tuple[list[str], np.ndarray]:
    """Headquarters, every regional office, a random draw of countries and the CBCM missions,
    with each one's share of the entity's personnel."""
    countries = missions.filter(~pl.col("code").str.starts_with("RO-") & (pl.col("code") != "HQ"))[
        "code"
    ].to_list()
    codes = ["HQ", *[c for c in missions["code"].to_list() if c.startswith("RO-")]]
    codes += list(
        rng.choice(
            sorted(set(countries) - set(CBCM_MISSIONS)),
            ENTITY_MISSIONS[entity] - len(codes) - len(CBCM_MISSIONS),
            replace=False,
        )
    )
    codes += CBCM_MISSIONS
    weights = rng.lognormal(0, 1.1, len(codes))
    weights[0] *= 6  # headquarters is the largest duty station
    weights /= weights.sum()
    return codes, weights

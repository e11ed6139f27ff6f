"""The whole demo: each entity's duty stations, then every extract it would send, as snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_contracts.reference import reference_frame
from pipelines.demo.appraisals import appraisal_snapshots, manager_appraisals
from pipelines.demo.capacity import capacity_snapshots
from pipelines.demo.cases import case_histories, case_snapshot, merge_histories
from pipelines.demo.contracts import entity_contracts
from pipelines.demo.returns import NGOS, personnel_by_quarter, quarterly_returns
from pipelines.demo.roster import entity_roster
from pipelines.demo.scenario import CASE_ROW_ENTITIES, ENTITY_CASES_2018, ENTITY_SHARE, START
from pipelines.demo.sessions import awareness_sessions
from pipelines.demo.stations import duty_stations
from pipelines.demo.training import training_records
from psea.calendar.quarters import last_complete_quarter_end, quarter_start

# sent once, at the cut-off, each holding its whole history
FULL_HISTORY_KINDS = ("roster", "training", "awareness_sessions", "contracts")


@dataclass
class DemoExtracts:
    """kind -> list of (as_of, frame holding every entity's snapshot at that date)."""

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]]
    end: dt.date


def generate(seed: int = 7, scale: float = 1.0, end: dt.date | None = None) -> DemoExtracts:
    """The same seed, scale and end give the same extracts, row for row. Case extracts come at
    every quarter end (the UN's quarterly rhythm) and the cut-off; appraisals at each cycle's
    close."""
    end = end or last_complete_quarter_end()
    rng = np.random.default_rng(seed)
    missions = reference_frame("missions")
    parts: dict[str, list[pl.DataFrame]] = {k: [] for k in (*FULL_HISTORY_KINDS, "appraisals")}
    histories = []
    for entity, share in ENTITY_SHARE.items():
        stations = duty_stations(rng, entity, missions)
        codes, weights = stations.codes, stations.staff_share
        roster = entity_roster(rng, entity, share * scale, stations, end)
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
        histories.append(case_histories(rng, entity, per_year, stations, end))

    # the NGOs answer with returns only: their cases drawn apart, so the agencies' draws stay
    ngo_rng = np.random.default_rng([seed, 2])
    for ngo, (per_year, _, _) in NGOS.items():
        stations = duty_stations(ngo_rng, ngo, missions)
        histories.append(case_histories(ngo_rng, ngo, per_year * scale, stations, end))

    snapshots = {
        kind: [(end, pl.concat(parts[kind]).with_columns(pl.lit(end).alias("as_of")))]
        for kind in FULL_HISTORY_KINDS
    }
    snapshots["appraisals"] = appraisal_snapshots(pl.concat(parts["appraisals"]), end)
    history = merge_histories(histories)
    dates = [*quarter_ends(START, end), end]
    cuts = [(as_of, case_snapshot(history, as_of)) for as_of in dates]
    for kind in cuts[0][1]:  # case rows: IOM's
        snapshots[kind] = [
            (as_of, frames[kind].filter(pl.col("entity").is_in(CASE_ROW_ENTITIES)))
            for as_of, frames in cuts
        ]
    headcount = personnel_by_quarter(pl.concat(parts["roster"]), dates, scale)
    snapshots["agency_returns"] = [
        (as_of, quarterly_returns(frames, as_of, headcount)) for as_of, frames in cuts
    ]
    snapshots["psea_capacity"] = capacity_snapshots(seed, end)
    return DemoExtracts(snapshots=snapshots, end=end)


def quarter_ends(first: dt.date, end: dt.date) -> list[dt.date]:
    """The quarter ends from `first` up to, not including, `end`."""
    starts = pl.date_range(quarter_start(first), end, interval="3mo", eager=True)
    days = starts.dt.offset_by("3mo").dt.offset_by("-1d")
    return [d for d in days.to_list() if d < end]

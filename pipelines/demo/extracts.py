"""The whole demo: each entity's duty stations, then every extract it would send, as snapshots.

Every extract of an entity comes at the same quarter ends (`pipelines.demo.story.snapshot_dates`):
the last seven (UNHCR's a quarter behind the others), the first of each a full history. One
file is sent twice: IOM's latest case extract, first exported before the quarter's last case
updates were recorded, then re-sent corrected (the warehouse replaces the snapshot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data_contracts.reference import reference_frame
from pipelines.demo.appraisals import manager_appraisals
from pipelines.demo.capacity import capacity_snapshots
from pipelines.demo.cases import CASE_KINDS, case_histories, case_snapshot, merge_histories
from pipelines.demo.contracts import entity_contracts
from pipelines.demo.personnel import cut_at, in_post_since_2011, supervisors
from pipelines.demo.returns import NGOS, RETURN_ENTITIES, personnel_by_quarter, quarterly_returns
from pipelines.demo.roster import entity_roster
from pipelines.demo.scenario import CASE_ROW_ENTITIES, ENTITY_CASES_2018, ENTITY_SHARE, START
from pipelines.demo.sessions import awareness_sessions
from pipelines.demo.stations import duty_stations
from pipelines.demo.story import Story, meeting_dates, snapshot_dates, story
from pipelines.demo.training import training_records
from psea.calendar.quarters import last_complete_quarter_end, quarter_start

PERSONNEL_KINDS = ("roster", "training", "awareness_sessions", "contracts", "appraisals")
# how far behind the first export of the re-sent case extract was: three weeks, or more in a
# small demo where no case moved on in the last three weeks
STALE_DAYS = (21, 45, 91, 182, 365)


@dataclass
class DemoExtracts:
    """kind -> list of (as_of, frame holding every entity's snapshot at that date); `first_sent`:
    (kind, as_of) -> the file first sent for a snapshot later re-sent corrected."""

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]]
    end: dt.date
    story: Story
    meetings: list[dt.date] = field(default_factory=list)
    first_sent: dict[tuple[str, dt.date], pl.DataFrame] = field(default_factory=dict)


def generate(seed: int = 7, scale: float = 1.0, end: dt.date | None = None) -> DemoExtracts:
    """The same seed, scale and end give the same extracts, row for row."""
    end = end or last_complete_quarter_end()
    plot = story(end)
    rng = np.random.default_rng(seed)
    missions = reference_frame("missions")
    full: dict[str, dict[str, pl.DataFrame]] = {kind: {} for kind in PERSONNEL_KINDS}
    histories = []
    for entity, share in ENTITY_SHARE.items():
        stations = duty_stations(rng, entity, missions)
        codes, weights = stations.codes, stations.staff_share
        roster = entity_roster(rng, entity, share * scale, stations, end)
        # about one mission in six is irregular: few awareness sessions, training renewed late
        irregular = set(rng.choice(codes[10:], max(1, len(codes) // 6), replace=False))
        full["training"][entity] = training_records(rng, entity, roster, irregular, end)
        full["awareness_sessions"][entity] = awareness_sessions(
            rng, entity, codes, weights, irregular, end
        )
        full["appraisals"][entity] = manager_appraisals(rng, entity, roster, irregular, end)
        full["contracts"][entity] = entity_contracts(rng, entity, codes, weights, scale, end)
        full["roster"][entity] = supervisors(in_post_since_2011(roster))
        per_year = ENTITY_CASES_2018[entity] * scale
        histories.append(case_histories(rng, entity, per_year, stations, end, plot))

    # the NGOs answer with returns only: their cases drawn apart, so the agencies' draws stay
    ngo_rng = np.random.default_rng([seed, 2])
    for ngo, (per_year, _, _) in NGOS.items():
        stations = duty_stations(ngo_rng, ngo, missions)
        histories.append(case_histories(ngo_rng, ngo, per_year * scale, stations, end, plot))

    dates = {e: snapshot_dates(e, end) for e in (*ENTITY_SHARE, *NGOS)}
    every = sorted({d for ds in dates.values() for d in ds})
    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]] = {}
    for kind, frames in full.items():
        together = pl.concat(frames.values(), how="vertical_relaxed")
        snapshots[kind] = _by_date(
            every,
            lambda day, together=together, kind=kind: [
                cut_at(kind, together, day, [e for e in ENTITY_SHARE if day in dates[e]])
            ],
        )
    history = merge_histories(histories)
    cuts = {day: case_snapshot(history, day) for day in every}
    for kind in CASE_KINDS:
        snapshots[kind] = _by_date(
            every,
            lambda day, kind=kind: [
                cuts[day][kind].filter(pl.col("entity") == e)
                for e in CASE_ROW_ENTITIES
                if day in dates[e]
            ],
        )
    roster = pl.concat([f.drop("_boss_start", "_chief") for f in full["roster"].values()])
    headcount = personnel_by_quarter(roster, [*quarter_ends(START, end), end], scale)
    snapshots["agency_returns"] = _by_date(
        every,
        lambda day: [
            quarterly_returns(cuts[day], day, headcount, [e], first=day == dates[e][0])
            for e in RETURN_ENTITIES
            if day in dates[e]
        ],
    )
    snapshots["psea_capacity"] = capacity_snapshots(seed, plot)
    first_sent = {}
    if snapshots["cases"] and snapshots["cases"][-1][0] == plot.resent_as_of:
        sent = snapshots["cases"][-1][1]
        for days in STALE_DAYS:  # a small demo may need an older export to differ at all
            stale = case_snapshot(history, plot.resent_as_of - dt.timedelta(days=days))
            first = _stale(sent, stale["cases"])
            if not first.equals(sent):
                first_sent[("cases", plot.resent_as_of)] = first
                break
    return DemoExtracts(
        snapshots=snapshots,
        end=end,
        story=plot,
        meetings=meeting_dates(seed, end),
        first_sent=first_sent,
    )


def _by_date(days: list[dt.date], frames_on) -> list[tuple[dt.date, pl.DataFrame]]:
    """(day, the frames of that day together) for each day with any frame."""
    out = []
    for day in days:
        parts = [p for p in frames_on(day) if not p.is_empty()]
        if parts:
            out.append((day, pl.concat(parts, how="vertical_relaxed", rechunk=False)))
    return out


def _stale(sent: pl.DataFrame, earlier: pl.DataFrame) -> pl.DataFrame:
    """The cases as sent, with the stage of each as it stood in `earlier`: the export ran before
    the quarter's last assessments, openings and findings were recorded."""
    stage = [
        "status",
        "assessment_completed_on",
        "investigation_opened_on",
        "investigation_completed_on",
        "referred_national_authorities",
    ]
    then = earlier.select("entity", "case_ref", *stage)
    return (
        sent.join(then, on=["entity", "case_ref"], how="left", suffix="_then")
        .with_columns(
            pl.when(pl.col("status_then").is_not_null())
            .then(pl.col(f"{c}_then"))
            .otherwise(pl.col(c))
            .alias(c)
            for c in stage
        )
        .select(sent.columns)
    )


def quarter_ends(first: dt.date, end: dt.date) -> list[dt.date]:
    """The quarter ends from `first` up to, not including, `end`."""
    starts = pl.date_range(quarter_start(first), end, interval="3mo", eager=True)
    days = starts.dt.offset_by("3mo").dt.offset_by("-1d")
    return [d for d in days.to_list() if d < end]

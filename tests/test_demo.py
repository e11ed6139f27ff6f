"""The synthetic demo is reproducible: a seed names one demo, row for row."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.demo import DemoExtracts, generate
from pipelines.demo.operations import OPERATION_SIZE

# a short span at a small scale keeps each run to a fraction of a second
END = dt.date(2016, 6, 30)


def _demo(seed: int, scale: float = 0.05) -> DemoExtracts:
    return generate(seed=seed, scale=scale, end=END)


def test_the_same_seed_gives_the_same_extracts_and_another_seed_others():
    first, again, other = _demo(7), _demo(7), _demo(6)
    assert first.end == END
    assert first.snapshots.keys() == again.snapshots.keys() == other.snapshots.keys()
    for kind, snaps in first.snapshots.items():
        assert [as_of for as_of, _ in snaps] == [as_of for as_of, _ in again.snapshots[kind]]
        for (as_of, frame), (_, same) in zip(snaps, again.snapshots[kind], strict=True):
            assert frame.equals(same), f"{kind} at {as_of} differs between two runs of one seed"
        assert not snaps[-1][1].is_empty(), f"the demo sends no {kind} at its cut-off"
        assert not snaps[-1][1].equals(other.snapshots[kind][-1][1]), f"{kind} ignores the seed"


def test_cases_come_as_year_end_snapshots_then_the_cut_off():
    as_ofs = [as_of for as_of, _ in _demo(7).snapshots["cases"]]
    assert as_ofs == [*(dt.date(y, 12, 31) for y in range(2012, 2016)), END]


def test_no_appraisal_rating_is_sent_before_its_cycle_closes():
    snapshots = _demo(7).snapshots["appraisals"]
    assert [as_of for as_of, _ in snapshots] == [
        *(dt.date(y, 3, 31) for y in range(2012, 2017)),
        END,
    ]
    for as_of, ratings in snapshots:
        closed = dt.date(ratings["year"].max() + 1, 3, 31)
        assert closed <= as_of, f"a {closed.year - 1} rating is in the snapshot of {as_of}"
        assert ratings["year"].max() == as_of.year - 1  # each close brings its year's ratings


def test_territories_have_no_personnel_and_every_duty_station_a_chief():
    demo = _demo(5)
    roster = demo.snapshots["roster"][-1][1]
    cases = demo.snapshots["cases"][-1][1]
    for code in ("FRO", "ALA", "VAT", "MCO"):
        assert code not in set(roster["mission"]) | set(cases["mission"])
    chiefs = roster.filter(pl.col("role") == "chief_of_mission")
    stations = roster.group_by("entity").agg(pl.col("mission").n_unique())
    assert (
        chiefs.group_by("entity")
        .len()
        .join(stations, on="entity")
        .filter(pl.col("len") != pl.col("mission"))
        .is_empty()
    )


def test_most_personnel_and_most_allegations_are_in_the_large_operations():
    demo = _demo(5)
    roster = demo.snapshots["roster"][-1][1].filter(pl.col("contract_end").is_null())
    cases = demo.snapshots["cases"][-1][1]
    for frame in (roster, cases):
        assert frame["mission"].is_in(sorted(OPERATION_SIZE)).mean() > 0.6


@pytest.mark.parametrize("scale", [0.01, 0.002])
def test_tiny_scales_still_give_every_entity_a_roster(scale):
    roster = _demo(11, scale).snapshots["roster"][-1][1]
    assert set(roster["entity"]) == {"IOM", "UNHCR", "WFP", "UNICEF"}

"""The synthetic demo is reproducible (a seed names one demo, row for row) and sends its extracts
as the data owners would: case snapshots every quarter, appraisals once the cycle has closed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.demo import DemoExtracts, generate
from pipelines.demo.operations import OPERATION_SIZE

# a short span at a small scale keeps each run to a fraction of a second
END = dt.date(2016, 6, 30)
QUARTER_ENDS = [
    dt.date(y, m, d) for y in range(2012, 2017) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
]


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


def test_case_extracts_come_at_every_quarter_end_each_a_full_snapshot_at_its_date():
    demo = _demo(7)
    for kind in ("cases", "case_victims", "case_subjects", "victim_assistance"):
        assert [as_of for as_of, _ in demo.snapshots[kind]] == [d for d in QUARTER_ENDS if d <= END]
    latest = demo.snapshots["cases"][-1][1]
    for as_of, cases in demo.snapshots["cases"][:-1]:
        dates = cases.select(pl.col("^(.*_on|date_received)$"))
        latest_dates = dates.select((pl.all().max() <= as_of).fill_null(True))
        assert latest_dates.row(0) == (True,) * dates.width, f"a date after {as_of}"
        # the same cases as the cut-off's snapshot received by then, no more, no fewer
        assert set(cases["case_ref"]) == set(
            latest.filter(pl.col("date_received") <= as_of)["case_ref"]
        )
        # a stage reached by then is dated as the cut-off's snapshot dates it
        both = cases.join(latest, on="case_ref", suffix="_later")
        opened = both.filter(pl.col("investigation_opened_on").is_not_null())
        assert opened["investigation_opened_on"].equals(opened["investigation_opened_on_later"])
    statuses = {as_of: frame["status"].value_counts() for as_of, frame in demo.snapshots["cases"]}
    assert len({str(s) for s in statuses.values()}) > 1, "statuses never move on"


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

"""The synthetic demo is reproducible (a seed names one demo, row for row), sends its extracts as
the data owners would (every extract of an entity at the same quarter ends, UNHCR a quarter
behind), and tells a story a PSEA practitioner believes: magnitudes in the public orders of
magnitude (docs/demo.md), each entity its own trend, cases that move, are entered late, withdrawn,
reclassified and once re-sent corrected, a calendar that reaches the data, a written meeting
workspace, and country capacity that improves in places and slips in others."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_contracts.free_text import identifier_in
from pipelines.demo import DemoExtracts, generate
from pipelines.demo.files import write_extracts
from pipelines.demo.operations import OPERATION_SIZE
from pipelines.demo.story import (
    LAST_SEED_MEETING,
    SNAPSHOT_QUARTERS,
    meeting_dates,
    snapshot_dates,
)
from pipelines.warehouse import connect
from psea.disclosure import grid

# a short span at a small scale keeps each run to a fraction of a second
END = dt.date(2016, 6, 30)
NOW = dt.date(2026, 9, 30)  # a demo as the README's, for its magnitudes
WINDOW = [  # IOM's snapshot dates are the last seven, UNHCR's the first seven
    *(dt.date(2014, m, d) for m, d in ((9, 30), (12, 31))),
    *(dt.date(2015, m, d) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))),
    *(dt.date(2016, m, d) for m, d in ((3, 31), (6, 30))),
]
CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance")
PERSONNEL_KINDS = ("roster", "training", "awareness_sessions", "contracts", "appraisals")


def _demo(seed: int, scale: float = 0.05) -> DemoExtracts:
    return generate(seed=seed, scale=scale, end=END)


@pytest.fixture(scope="module")
def now() -> DemoExtracts:
    return generate(seed=7, scale=1.0, end=NOW)


def _by_entity(demo: DemoExtracts, kind: str) -> dict[str, list[dt.date]]:
    out: dict[str, list[dt.date]] = {}
    for as_of, frame in demo.snapshots[kind]:
        column = "reporter" if kind == "psea_capacity" else "entity"
        for entity in frame[column].unique().to_list():
            out.setdefault(entity, []).append(as_of)
    return out


def _latest(demo: DemoExtracts, kind: str) -> pl.DataFrame:
    """Each entity's latest snapshot of the extract (UNHCR's is a quarter behind the others)."""
    dates = _by_entity(demo, kind)
    return pl.concat(
        frame.filter(pl.col("entity") == entity)
        for entity, days in dates.items()
        for as_of, frame in demo.snapshots[kind]
        if as_of == days[-1]
    )


def _quarter_end_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1) if day.month in (1, 4, 7, 10) else day


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
    assert meeting_dates(7, NOW) == meeting_dates(7, NOW) != meeting_dates(6, NOW)


def test_every_extract_of_an_entity_comes_at_the_same_quarter_ends_unhcr_a_quarter_behind():
    demo = _demo(7)
    assert snapshot_dates("IOM", END) == WINDOW[1:] and len(WINDOW) - 1 == SNAPSHOT_QUARTERS
    assert snapshot_dates("UNHCR", END) == WINDOW[:-1]
    for kind in (*CASE_KINDS, *PERSONNEL_KINDS, "agency_returns"):
        for entity, dates in _by_entity(demo, kind).items():
            assert dates == snapshot_dates(entity, END), (kind, entity)
    assert set(_by_entity(demo, "cases")) == {"IOM", "UNHCR"}
    assert set(_by_entity(demo, "agency_returns")) == {"WFP", "UNICEF", "NRC", "IRC"}
    assert set(_by_entity(demo, "roster")) == {"IOM", "UNHCR", "WFP", "UNICEF"}
    # the first snapshot of each is a full history: cases since 2012, a return of every quarter
    first_cases = demo.snapshots["cases"][0][1]
    assert first_cases["date_received"].min() < dt.date(2014, 1, 1)
    first_return = demo.snapshots["agency_returns"][0][1]
    assert first_return["quarter"].min() == "2012Q1"
    assert demo.snapshots["agency_returns"][1][1]["quarter"].n_unique() == 4


def test_snapshots_cut_one_life_of_each_case_and_statuses_move_on():
    demo = _demo(7)
    latest = demo.snapshots["cases"][-1][1]
    for as_of, cases in demo.snapshots["cases"][:-1]:
        dates = cases.select(pl.col("^(.*_on|date_received)$"))
        assert dates.select((pl.all().max() <= as_of).fill_null(True)).row(0) == (True,) * 4
        # a stage reached by then is dated as the later snapshot dates it
        both = cases.join(latest, on=["entity", "case_ref"], suffix="_later")
        opened = both.filter(pl.col("investigation_opened_on").is_not_null())
        assert opened["investigation_opened_on"].equals(opened["investigation_opened_on_later"])
    statuses = {as_of: frame["status"].value_counts() for as_of, frame in demo.snapshots["cases"]}
    assert len({str(s) for s in statuses.values()}) > 1, "statuses never move on"


def _late_entries(demo: DemoExtracts, entity: str) -> tuple[int, int]:
    """(late, all): allegations received in a quarter whose end is a snapshot before the latest,
    and of them those absent from that snapshot but present in the latest."""
    snaps = {a: f.filter(pl.col("entity") == entity) for a, f in demo.snapshots["cases"]}
    dates = [a for a in snapshot_dates(entity, demo.end) if a in snaps]
    latest, late, every = snaps[dates[-1]], 0, 0
    for as_of in dates[:-1]:
        start = _quarter_end_before(as_of.replace(day=1) - dt.timedelta(days=62))
        received = latest.filter(pl.col("date_received").is_between(start, as_of, closed="right"))
        seen = set(snaps[as_of]["case_ref"])
        every += received.height
        late += sum(ref not in seen for ref in received["case_ref"])
    return late, every


def test_five_to_ten_per_cent_of_allegations_are_entered_late(now):
    counts = [_late_entries(now, e) for e in ("IOM", "UNHCR")]
    late, every = sum(c[0] for c in counts), sum(c[1] for c in counts)
    assert every > 200 and 0.05 <= late / every <= 0.10, (late, every)


def test_a_few_cases_are_withdrawn_and_some_reclassified_between_snapshots(now):
    snaps = now.snapshots["cases"]
    latest, latest_victims = snaps[-1][1], now.snapshots["case_victims"][-1][1]
    gone, reclassified = set(), set()
    for (_, cases), (_, later) in zip(snaps, snaps[1:], strict=False):
        iom = cases.filter(pl.col("entity") == "IOM")
        gone |= set(iom["case_ref"]) - set(later["case_ref"])
        both = iom.join(later, on=["entity", "case_ref"], suffix="_later")
        changed = both.filter(
            (pl.col("category") != pl.col("category_later"))
            | (pl.col("personnel_group") != pl.col("personnel_group_later"))
        )
        reclassified |= set(changed["case_ref"])
    in_window = latest.filter(pl.col("entity") == "IOM").height
    assert 1 <= len(gone) <= 0.03 * in_window, len(gone)  # withdrawn or found duplicates
    assert not gone & set(latest["case_ref"]) and not gone & set(latest_victims["case_ref"])
    assert len(reclassified) >= 5


def test_one_snapshot_is_re_sent_corrected_and_sorts_after_the_first_file(now, tmp_path):
    assert list(now.first_sent) == [("cases", NOW)]
    first, corrected = now.first_sent[("cases", NOW)], now.snapshots["cases"][-1][1]
    assert set(first["case_ref"]) == set(corrected["case_ref"]) and set(first["entity"]) == {"IOM"}
    stale = first.join(corrected, on="case_ref", suffix="_corrected").filter(
        pl.col("status") != pl.col("status_corrected")
    )
    assert stale.height > 0  # the first export missed the quarter's last case updates
    demo = _demo(7)
    names = [p.name for p in write_extracts(demo, tmp_path, "csv") if p.name.startswith("cases")]
    assert sorted(names)[-2:] == [f"cases_{END}.csv", f"cases_corrected_{END}.csv"]


def test_allegations_per_year_follow_the_public_orders_of_magnitude(now):
    cases = _latest(now, "cases").filter(pl.col("date_received").dt.year() == 2025)
    per_year = dict(cases.group_by("entity").len().iter_rows())
    assert 100 <= per_year["IOM"] <= 300 and 25 <= per_year["UNHCR"] <= 100, per_year
    returns = now.snapshots["agency_returns"][-1][1].filter(
        (pl.col("figure") == "allegations") & (pl.col("dimension") == "total")
    )
    assert returns.filter(pl.col("count") > 0).height > 0
    partners = (cases["personnel_group"] == "implementing_partner").mean()
    assert 0.3 <= partners <= 0.55, partners  # a large share, as in the UN system-wide data
    # agencies have no peacekeepers: only the few reports about them their CBCMs receive
    assert (cases["personnel_group"] == "peacekeeping").mean() <= 0.03
    victims = _latest(now, "case_victims").join(
        cases.select("entity", "case_ref"), on=["entity", "case_ref"]
    )
    assert 1.1 <= victims.height / cases.height <= 1.4
    assert 0.03 <= (victims["sex"] == "male").mean() <= 0.09
    assert 0.15 <= (victims["age_group"] == "child").mean() <= 0.35
    assert 0.08 <= (victims["age_group"] == "unknown").mean() <= 0.25
    roster = now.snapshots["roster"][-1][1].filter(pl.col("entity") == "IOM")
    active = roster.filter(pl.col("contract_end").is_null() | (pl.col("contract_end") >= NOW))
    own = cases.filter(
        (pl.col("entity") == "IOM")
        & pl.col("personnel_group").is_in(["staff", "non_staff", "contractor"])
    )
    assert 1 <= 1000 * own.height / active.height <= 8  # per 1,000 personnel, own personnel


def _per_quarter(frame: pl.DataFrame, entity: str) -> dict[str, int]:
    return dict(
        frame.filter(pl.col("entity") == entity)
        .group_by(
            pl.col("date_received").dt.strftime("%Y")
            + "Q"
            + pl.col("date_received").dt.quarter().cast(pl.String)
        )
        .len()
        .iter_rows()
    )


def test_each_entity_has_its_own_trend(now):
    cases = _latest(now, "cases")
    iom = _per_quarter(cases, "IOM")
    campaign = now.story.campaign
    key = f"{campaign.year}Q{(campaign.month - 1) // 3 + 1}"
    before = [v for q, v in sorted(iom.items()) if "2023Q1" <= q < key]
    after = [v for q, v in sorted(iom.items()) if key <= q < "2026Q3"]
    assert sum(after) / len(after) >= 1.2 * sum(before) / len(before)  # rises after the campaign
    unhcr = _per_quarter(cases, "UNHCR")
    cluster = now.story.cluster_quarter
    spike = unhcr[f"{cluster.year}Q{(cluster.month - 1) // 3 + 1}"]
    others = sorted(v for q, v in unhcr.items() if "2023Q1" <= q < "2026Q3")
    assert spike >= 1.4 * others[len(others) // 2]  # flat with a spike
    returns = (
        pl.concat([f for _, f in now.snapshots["agency_returns"]])
        .filter(
            (pl.col("entity") == "WFP")
            & (pl.col("figure") == "allegations")
            & (pl.col("dimension") == "total")
        )
        .unique(["quarter"], keep="last")
    )
    wfp = dict(returns.select("quarter", "count").iter_rows())
    early = sum(v for q, v in wfp.items() if "2019" <= q < "2021")
    late = sum(v for q, v in wfp.items() if "2024Q3" <= q < "2026Q3")
    assert late <= 0.8 * early  # falls


def test_most_cases_close_within_a_year_and_a_tail_stays_open(now):
    cases = now.snapshots["cases"][-1][1].filter(pl.col("entity") == "IOM")
    closed = ["substantiated", "unsubstantiated", "closed"]
    cohort = cases.filter(pl.col("date_received").dt.year().is_in([2022, 2023]))
    assert (cohort["status"].is_in(closed)).mean() >= 0.95
    done = cohort.with_columns(
        pl.coalesce("investigation_completed_on", "assessment_completed_on").alias("outcome")
    ).filter(pl.col("status").is_in(closed))
    within = ((done["outcome"] - done["date_received"]).dt.total_days() <= 365).mean()
    assert within >= 0.8
    still_open = cases.filter(~pl.col("status").is_in(closed))
    review = (still_open["status"] == "under_review_limited_information").mean()
    assert still_open.height >= 20 and review <= 0.25
    age = (NOW - still_open["date_received"]).dt.total_days()
    assert 0.1 <= (age > 180).mean() <= 0.6  # a tail, not a pile


def test_victims_are_mostly_assessed_within_weeks_and_some_wait_long(now):
    assistance = _latest(now, "victim_assistance")
    cases = _latest(now, "cases").select("entity", "case_ref", "date_received")
    waits = (
        assistance.join(cases, on=["entity", "case_ref"])
        .group_by("entity", "case_ref", "victim_ref")
        .agg((pl.col("needs_assessed_on").min() - pl.col("date_received").min()).dt.total_days())
        .drop_nulls()["needs_assessed_on"]
    )
    assert waits.median() <= 14 and 0.04 <= (waits > 60).mean() <= 0.15


def test_meetings_reach_the_data_at_the_seeds_rhythm_and_each_period_is_one_to_three_quarters(now):
    assert _demo(7).meetings == []  # data ending before the seed's last meeting: no addition
    assert now.meetings[0] > LAST_SEED_MEETING and now.meetings[-2] <= NOW < now.meetings[-1]
    for seed in range(20):
        for end in (dt.date(2018, 6, 30), NOW, dt.date(2027, 3, 31)):
            added = meeting_dates(seed, end)
            assert added[-2:-1] <= [end] < added[-1:], (seed, end)  # up to the data, and the next
            assert len(added) >= 2 * (end.year - 2018)  # about two a year
            calendar = [LAST_SEED_MEETING, *added]
            for day in added:  # two quarters each, so that each brief compares like with like
                assert len(grid.meeting(day, calendar).quarters) == 2, (seed, end, day)
                assert day.weekday() < 5
            # the last four, the next included, each have IOM's own snapshots to rest on
            assert min(added[-4:]) >= snapshot_dates("IOM", end)[0] or end.year == 2018


def test_country_capacity_improves_in_places_and_slips_in_two_or_three_countries(now):
    (earlier, before), (latest, after) = now.snapshots["psea_capacity"]
    assert (latest - earlier).days in (365, 366)
    assert latest == min(d[-1] for d in _by_entity(now, "cases").values())  # all entities reach it
    rank = {"no": 0, "partial": 1, "yes": 2}
    both = before.join(after, on=["reporter", "country", "item"], suffix="_now").with_columns(
        pl.col("status").replace_strict(rank, default=None).alias("was"),
        pl.col("status_now").replace_strict(rank, default=None).alias("is"),
    )
    gaps = after.group_by("country").agg(pl.col("status").is_in(["no", "partial"]).sum())
    assert gaps.height == 40
    assert 3 <= (gaps["status"] == 0).sum() <= 8  # a few complete
    assert (gaps["status"].is_between(1, 3)).sum() >= 20  # most with one to three gaps
    worse = both.filter(pl.col("is") < pl.col("was"))["country"].unique()
    better = both.filter(pl.col("is") > pl.col("was"))["country"].unique()
    assert 2 <= worse.len() <= 3 and better.len() >= 5
    unchanged = both.filter(pl.col("status") == pl.col("status_now"))
    assert unchanged["since"].equals(unchanged["since_now"])  # a status holds since one date
    plans = after.filter(pl.col("reporter") == "NETWORK").pivot(
        on="item", index="country", values="status"
    )
    for earlier_item, later_item in (
        ("action_plan", "action_plan_costed"),
        ("action_plan_costed", "funding_secured"),
    ):
        assert (
            plans[later_item].replace_strict(rank) <= plans[earlier_item].replace_strict(rank)
        ).all(), later_item  # funding against a costed plan, a costed plan needs a plan


def test_no_appraisal_rating_is_sent_before_its_cycle_closes():
    for as_of, ratings in _demo(7).snapshots["appraisals"]:
        closed = dt.date(ratings["year"].max() + 1, 3, 31)
        assert closed <= as_of, f"a {closed.year - 1} rating is in the snapshot of {as_of}"
        expected = as_of.year - 1 if as_of >= dt.date(as_of.year, 3, 31) else as_of.year - 2
        assert ratings["year"].max() == expected  # each close brings its year's ratings


def test_a_past_roster_snapshot_names_only_supervisors_in_post_by_then():
    for as_of, roster in _demo(7).snapshots["roster"]:
        assert roster["contract_start"].max() <= as_of
        refs = set(roster["person_ref"])
        assert set(roster["manager_ref"].drop_nulls()) <= refs, as_of


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
    assert set(roster["entity"]) == {"IOM", "WFP", "UNICEF"}  # UNHCR's latest is a quarter back
    assert set(_demo(11, scale).snapshots["roster"][-2][1]["entity"]) == {
        "IOM",
        "UNHCR",
        "WFP",
        "UNICEF",
    }


# --- the built demo warehouse ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from psea.app.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, seed=5, scale=0.05, end=NOW)
    con = connect(path)
    yield con
    con.close()


def test_the_warehouse_keeps_both_loads_of_the_re_sent_snapshot(built):
    loads = built.sql(
        "select file_name, status from load_manifest where kind = 'cases' and as_of = $d "
        "order by started_at",
        params={"d": NOW},
    ).fetchall()
    assert loads == [
        (f"cases_{NOW}.parquet", "superseded"),
        (f"cases_corrected_{NOW}.parquet", "accepted"),
    ]


def test_the_calendar_reaches_the_data_and_the_briefs_page_opens_on_the_next_meeting(built):
    from psea.brief import build_brief
    from psea.metrics import catalog

    calendar = catalog.meetings(built)
    assert calendar.filter(pl.col("source") == "seed").height == 11
    added = calendar.filter(pl.col("source") == "added")["meeting_date"].to_list()
    assert added[0] > LAST_SEED_MEETING and added[-2] <= NOW < added[-1]
    brief = build_brief(built, added[-1], None)
    front = dict(brief.front_matter)
    assert (
        front["Case data as of"] == "IOM 2026-09-30; IRC 2026-09-30; NRC 2026-09-30; "
        "UNHCR 2026-06-30; UNICEF 2026-09-30; WFP 2026-09-30"
    )
    # one case-data date and one personnel-data date per entity, and they agree
    assert (
        front["Personnel data as of"] == "IOM 2026-09-30; UNHCR 2026-06-30; UNICEF "
        "2026-09-30; WFP 2026-09-30"
    )
    assert front["Not yet reported"].startswith("UNHCR")


def test_the_workspace_of_the_last_four_meetings_is_written_with_drafts_then_finals(built):
    from psea.metrics import catalog, progress

    meetings = catalog.meeting_dates(built)[-4:]
    entities = ["IOM", "IRC", "NRC", "UNHCR", "UNICEF", "WFP"]
    for meeting in meetings:
        for entity in entities:
            report = progress.report(built, meeting, entity)
            assert report["key_messages"] and report["requests"], (meeting, entity)
            for lines in report.values():
                assert all(identifier_in(line) is None for line in lines)
    versions = built.sql(
        "select meeting_date, max(version) from progress_texts where entity = 'IOM' "
        "and part = 'key_messages' group by 1 order by 1"
    ).fetchall()
    assert [v for _, v in versions] == [2, 2, 2, 1]  # drafts then finals; the next is a draft
    assert built.sql(
        "select count(*) from progress_texts where meeting_date < $m", params={"m": meetings[0]}
    ).fetchall() == [(0,)]  # the seed's meetings are history
    points = progress.action_points(built, meetings[-1], None)
    assert {"done", "open", "in_progress"} <= set(points["status"])
    carried = points.filter(pl.col("status").is_in(["open", "in_progress"]))
    assert (carried["raised_at"] < meetings[-1]).any()  # carried from earlier meetings
    assert all(identifier_in(owner) is None for owner in points["owner"])  # units and roles

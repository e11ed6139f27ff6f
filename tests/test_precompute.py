"""The figures the pages open on are computed when the data change and kept in the store: a new
process that opens the pages computes none of them, and reads exactly what it would compute."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from conftest import copy_demo
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

import psea.app.shell as shell
from pipelines.warehouse import connect
from psea.app.access import PAGE_ROLES
from psea.app.precompute import precompute, views
from psea.metrics import managers, memo, stored, training

ROOT = Path(__file__).resolve().parent.parent
END = dt.date(2018, 6, 30)  # the demo of test_app: built once for both
MEMOISED = [
    training._coverage_of_every_entity,
    training.induction_within_window,
    training.completions_by_course,
    training.completions_by_year,
    training.values_we_share_cumulative,
    training._audit_risk_of_every_entity,
    managers._scorecard_of_every_entity,
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, no_public_knowledge):
    path = tmp_path_factory.mktemp("precompute") / "demo.duckdb"
    return copy_demo(tmp_path_factory, path, seed=11, scale=0.05, end=END)


@pytest.fixture
def copied(demo, tmp_path):
    """A connection to a copy of the demo, for a test that writes to it."""
    import shutil

    path = tmp_path / "copy.duckdb"
    shutil.copytree(demo, path)
    con = connect(path)
    yield con
    con.close()


def forget() -> None:
    """As a new process: nothing memoised, nothing cached by the pages."""
    for figure in MEMOISED:
        figure.cache_clear()
    st.cache_data.clear()
    memo.COMPUTED.clear()


@pytest.mark.parametrize("role", ["champion_office", "focal_point", "analyst"])
def test_the_personnel_pages_open_without_computing_a_figure(demo, role):
    shell.DEMO_WAREHOUSE = demo
    shell.demo_warehouse.clear()
    forget()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["role"] = role
    at.run()
    opened = [p for p in ("briefs", "overview", "training", "managers") if role in PAGE_ROLES[p]]
    assert "training" in opened
    for page in opened:
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert dict(memo.COMPUTED) == {}, (role, "computed when a page opened")
    # a choice of the viewer (the earliest period) is computed when asked, and only then
    period = at.selectbox(key="period")
    period.select_index(len(period.options) - 1).run()
    assert not at.exception
    assert sum(memo.COMPUTED.values()) > 0


def test_a_kept_figure_is_the_figure_and_belongs_to_the_loads_it_was_computed_on(demo):
    con = connect(demo)
    try:
        loads = repr(memo.loads_state(con))
        kept = con.sql("select distinct loads from stored_figures").fetchall()
        assert kept == [(loads,)]
        for period, _ in views(con):
            arguments = repr((memo._frozen((period.end,)), memo._frozen({})))
            found = stored.fetch(
                con, "psea.metrics.managers._scorecard_of_every_entity", arguments, loads
            )
            assert_frame_equal(found, managers.scorecard_counted(con, period.end, None, None))
            arguments = repr((memo._frozen((period.end, ("region",))), memo._frozen({})))
            found = stored.fetch(
                con, "psea.metrics.training._coverage_of_every_entity", arguments, loads
            )
            assert_frame_equal(
                found, training.coverage_counted(con, period.end, None, ("entity", "region"))
            )
        # another state of the loads reads nothing kept for this one
        assert (
            stored.fetch(con, "psea.metrics.training._coverage_of_every_entity", arguments, "(0,)")
            is None
        )
    finally:
        con.close()


def test_computing_again_replaces_what_an_earlier_state_kept(copied):
    con = copied
    before = con.sql("select count(*) from stored_figures").fetchone()[0]
    stored.keep(con, "an earlier state", [("figure", "()", 3)])
    assert con.sql("select loads from stored_figures").fetchall() == [("an earlier state",)]
    assert precompute(con) == before
    rows = con.sql("select count(*), count(distinct loads) from stored_figures").fetchone()
    assert rows == (before, 1)
    assert stored.decode(stored.encode(7)) == 7


def test_one_entitys_figures_are_its_rows_of_every_entitys(demo):
    """Coverage, the scorecard and the audit-risk list are counted once for every entity; each
    entity's (and all entities' coverage) equal what counting it alone gives."""
    con = connect(demo)
    try:
        entities = sorted(con.sql("select distinct entity from roster").pl()["entity"].to_list())
        for on in (dt.date(2015, 12, 31), END):
            every = managers.scorecard_counted(con, on, None, None)
            for person in every["person_ref"].head(2).to_list():  # a manager's card
                assert_frame_equal(
                    managers.scorecard(con, on, None, person),
                    managers.scorecard_counted(con, on, None, person),
                )
            for entity in [None, *entities, "NOBODY"]:
                for keys in [(), ("region", "mission"), ("entity", "mission", "region")]:
                    assert_frame_equal(
                        training.mandatory_coverage(con, on, entity, by=keys or None),
                        training.coverage_counted(con, on, entity, keys),
                    )
                assert_frame_equal(
                    managers.scorecard(con, on, entity),
                    managers.scorecard_counted(con, on, entity, None),
                )
                assert_frame_equal(
                    training.audit_risk(con, on, entity),
                    training.audit_risk_counted(con, on, entity),
                )
    finally:
        con.close()


def test_the_un_quarterly_page_opens_on_the_kept_walk_and_it_is_the_walk(demo):
    """The ledger's walk of every entity that sends case rows is kept with the figures: the page
    opens without walking, and what it reads is what walking gives, quarter by quarter."""
    from psea.metrics import un_walk
    from psea.metrics.catalog import case_row_entities
    from psea.metrics.un_outstanding import outstanding

    shell.DEMO_WAREHOUSE = demo
    shell.demo_warehouse.clear()
    forget()
    un_walk._walk.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["role"] = "analyst"
    at.run()
    at.switch_page(str(ROOT / shell.PAGES["un_quarterly"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe, "the page shows the submission"
    assert memo.COMPUTED["psea.metrics.un_walk._walk"] == 0
    con = connect(demo)
    try:
        entities = case_row_entities(con)
        assert entities
        for entity in entities:
            un_walk._walk.cache_clear()
            kept = outstanding(con, entity)  # read from the store
            assert memo.COMPUTED["psea.metrics.un_walk._walk"] == 0
            un_walk._walk.cache_clear()
            with memo.recording(memo.loads_state(con)):  # computed, nothing read
                walked = outstanding(con, entity)
            assert memo.COMPUTED.pop("psea.metrics.un_walk._walk") == 1
            assert kept.not_produced == walked.not_produced and kept.under_way == walked.under_way
            assert list(kept.submissions) == list(walked.submissions)
            for label, sent in walked.submissions.items():
                again = kept.submissions[label]
                assert again.files() == sent.files() and again.end == sent.end
                for name in un_walk.FRAMES:
                    assert_frame_equal(getattr(again, name), getattr(sent, name))
    finally:
        con.close()


def test_the_kept_figures_of_a_state_are_read_once_and_none_kept_is_asked_again(copied):
    from pipelines.writes import transaction

    con = copied
    store = memo.store_identity(con.store)
    figure, arguments, loads = con.execute(
        "select figure, arguments, loads from stored_figures limit 1"
    ).fetchone()
    first = stored.fetch(con, figure, arguments, loads, store)
    assert first is not None
    with transaction(con, claim=False):
        con.execute("delete from stored_figures")
    # held: the figures of a state never change, so they are not asked for again
    again = stored.fetch(con, figure, arguments, loads, store)
    assert type(again) is type(first) and repr(again) == repr(first)
    # nothing kept for a state yet is not held: kept a moment later, it is found
    assert stored.fetch(con, "figure", "()", "a later state", store) is None
    stored.keep(con, "a later state", [("figure", "()", 3)])
    assert stored.fetch(con, "figure", "()", "a later state", store) == 3

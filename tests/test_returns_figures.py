"""An entity's case figures come from its case rows or from its returns, the same way for exact
figures and for the release: the all-entities figures are the sum of both kinds of entity, a
breakdown a return does not carry is "not broken down", a quarter past its returns "not yet
reported", and the release protects the returns' cells like any other."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from extracts import TOTALS, cases, write_csv

from pipelines.load import ingest
from pipelines.warehouse import connect
from psea.disclosure import published
from psea.disclosure.cells import ALL
from psea.disclosure.figures import ExactFigures, PublishedFigures
from psea.disclosure.grid import quarter
from psea.disclosure.release import build, publish
from psea.metrics import Period, facts
from psea.metrics.personnel import personnel

Q2 = Period.quarter(2018, 2)


@pytest.fixture
def mixed(tmp_path, loaded_warehouse):
    """IOM's case rows (the loaded warehouse, as of 2018-06-30) beside WFP's return for 2018Q2."""
    path = write_csv(tmp_path, "agency_returns_2018-06-30.csv", TOTALS["agency_returns"]())
    con = connect(loaded_warehouse)
    (outcome,) = ingest(con, [path], run_gx=False)
    assert outcome.status == "accepted", outcome.problems
    yield con
    con.close()


CARRIED = [
    ("allegations", None),
    ("allegations", "category"),
    ("allegations", "un_personnel_group"),
    ("allegations", "status"),
    ("victims", None),
    ("victims", "un_group"),
    ("victims", "assisted"),
    ("findings", "finding"),
]


@pytest.mark.parametrize(("family", "by"), CARRIED)
def test_all_entities_are_the_sum_of_case_row_and_return_entities(mixed, family, by):
    def counts(entity):
        frame = facts.count(mixed, family, Q2, entity, by)
        return dict(frame.iter_rows()) if by else frame.item()

    every, rows, returns = counts(None), counts("IOM"), counts("WFP")
    if by is None:
        assert every == rows + returns and returns > 0
    else:
        assert every == {g: rows.get(g, 0) + returns.get(g, 0) for g in every}
        assert sum(returns.values()) > 0


def test_a_breakdown_the_return_does_not_carry_is_not_broken_down(mixed):
    region = facts.count(mixed, "allegations", Q2, "WFP", "region")
    assert region["count"].is_null().all()
    # all entities sum the entities that carry the breakdown: IOM's case rows alone
    every = facts.count(mixed, "allegations", Q2, None, "region")
    assert every.equals(facts.count(mixed, "allegations", Q2, "IOM", "region"))
    shown = ExactFigures(mixed, Q2, "WFP").count("allegations", "reporting_channel", "cbcm")
    assert (shown.value, shown.label) == (None, "not broken down")
    assert ExactFigures(mixed, Q2, "WFP").count("allegations").value == 6
    former = ExactFigures(mixed, Q2, "WFP").overdue()  # returns state the rule in force only
    assert (former.value, former.label) == (None, "not in the returns")


def test_the_release_sums_and_protects_the_returns_cells(mixed):
    built = build(mixed, dt.date(2018, 6, 30))
    assert built.audit.passed
    cells = built.cells.with_columns(pl.Series("exact", built.values))
    key = ["family", "breakdown", "group", "period"]
    entities = (
        cells.filter(pl.col("scope") != ALL)
        .group_by(key)
        .agg(pl.col("exact").sum().alias("summed"), pl.len().alias("n"))
    )
    every = cells.filter(pl.col("scope") == ALL).join(entities, on=key)
    assert every.height
    # each all-entities cell is the sum of the entities it covers: a relation of the release
    summed = {r.total for r in built.relations if r.kind == "entity"}
    rows = cells.with_row_index("i").filter(pl.col("scope") == ALL).join(entities, on=key)
    assert set(rows["i"].to_list()) <= summed
    for rel in built.relations:
        assert built.values[rel.total] == sum(built.values[m] for m in rel.members), rel
    assert (every["n"] >= 1).all()
    q2 = cells.filter(
        (pl.col("family") == "allegations")
        & (pl.col("breakdown") == "total")
        & (pl.col("period") == "2018Q2")
    )
    by_scope = {s: (v, h) for s, v, h in q2.select("scope", "exact", "hidden").iter_rows()}
    # both entities' allegations per quarter are public (the UN publishes them): shown exactly,
    # IOM's single allegation too, and so their sum
    assert by_scope == {ALL: (7, False), "IOM": (1, False), "WFP": (6, False)}
    assert set(q2.filter(pl.col("scope") != ALL)["public"]) == {True}
    # WFP's stated overdue cases are its one open-cases cell: the age past the overdue days
    over = facts.overdue_groups()[0]
    wfp_open = cells.filter(pl.col("scope") == "WFP", pl.col("family") == "open_cases")
    assert set(wfp_open.select("breakdown", "group").rows()) <= {("age", over)}
    from psea.metrics import timeliness

    stated = timeliness.overdue(mixed, dt.date(2018, 6, 30), "WFP")
    assert stated == {"overdue_cases": 1, "overdue_investigations_former_rule": None}


def test_published_figures_say_not_broken_down_and_not_yet_reported(mixed, tmp_path):
    later = [{**r, "as_of": "2018-09-30"} for r in cases()]  # IOM's case rows move on a quarter
    (outcome,) = ingest(mixed, [write_csv(tmp_path, "cases_2018-09-30.csv", later)], run_gx=False)
    assert outcome.status == "accepted", outcome.problems
    release = published.ensure(mixed, "test", "admin")
    assert release.cutoff == dt.date(2018, 9, 30)
    assert release.coverage["WFP"] == dt.date(2018, 6, 30)
    wfp_q3 = PublishedFigures(release, quarter("2018Q3"), "WFP")
    assert wfp_q3.count("allegations").label == published.NOT_REPORTED
    # all entities sum the entities whose data reach the quarter, naming the other
    every_q3 = PublishedFigures(release, quarter("2018Q3"), None).count("allegations")
    iom_q3 = PublishedFigures(release, quarter("2018Q3"), "IOM").count("allegations")
    assert (every_q3.value, every_q3.label) == (iom_q3.value, iom_q3.label)
    assert "WFP" in every_q3.note and "not yet reported" in every_q3.note, every_q3.note
    wfp_q2 = PublishedFigures(release, quarter("2018Q2"), "WFP")
    assert (
        wfp_q2.count("allegations", "region", "Middle East and North Africa").label
        == "not broken down"
    )


def test_personnel_from_the_return_or_the_roster(mixed):
    frame = personnel(mixed, dt.date(2018, 6, 30))
    rows = {e: (n, s) for e, n, s in frame.iter_rows()}
    assert rows["WFP"] == (5200, "return")
    assert rows["IOM"][1] == "roster" and rows["IOM"][0] > 0


def test_a_published_release_keeps_return_cells_like_any_other(mixed):
    built = build(mixed, dt.date(2018, 6, 30))
    assert publish(mixed, built, "current", "test", None, "k")
    stored = mixed.sql(
        "select count(*) from release_cells where scope = 'WFP' and release_id = $id",
        params={"id": built.release_id},
    ).fetchall()[0][0]
    assert stored > 0
    leaked = mixed.sql(
        "select count(*) from release_cells where hidden and value is not null"
    ).fetchall()[0][0]
    assert leaked == 0


def test_a_returns_child_victims_are_its_girls_and_boys_linked_in_the_release(mixed):
    groups = dict(facts.count(mixed, "victims", Q2, "WFP", "un_group").iter_rows())
    child = dict(facts.count(mixed, "victims", Q2, "WFP", "child").iter_rows())
    assert child["child"] == groups["girls"] + groups["boys"]
    assert child["child"] + child["not_child"] == facts.total(mixed, "victims", Q2, "WFP")
    every = dict(facts.count(mixed, "victims", Q2, None, "child").iter_rows())
    rows = dict(facts.count(mixed, "victims", Q2, "IOM", "child").iter_rows())
    assert every["child"] == rows["child"] + child["child"]
    built = build(mixed, dt.date(2018, 6, 30))
    assert built.audit.passed
    keys = list(built.cells.select("family", "breakdown", "group", "scope", "period").iter_rows())
    where = {k: i for i, k in enumerate(keys)}
    cell = where.get(("victims", "child", "child", "WFP", "2018Q2"))
    if cell is not None:  # broken down for WFP: the release knows the girls and boys add up,
        # through the victims' cross breakdown: child = the groups' child parts, girls = its parts
        girls = where[("victims", "un_group", "girls", "WFP", "2018Q2")]
        part = where[("victims", "un_group_child", "girls|child", "WFP", "2018Q2")]
        assert any(r.total == cell and part in r.members for r in built.relations)
        assert any(r.total == girls and part in r.members for r in built.relations)

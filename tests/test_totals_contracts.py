"""The contracts of the extracts that carry totals (agency_returns, psea_capacity): a good file is
accepted, and each rule rejects its bad file naming file, row, column and rule, changing nothing."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from conftest import table_counts
from extracts import AS_OF, TOTALS, write_csv
from typer.testing import CliRunner

from psea.cli import app

runner = CliRunner()


def rows_of(kind: str, row: int | None = None, **changes) -> list[dict]:
    rows = TOTALS[kind]()
    if row is not None:
        rows[row - 1].update(changes)
    return rows


def without(kind: str, row: int) -> list[dict]:
    rows = TOTALS[kind]()
    del rows[row - 1]
    return rows


def ingest(path, warehouse) -> tuple[int, dict]:
    result = runner.invoke(app, ["ingest", str(path), "--warehouse", str(warehouse), "--json"])
    return result.exit_code, json.loads(result.output)["files"][0]


@pytest.mark.parametrize("kind", sorted(TOTALS))
def test_a_good_file_is_accepted_once(tmp_path, loaded_warehouse, kind):
    path = write_csv(tmp_path, f"{kind}_{AS_OF}.csv", TOTALS[kind]())
    code, report = ingest(path, loaded_warehouse)
    assert code == 0 and report["status"] == "accepted", report
    after = table_counts(loaded_warehouse)
    assert after[kind] == len(TOTALS[kind]())
    code, report = ingest(path, loaded_warehouse)  # the same bytes again change nothing
    assert report["status"] == "already_loaded"
    assert table_counts(loaded_warehouse) == after


# (id, kind, rows, rule, column, row): each rule of both contracts
BAD = [
    (
        "quarter not YYYYQn",
        "agency_returns",
        rows_of("agency_returns", 2, quarter="2018-Q2"),
        "quarter_format",
        "quarter",
        2,
    ),
    (
        "quarter ends after as_of",
        "agency_returns",
        rows_of("agency_returns", 1, quarter="2018Q3"),
        "after_as_of",
        "quarter",
        1,
    ),
    (
        "unknown figure",
        "agency_returns",
        rows_of("agency_returns", 7, figure="rapes"),
        "allowed_values",
        "figure",
        7,
    ),
    (
        "negative count",
        "agency_returns",
        rows_of("agency_returns", 15, count="-3"),
        "range",
        "count",
        15,
    ),
    (
        "count not whole",
        "agency_returns",
        rows_of("agency_returns", 15, count="12.5"),
        "integer",
        "count",
        15,
    ),
    (
        "group of another dimension",
        "agency_returns",
        rows_of("agency_returns", 3, group="women"),
        "group_of_dimension",
        "group",
        3,
    ),
    (
        "total row with a group",
        "agency_returns",
        rows_of("agency_returns", 1, group="sexual_abuse"),
        "group_of_dimension",
        "group",
        1,
    ),
    (
        "figure not broken down so",
        "agency_returns",
        rows_of("agency_returns", 8, dimension="category", group="sexual_abuse"),
        "dimension_of_figure",
        "dimension",
        8,
    ),
    (
        "breakdown without its total",
        "agency_returns",
        without("agency_returns", 1),
        "total_present",
        "dimension",
        1,
    ),
    (
        "two total rows",
        "agency_returns",
        [*rows_of("agency_returns"), rows_of("agency_returns")[0]],
        "unique",
        "entity,quarter,figure,dimension,group",
        18,
    ),
    (
        "groups do not add up",
        "agency_returns",
        rows_of("agency_returns", 2, count="5"),
        "groups_add_up",
        "count",
        2,
    ),
    (
        "findings do not add up",
        "agency_returns",
        rows_of("agency_returns", 11, count="4"),
        "figures_add_up",
        "count",
        11,
    ),
    (
        "a finding without the others",
        "agency_returns",
        without("agency_returns", 11),
        "figures_add_up",
        "count",
        11,
    ),
    (
        "more assisted than victims",
        "agency_returns",
        rows_of("agency_returns", 10, count="9"),
        "figures_add_up",
        "count",
        10,
    ),
    (
        "not an entity code",
        "agency_returns",
        rows_of("agency_returns", 4, entity="World Food"),
        "no_direct_identifier",
        "entity",
        4,
    ),
    (
        "two as_of dates",
        "agency_returns",
        rows_of("agency_returns", 5, as_of="2018-09-30"),
        "one_as_of",
        "as_of",
        5,
    ),
    (
        "e-mail in a group",
        "agency_returns",
        rows_of("agency_returns", 2, group="a.b@example.org"),
        "no_email",
        "group",
        2,
    ),
    (
        "not a country",
        "psea_capacity",
        rows_of("psea_capacity", 2, country="RO-BKK"),
        "country_code",
        "country",
        2,
    ),
    (
        "unknown item",
        "psea_capacity",
        rows_of("psea_capacity", 3, item="hotline"),
        "allowed_values",
        "item",
        3,
    ),
    (
        "unknown status",
        "psea_capacity",
        rows_of("psea_capacity", 4, status="maybe"),
        "allowed_values",
        "status",
        4,
    ),
    (
        "since after as_of",
        "psea_capacity",
        rows_of("psea_capacity", 1, since="2018-07-01"),
        "after_as_of",
        "since",
        1,
    ),
    (
        "reporter not a code",
        "psea_capacity",
        rows_of("psea_capacity", 5, reporter="network"),
        "entity_code",
        "reporter",
        5,
    ),
    (
        "item twice",
        "psea_capacity",
        [*rows_of("psea_capacity"), rows_of("psea_capacity")[1]],
        "unique",
        "reporter,country,item",
        6,
    ),
    (
        "phone number as status",
        "psea_capacity",
        rows_of("psea_capacity", 2, status="+41 22 717 9111"),
        "no_phone_number",
        "status",
        2,
    ),
]


@pytest.mark.parametrize(
    ("kind", "rows", "rule", "column", "row"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_each_rule_rejects_its_bad_file_and_changes_nothing(
    tmp_path, loaded_warehouse, kind, rows, rule, column, row
):
    before = table_counts(loaded_warehouse)
    path = write_csv(tmp_path, f"{kind}_{AS_OF}.csv", rows)
    code, report = ingest(path, loaded_warehouse)
    assert code == 1 and report["status"] == "rejected", report
    hits = [
        p for p in report["problems"] if (p["rule"], p["column"], p["row"]) == (rule, column, row)
    ]
    assert hits, report["problems"]
    assert hits[0]["file"] == path.name
    assert table_counts(loaded_warehouse) == before


def test_no_value_of_the_file_is_repeated(tmp_path, loaded_warehouse):
    rows = rows_of("agency_returns", 2, group="a.b@example.org")
    rows[3]["entity"] = "Jane Doe"
    path = write_csv(tmp_path, f"agency_returns_{AS_OF}.csv", rows)
    result = runner.invoke(app, ["ingest", str(path), "--warehouse", str(loaded_warehouse)])
    assert result.exit_code == 1
    assert "a.b@example.org" not in result.output and "Jane" not in result.output


def test_a_return_for_a_quarter_of_case_rows_is_rejected_with_that_reason(
    tmp_path, loaded_warehouse
):
    """IOM sends case rows reaching 2018Q2 (the loaded warehouse): its return for 2018Q2 is not
    taken; a return for a quarter after its case data is."""
    iom = [{**r, "entity": "IOM"} for r in TOTALS["agency_returns"]()]
    path = write_csv(tmp_path, f"agency_returns_{AS_OF}.csv", iom)
    code, report = ingest(path, loaded_warehouse)
    assert code == 1
    rules = {(p["rule"], p["column"]) for p in report["problems"]}
    assert rules == {("quarter_in_case_rows", "quarter")}, report["problems"]
    later = [{**r, "as_of": "2018-09-30", "quarter": "2018Q3"} for r in iom]
    code, report = ingest(
        write_csv(tmp_path, "agency_returns_2018-09-30.csv", later), loaded_warehouse
    )
    assert code == 0, report


def test_cases_and_returns_in_one_load_check_against_each_other(tmp_path, warehouse):
    """Cases load first (load order), so a return in the same load sees them."""
    from extracts import cases

    folder = tmp_path / "both"
    folder.mkdir()
    write_csv(folder, f"cases_{AS_OF}.csv", cases())
    write_csv(
        folder,
        f"agency_returns_{AS_OF}.csv",
        [{**r, "entity": "IOM"} for r in TOTALS["agency_returns"]()],
    )
    result = runner.invoke(app, ["ingest", str(folder), "--warehouse", str(warehouse), "--json"])
    files = {f["file"]: f for f in json.loads(result.output)["files"]}
    assert files[f"cases_{AS_OF}.csv"]["status"] == "accepted"
    assert files[f"agency_returns_{AS_OF}.csv"]["problems"][0]["rule"] == "quarter_in_case_rows"


def test_an_entity_s_loader_cannot_send_the_network_s_capacity(tmp_path, warehouse):
    from pipelines.load import ingest as load
    from pipelines.warehouse import connect

    path = write_csv(tmp_path, f"psea_capacity_{AS_OF}.csv", TOTALS["psea_capacity"]())
    con = connect(warehouse)
    try:
        (outcome,) = load(con, [path], run_gx=False, entity="WFP")
    finally:
        con.close()
    assert outcome.status == "rejected"
    assert (outcome.problems[0].rule, outcome.problems[0].column, outcome.problems[0].row) == (
        "other_entity",
        "reporter",
        1,
    )


@pytest.mark.parametrize("kind", sorted(TOTALS))
def test_gx_suite_agrees_with_the_row_engine(kind):
    from data_contracts import contract_for
    from data_contracts.gx_suite import run_suite
    from data_contracts.rules import check_rows

    contract = contract_for(kind)
    text = pl.DataFrame(TOTALS[kind]()).with_columns(pl.all().replace("", None))
    good = check_rows(text, contract, "f").frame
    assert good is not None
    outcome = run_suite(contract, good, dt.date(2018, 6, 30))
    assert outcome.success, outcome.failed
    if kind == "agency_returns":  # a group of another dimension, by the suite's row conditions
        bad = good.with_columns(
            pl.when(pl.col("group") == "sexual_abuse")
            .then(pl.lit("women"))
            .otherwise(pl.col("group"))
            .alias("group")
        )
        failed = run_suite(contract, bad, dt.date(2018, 6, 30)).failed
        assert {f["column"] for f in failed} == {"group"}

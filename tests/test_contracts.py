"""Every contract rule, each with a small synthetic file: rejected with file, row, column and rule,
exit status 1, and the warehouse unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import table_counts
from extracts import AS_OF, VALID, ref, write_csv
from typer.testing import CliRunner

from psea.cli import app

runner = CliRunner()


def mutate(kind: str, row: int, **changes) -> list[dict]:
    rows = VALID[kind]()
    rows[row - 1].update(changes)
    return rows


def drop_column(kind: str, column: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k != column} for r in VALID[kind]()]


# (id, kind, rows, expected rule, expected column, expected row)
ROW_CASES = [
    (
        "extra column victim_name",
        "case_victims",
        [{**r, "victim_name": "x"} for r in VALID["case_victims"]()],
        "strict_columns",
        "#7",  # by its position: a header's text is never repeated
        None,
    ),
    ("missing column", "cases", drop_column("cases", "mission"), "strict_columns", "mission", None),
    ("duplicate ref", "cases", mutate("cases", 2, case_ref=ref(1)), "unique", "case_ref", 2),
    (
        "raw identifier instead of pseudonym",
        "cases",
        mutate("cases", 3, case_ref="OIG-2018-0042"),
        "pseudonymous_ref",
        "case_ref",
        3,
    ),
    (
        "name where a ref is expected",
        "roster",
        mutate("roster", 2, manager_ref="Amina Diallo"),
        "no_direct_identifier",
        "manager_ref",
        2,
    ),
    (
        "e-mail in a cell",
        "training",
        mutate("training", 2, mission="jane.doe@example.org"),
        "no_email",
        "mission",
        2,
    ),
    (
        "phone number in a cell",
        "cases",
        mutate("cases", 1, reporting_channel="+41 22 717 9111"),
        "no_phone_number",
        "reporting_channel",
        1,
    ),
    (
        "unknown code",
        "cases",
        mutate("cases", 2, category="harassment"),
        "allowed_values",
        "category",
        2,
    ),
    ("unknown mission", "cases", mutate("cases", 2, mission="XXX"), "mission_code", "mission", 2),
    (
        "date after as_of",
        "training",
        mutate("training", 3, completed_on="2018-07-01"),
        "after_as_of",
        "completed_on",
        3,
    ),
    (
        "date before 2000",
        "roster",
        mutate("roster", 3, contract_start="1999-12-31"),
        "date_range",
        "contract_start",
        3,
    ),
    (
        "not a date",
        "cases",
        mutate("cases", 1, date_received="10/01/2018"),
        "date_format",
        "date_received",
        1,
    ),
    ("two as_of values", "cases", mutate("cases", 3, as_of="2018-03-31"), "one_as_of", "as_of", 3),
    (
        "completion before opening",
        "cases",
        mutate("cases", 1, investigation_completed_on="2018-01-24"),
        "date_order",
        "investigation_completed_on",
        1,
    ),
    (
        "substantiated without completion date",
        "cases",
        mutate("cases", 1, investigation_completed_on=""),
        "status_dates",
        "investigation_completed_on",
        1,
    ),
    (
        "open investigation with completion date",
        "cases",
        mutate("cases", 2, investigation_completed_on="2018-03-01"),
        "status_dates",
        "investigation_completed_on",
        2,
    ),
    (
        "assessment missing past preliminary",
        "cases",
        mutate("cases", 2, assessment_completed_on=""),
        "status_dates",
        "assessment_completed_on",
        2,
    ),
    (
        "incident after receipt",
        "cases",
        mutate("cases", 1, incident_month="2018-02"),
        "date_order",
        "incident_month",
        1,
    ),
    (
        "victim of an unknown case",
        "case_victims",
        mutate("case_victims", 3, case_ref=ref(999)),
        "unknown_reference",
        "case_ref",
        3,
    ),
    (
        "subject of an unknown case",
        "case_subjects",
        mutate("case_subjects", 2, case_ref=ref(998)),
        "unknown_reference",
        "case_ref",
        2,
    ),
    (
        "assistance to an unknown victim",
        "victim_assistance",
        mutate("victim_assistance", 2, victim_ref=ref(777)),
        "unknown_reference",
        "victim_ref",
        2,
    ),
    (
        "assistance before the case",
        "victim_assistance",
        mutate("victim_assistance", 1, referred_on="2018-01-01"),
        "date_order",
        "referred_on",
        1,
    ),
    (
        "unknown manager",
        "roster",
        mutate("roster", 3, manager_ref=ref(999)),
        "unknown_manager",
        "manager_ref",
        3,
    ),
    (
        "management cycle",
        "roster",
        mutate("roster", 1, manager_ref=ref(303)),
        "management_cycle",
        "manager_ref",
        1,
    ),
    (
        "contract end before start",
        "roster",
        mutate("roster", 3, contract_end="2016-01-01"),
        "date_order",
        "contract_end",
        3,
    ),
    (
        "participants out of range",
        "awareness_sessions",
        mutate("awareness_sessions", 2, participants="6000"),
        "range",
        "participants",
        2,
    ),
    (
        "appraisal year after as_of",
        "appraisals",
        mutate("appraisals", 1, year="2019"),
        "after_as_of",
        "year",
        1,
    ),
    (
        "not a boolean",
        "contracts",
        mutate("contracts", 1, psea_clause="maybe"),
        "boolean",
        "psea_clause",
        1,
    ),
    (
        "duplicate completion",
        "training",
        [*VALID["training"](), VALID["training"]()[0]],
        "unique",
        "person_ref,course,completed_on",
        4,
    ),
    (
        "formula cell",
        "contracts",
        mutate("contracts", 2, subcontract_flowdown='=HYPERLINK("http://x")'),
        "no_formula",
        "subcontract_flowdown",
        2,
    ),
    (
        "entity not a code",
        "contracts",
        mutate("contracts", 2, entity="iom"),
        "entity_code",
        "entity",
        2,
    ),
    (
        "required value missing",
        "training",
        mutate("training", 1, delivery=""),
        "required",
        "delivery",
        1,
    ),
]


@pytest.mark.parametrize(
    ("kind", "rows", "rule", "column", "row"),
    [c[1:] for c in ROW_CASES],
    ids=[c[0] for c in ROW_CASES],
)
def test_bad_extract_is_rejected_and_changes_nothing(
    tmp_path, loaded_warehouse, kind, rows, rule, column, row
):
    before = table_counts(loaded_warehouse)
    path = write_csv(tmp_path, f"{kind}_{AS_OF}.csv", rows)
    # A different as_of keeps the file from being a re-send of the loaded snapshot; content decides.
    result = runner.invoke(
        app, ["ingest", str(path), "--warehouse", str(loaded_warehouse), "--json"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)["files"][0]
    assert report["status"] == "rejected"
    hits = [
        p
        for p in report["problems"]
        if p["rule"] == rule and p["column"] == column and p["row"] == row
    ]
    assert hits, report["problems"]
    assert hits[0]["file"] == path.name
    assert table_counts(loaded_warehouse) == before


def test_rejection_message_names_file_row_column_rule(tmp_path, loaded_warehouse):
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", mutate("cases", 2, category="harassment"))
    result = runner.invoke(app, ["ingest", str(path), "--warehouse", str(loaded_warehouse)])
    assert result.exit_code == 1
    assert f"{path.name}: row 2, column category: allowed_values: unknown code" in result.output
    assert "REJECTED" in result.output


def test_sensitive_values_are_never_echoed(tmp_path, warehouse):
    path = write_csv(
        tmp_path, f"training_{AS_OF}.csv", mutate("training", 2, mission="jane.doe@example.org")
    )
    result = runner.invoke(app, ["check", str(path), "--warehouse", str(warehouse), "--json"])
    assert "jane.doe" not in result.output
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", mutate("cases", 3, case_ref="OIG-2018-0042"))
    result = runner.invoke(app, ["check", str(path), "--warehouse", str(warehouse)])
    assert "OIG-2018-0042" not in result.output and "pseudonymous_ref" in result.output


FILE_CASES = [
    ("zero-byte file", b"", "empty_file", None),
    ("header only, cut short", b"case_ref,entity\n" + b"x" * 3, "truncated", 1),
    ("not CSV at all", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "file_format", None),
    ("PDF bytes", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "file_format", None),
    ("non-UTF-8 bytes", None, "encoding", 2),
]


def _truncated_cases(tmp_path: Path) -> bytes:
    full = write_csv(tmp_path, "full.csv", VALID["cases"]()).read_bytes()
    return full[: full.rindex(b"\n", 0, len(full) - 1) + 40]  # cut in the middle of the last row


def _latin1_cases(tmp_path: Path) -> bytes:
    text = write_csv(tmp_path, "full.csv", VALID["cases"]()).read_text()
    lines = text.splitlines()
    return (
        ("\n".join(lines[:2]) + "\n").encode()
        + lines[2].replace("hotline", "hotlin\u00e9").encode("latin-1")
        + b"\n"
    )


@pytest.mark.parametrize(
    ("content", "rule", "row"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_unreadable_file_is_rejected(tmp_path, loaded_warehouse, content, rule, row):
    before = table_counts(loaded_warehouse)
    if content is None:
        content = _latin1_cases(tmp_path)
    path = tmp_path / f"cases_{AS_OF}.csv"
    path.write_bytes(content)
    result = runner.invoke(
        app, ["ingest", str(path), "--warehouse", str(loaded_warehouse), "--json"]
    )
    assert result.exit_code == 1, result.output
    problem = json.loads(result.output)["files"][0]["problems"][0]
    assert problem["rule"] == rule and problem["row"] == row and problem["file"] == path.name
    assert table_counts(loaded_warehouse) == before


def test_truncated_last_row_is_rejected(tmp_path, loaded_warehouse):
    before = table_counts(loaded_warehouse)
    path = tmp_path / f"cases_{AS_OF}.csv"
    path.write_bytes(_truncated_cases(tmp_path))
    result = runner.invoke(
        app, ["ingest", str(path), "--warehouse", str(loaded_warehouse), "--json"]
    )
    assert result.exit_code == 1
    problem = json.loads(result.output)["files"][0]["problems"][0]
    assert (problem["rule"], problem["row"]) == ("truncated", 3)
    assert table_counts(loaded_warehouse) == before


HEADER = b"person_ref,entity,as_of,course,completed_on,delivery,mission"
ROW = b"0000000000000001,IOM,2018-06-30,psea_mandatory,2017-02-01,online,IRQ"


@pytest.mark.parametrize(
    ("body", "rule", "row"),
    [
        (b"\n".join([HEADER, ROW, ROW[:-4], ROW]) + b"\n", "truncated", 2),  # short, mid-file
        (b"\r\n".join([HEADER, ROW, ROW, ROW + b",x"]) + b"\r\n", "field_count", 3),
        (b"\n".join([HEADER, ROW, ROW.replace(b"IRQ", b"I\x01Q"), ROW[:20]]), "truncated", 3),
        (b"\n".join([HEADER, ROW, b'"' + ROW[:-4] + b'"']) + b"\n", "truncated", 2),
        # the file's delimiters add up (one field short, one too many): still the short row
        (b"\n".join([HEADER, ROW, ROW[:-4], ROW + b",x"]) + b"\n", "truncated", 2),
        (b"\n".join([HEADER, ROW, b"", ROW + b",x"]), "field_count", 3),
    ],
    ids=[
        "short row mid-file",
        "extra field, CRLF",
        "a \\x01 byte, short last row",
        "quoted",
        "one short, one long",
        "blank line, one long",
    ],
)
def test_every_row_has_the_header_s_field_count(tmp_path, body, rule, row):
    from data_contracts.problems import ExtractRejected
    from pipelines.read import read_extract

    path = tmp_path / f"training_{AS_OF}.csv"
    path.write_bytes(body)
    with pytest.raises(ExtractRejected) as rejected:
        read_extract(path)
    assert (rejected.value.problem.rule, rejected.value.problem.row) == (rule, row)


def test_crlf_rows_pass_the_reader_whole(tmp_path):
    from pipelines.read import read_extract

    path = tmp_path / f"training_{AS_OF}.csv"
    path.write_bytes(b"\r\n".join([HEADER, ROW, ROW.replace(b"01,IOM", b"02,IOM")]) + b"\r\n")
    assert read_extract(path).frame.height == 2


def test_xlsx_formula_cell_is_rejected(tmp_path, warehouse):
    import xlsxwriter

    path = tmp_path / f"contracts_{AS_OF}.xlsx"
    rows = VALID["contracts"]()
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("contracts")
        sheet.write_row(0, 0, list(rows[0]))
        for i, r in enumerate(rows, start=1):
            sheet.write_row(i, 0, list(r.values()))
        sheet.write_formula(2, 0, '="0000000000000"&"1f5"')
    result = runner.invoke(app, ["check", str(path), "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 1
    problem = json.loads(result.output)["files"][0]["problems"][0]
    assert (problem["rule"], problem["row"], problem["column"]) == ("no_formula", 2, "contract_ref")


def test_file_name_date_must_match_as_of(tmp_path, warehouse):
    path = write_csv(tmp_path, "training_2018-03-31.csv", VALID["training"]())
    result = runner.invoke(app, ["check", str(path), "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["files"][0]["problems"][0]["rule"] == "file_name_date"


@pytest.mark.parametrize("variant", ["semicolon_bom", "xlsx", "parquet", "upper_case_headers"])
def test_every_format_of_a_valid_extract_is_accepted(tmp_path, warehouse, variant):
    rows = VALID["training"]()
    if variant == "semicolon_bom":
        path = write_csv(tmp_path, "training.csv", rows, delimiter=";", bom=True)
    elif variant == "upper_case_headers":
        path = write_csv(
            tmp_path, "training.csv", [{f" {k.upper()} ": v for k, v in r.items()} for r in rows]
        )
    else:
        frame = pl.DataFrame(rows).with_columns(pl.col("completed_on", "as_of").str.to_date())
        path = tmp_path / f"training.{variant}"
        frame.write_excel(path, worksheet="training") if variant == "xlsx" else frame.write_parquet(
            path
        )
    result = runner.invoke(app, ["ingest", str(path), "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["rows_loaded"] == 3


def test_kind_from_option_when_the_name_does_not_say(tmp_path, warehouse):
    path = write_csv(tmp_path, "export-from-hr.csv", VALID["roster"]())
    result = runner.invoke(app, ["check", str(path), "--warehouse", str(warehouse)])
    assert result.exit_code == 1 and "extract_kind" in result.output
    result = runner.invoke(
        app, ["check", str(path), "--kind", "roster", "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 0, result.output


def test_gx_suite_agrees_with_the_row_engine():
    """The GX suite built from the contract flags the same columns as the row engine."""
    import datetime as dt

    from data_contracts import contract_for
    from data_contracts.gx_suite import run_suite
    from data_contracts.rules import check_rows

    contract = contract_for("cases")
    good = check_rows(
        pl.DataFrame(VALID["cases"]()).with_columns(pl.all().replace("", None)), contract, "c"
    ).frame
    outcome = run_suite(contract, good, dt.date(2018, 6, 30))
    assert outcome.success, outcome.failed
    assert outcome.evaluated >= 30
    bad = good.with_columns(
        pl.when(pl.col("case_ref") == ref(1))
        .then(None)
        .otherwise(pl.col("investigation_completed_on"))
        .alias("investigation_completed_on")
    )
    failed = run_suite(contract, bad, dt.date(2018, 6, 30)).failed
    assert {f["column"] for f in failed} == {"investigation_completed_on"}


def test_a_gx_failure_after_the_insert_rolls_the_load_back(tmp_path, loaded_warehouse, monkeypatch):
    """The suite runs while the rows are inserted; its failure must undo the insert."""
    from data_contracts import gx_suite
    from pipelines.load import ingest
    from pipelines.warehouse import connect

    def failing(contract, typed, as_of, max_rows=None):
        return gx_suite.SuiteOutcome(
            success=False,
            evaluated=1,
            failed=[{"expectation": "expect_x", "column": "mission", "unexpected_count": 1}],
            expectations=[],
            rows_validated=typed.height,
            validation={},
        )

    monkeypatch.setattr(gx_suite, "run_suite", failing)
    before = table_counts(loaded_warehouse)
    rows = [{**r, "as_of": "2018-09-30"} for r in VALID["awareness_sessions"]()]
    path = write_csv(tmp_path, "awareness_sessions_2018-09-30.csv", rows)
    con = connect(loaded_warehouse)
    outcome = ingest(con, [path], run_gx=True)[0]
    status = con.sql(
        "select status from load_manifest where file_name = ?", params=[path.name]
    ).fetchall()
    con.close()
    assert outcome.status == "rejected"
    assert [p.rule for p in outcome.problems] == ["gx:expect_x"]
    assert status == [("rejected",)]
    assert table_counts(loaded_warehouse) == before


def test_a_gx_run_keeps_its_data_docs_page_without_data_values(tmp_path, warehouse):
    from data_contracts.gx_suite import data_docs
    from pipelines.load import ingest
    from pipelines.warehouse import connect

    rows = mutate("training", 1)
    path = write_csv(tmp_path, f"training_{AS_OF}.csv", rows)
    con = connect(warehouse)
    outcome = ingest(con, [path], run_gx=True)[0]
    stored = con.sql(
        "select result from gx_validations where load_id = ?", params=[outcome.load_id]
    ).fetchall()[0][0]
    html = data_docs(json.loads(stored))
    gx_result = con.sql(
        "select gx_result from load_manifest where load_id = ?", params=[outcome.load_id]
    ).fetchall()[0][0]
    con.close()
    assert outcome.status == "accepted"
    assert "Expectation Validation Result" in html and "training_contract" in html
    assert "cdn.jsdelivr.net" not in html and "<script src=" not in html  # self-contained
    assert (
        "newsletter" not in html and '"\\2714  passed"' in html
    )  # styled offline, statuses in words
    assert rows[0]["person_ref"] not in html  # no data value, only counts
    assert rows[0]["person_ref"] not in stored
    assert json.loads(gx_result)["success"] is True and "validation" not in gx_result

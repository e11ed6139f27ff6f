"""The `psea` command as a data manager drives it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_demo, table_counts
from extracts import AS_OF, VALID, write_all, write_csv
from typer.testing import CliRunner

from pipelines.warehouse import connect
from psea.cli import app

runner = CliRunner()


def psea(*args: str):
    return runner.invoke(app, list(args))


def test_every_valid_extract_loads_and_status_reports_rows(tmp_path):
    wh = str(tmp_path / "w.duckdb")
    folder = tmp_path / "in"
    folder.mkdir()
    write_all(folder)
    result = psea("ingest", str(folder), "--warehouse", wh)
    assert result.exit_code == 0, result.output
    assert result.output.count(": accepted") == 9
    status = json.loads(psea("status", "--json", "--warehouse", wh).output)
    expected = {kind: len(rows()) for kind, rows in VALID.items()}
    expected |= {"agency_returns": 0, "psea_capacity": 0}  # not in this folder
    assert {k: v["rows"] for k, v in status["extracts"].items()} == expected
    assert status["extracts"]["cases"]["latest_as_of"] == AS_OF
    assert status["loads"] == {"accepted": 9, "rejected": 0}
    con = connect(wh)  # the figures the pages open on, computed for the loaded data
    try:
        kept = con.sql("select count(*), count(distinct loads) from stored_figures").fetchone()
    finally:
        con.close()
    assert kept[0] > 0 and kept[1] == 1


def test_loading_the_same_bytes_twice_changes_nothing(tmp_path):
    wh = str(tmp_path / "w.duckdb")
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", VALID["cases"]())
    assert psea("ingest", str(path), "--warehouse", wh).exit_code == 0
    before = table_counts(Path(wh))
    again = psea("ingest", str(path), "--warehouse", wh)
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert table_counts(Path(wh)) == before
    assert json.loads(psea("status", "--json", "--warehouse", wh).output)["loads"]["accepted"] == 1


def test_a_corrected_resend_replaces_the_snapshot_and_the_manifest_keeps_both(tmp_path):
    wh = tmp_path / "w.duckdb"
    first = write_csv(tmp_path, f"cases_{AS_OF}.csv", VALID["cases"]())
    assert psea("ingest", str(first), "--warehouse", str(wh)).exit_code == 0
    corrected = write_csv(tmp_path / "..", f"cases_{AS_OF}.csv", VALID["cases"]()[:2])
    assert psea("ingest", str(corrected), "--warehouse", str(wh)).exit_code == 0
    con = connect(wh, read_only=True)
    assert con.sql("select count(*) from cases").fetchall()[0][0] == 2
    statuses = sorted(r[0] for r in con.sql("select status from load_manifest").fetchall())
    assert statuses == ["accepted", "superseded"]
    con.close()


def test_a_rejected_file_is_quarantined_with_its_problems(tmp_path):
    wh = tmp_path / "w.duckdb"
    rows = VALID["cases"]()
    rows[1]["category"] = "harassment"
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", rows)
    assert psea("ingest", str(path), "--warehouse", str(wh)).exit_code == 1
    con = connect(wh, read_only=True)
    manifest = con.sql(
        "select status, rows_in, rows_loaded, rows_rejected from load_manifest"
    ).fetchall()
    problems = con.sql("select row_number, column_name, rule from load_problems").fetchall()
    assert manifest == [("rejected", 3, 0, 3)]
    assert problems == [(2, "category", "allowed_values")]
    assert con.sql("select count(*) from cases").fetchall()[0][0] == 0
    con.close()


def test_a_load_killed_half_way_leaves_the_warehouse_as_it_was(tmp_path):
    wh = tmp_path / "w.duckdb"
    assert (
        psea(
            "ingest",
            str(write_csv(tmp_path, "roster.csv", VALID["roster"]())),
            "--warehouse",
            str(wh),
        ).exit_code
        == 0
    )
    before = table_counts(wh)
    manifest_before = (
        connect(wh, read_only=True).sql("select count(*) from load_manifest").fetchall()
    )
    path = write_csv(tmp_path, f"training_{AS_OF}.csv", VALID["training"]())
    paused = Path(__file__).with_name("paused_load.py")  # psea, paused before each commit
    proc = subprocess.Popen(
        [sys.executable, str(paused), "60", "ingest", str(path), "--warehouse", str(wh)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 60
    line = ""
    while time.time() < deadline and "commit pending" not in line:
        line = proc.stderr.readline()
    assert "commit pending" in line, "the load never reached its insert"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert table_counts(wh) == before
    con = connect(wh, read_only=True)
    assert con.sql("select count(*) from load_manifest").fetchall() == manifest_before
    con.close()
    # and the warehouse is usable: the same file loads cleanly afterwards
    assert psea("ingest", str(path), "--warehouse", str(wh)).exit_code == 0
    assert table_counts(wh)["training"] == 3


def test_pseudonymize_writes_refs_that_pass_the_contract(tmp_path):
    key = tmp_path / "key"
    key.write_text("a-secret-of-the-organization-0123456789")
    source = tmp_path / "raw.csv"
    source.write_text("case_ref,victim_ref\nOIG-2018-0042,V-17\nOIG-2018-0042,V-18\n")
    out = tmp_path / "pseudo.csv"
    result = psea(
        "pseudonymize",
        str(source),
        "--columns",
        "case_ref,victim_ref",
        "--key-file",
        str(key),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    first, second = lines[1].split(","), lines[2].split(",")
    assert first[0] == second[0] and first[1] != second[1]  # same source id, same pseudonym
    import hashlib
    import hmac

    assert (
        first[0]
        == hmac.new(key.read_bytes().strip(), b"OIG-2018-0042", hashlib.sha256).hexdigest()[:16]
    )
    assert "OIG" not in out.read_text()


def test_usage_errors_exit_2(tmp_path):
    assert (
        psea("ingest", str(tmp_path / "missing.csv"), "--warehouse", str(tmp_path / "w")).exit_code
        == 2
    )
    assert psea("ingest", "--no-such-option").exit_code == 2
    path = write_csv(tmp_path, "x.csv", VALID["roster"]())
    assert (
        psea(
            "ingest", str(path), "--kind", "nonsense", "--warehouse", str(tmp_path / "w")
        ).exit_code
        == 2
    )


def test_check_loads_nothing(tmp_path, loaded_warehouse):
    before = table_counts(loaded_warehouse)
    path = write_csv(
        tmp_path,
        "training_2018-09-30.csv",
        [{**r, "as_of": "2018-09-30"} for r in VALID["training"]()],
    )
    result = psea("check", str(path), "--warehouse", str(loaded_warehouse))
    assert result.exit_code == 0 and ": valid" in result.output
    assert table_counts(loaded_warehouse) == before


def test_demo_is_deterministic_and_its_templates_pass_the_contracts(tmp_path, tmp_path_factory):
    one, two = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    extracts = tmp_path / "templates"
    result = psea(
        "demo",
        "--scale",
        "0.02",
        "--seed",
        "3",
        "--warehouse",
        str(one),
        "--write-extracts",
        str(extracts),
    )
    assert result.exit_code == 0, result.output
    # the same demo built by another process of this test run (test_fail_closed opens it too)
    copy_demo(tmp_path_factory, two, seed=3, scale=0.02)
    status_one = json.loads(psea("status", "--json", "--warehouse", str(one)).output)
    assert status_one == json.loads(psea("status", "--json", "--warehouse", str(two)).output)
    assert all(v["rows"] > 0 for v in status_one["extracts"].values())
    latest = sorted(extracts.glob("*.csv"))
    latest_as_of = status_one["extracts"]["cases"]["latest_as_of"]
    files = [str(p) for p in latest if latest_as_of in p.name]
    # one per extract kind, and the cases sent again corrected (the same snapshot, loaded after);
    # the country capacity is returned for the quarter before (the last every entity reported)
    assert len(files) == 11 and sum("cases_corrected_" in f for f in files) == 1
    assert not [f for f in files if "psea_capacity" in f]
    checked = psea("check", *files, "--warehouse", str(tmp_path / "empty.duckdb"), "--json")
    assert checked.exit_code == 0, checked.output[:2000]
    assert {f["status"] for f in json.loads(checked.output)["files"]} == {"valid"}


@pytest.mark.slow
def test_demo_at_scale_1_builds_in_under_a_minute(tmp_path):
    started = time.perf_counter()
    assert psea("demo", "--warehouse", str(tmp_path / "w.duckdb")).exit_code == 0
    print(f"demo scale 1: {time.perf_counter() - started:.1f} s")


def test_demo_refuses_to_overwrite_a_warehouse_with_loaded_extracts(loaded_warehouse):
    before = table_counts(loaded_warehouse)
    result = psea("demo", "--scale", "0.02", "--warehouse", str(loaded_warehouse))
    assert result.exit_code == 1
    assert "refusing to overwrite" in result.output
    assert table_counts(loaded_warehouse) == before


@pytest.mark.parametrize(
    "command",
    [
        ("brief", "--meeting", "2026-11-02", "--entity", "IOM", "--out", "{out}"),
        ("indicators", "--as-of", "2026-09-30", "--out", "{out}/indicators.csv"),
    ],
)
def test_a_command_pointed_at_no_warehouse_fails_closed_and_creates_nothing(tmp_path, command):
    """A mistyped --warehouse (a folder that holds no store) is refused, naming it: nothing is
    created there and no command answers from an empty store."""
    where = tmp_path / "not_a_warehouse"
    where.mkdir()
    out = tmp_path / "out"
    result = psea(*(c.format(out=out) for c in command), "--warehouse", str(where))
    assert result.exit_code == 1
    assert "no warehouse in" in result.output
    assert list(where.iterdir()) == []

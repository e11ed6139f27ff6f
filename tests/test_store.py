"""The warehouse on DuckLake, within one process: the schema DuckLake can hold, keys kept by the
code, a new load seen on the next read, a brief rebuilt from the snapshot it recorded, backup,
restore and maintenance. (Processes sharing a store: tests/test_store_processes.py.)"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading

import pytest
from conftest import table_counts
from extracts import VALID, write_csv
from typer.testing import CliRunner

from pipelines.load import ingest
from pipelines.meetings import add_meeting
from pipelines.warehouse import connect, declared_ddl, snapshot_id
from psea.cli import app

runner = CliRunner()
MEETING = "2018-09-20"


def psea(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _without_generated(markdown: str) -> str:
    return "\n".join(line for line in markdown.splitlines() if "**Generated**" not in line)


def _md_brief(out, wh: str, *options: str) -> str:
    """`psea brief` of the meeting as Markdown into `out`; its output."""
    return psea(
        "brief",
        "--meeting",
        MEETING,
        "--out",
        str(out),
        "--formats",
        "md",
        *options,
        "--warehouse",
        wh,
    )


def _corrected_cases(folder):
    """The fixture's cases, one fewer: a corrected re-send of the same snapshot."""
    return write_csv(folder, "cases_2018-06-30.csv", VALID["cases"]()[:-1])


def test_the_schema_declares_nothing_ducklake_lacks():
    """No primary key, unique constraint, foreign key, index or sequence: DuckLake has none."""
    import duckdb

    scratch = duckdb.connect()
    for ddl in declared_ddl():
        scratch.execute(ddl)
    kinds = scratch.sql("select distinct constraint_type from duckdb_constraints()").fetchall()
    assert {k[0] for k in kinds} <= {"NOT NULL"}
    assert scratch.sql("select count(*) from duckdb_indexes()").fetchall()[0][0] == 0
    assert scratch.sql("select count(*) from duckdb_sequences()").fetchall()[0][0] == 0


def test_the_same_file_twice_is_loaded_once_and_a_meeting_date_once(tmp_path, loaded_warehouse):
    con = connect(loaded_warehouse)
    folder = tmp_path / "again"
    folder.mkdir()
    path = write_csv(folder, "training_2018-06-30.csv", VALID["training"]())
    assert [o.status for o in ingest(con, [path], run_gx=False)] == ["already_loaded"]
    add_meeting(con, dt.date(2031, 1, 9), "Extra", None, "admin@example.org", "admin")
    with pytest.raises(ValueError, match="already in the calendar"):
        add_meeting(con, dt.date(2031, 1, 9), "Again", None, "admin@example.org", "admin")
    rows = con.sql("select count(*) from sfp_meetings_added").fetchall()[0][0]
    assert rows == 1
    con.close()


def test_two_sessions_producing_un_submissions_at_once_give_each_case_one_reference(
    loaded_warehouse,
):
    from pipelines.un_submissions import ReferenceConflict
    from psea.metrics import un_quarterly
    from psea.metrics.un_production import produce

    con = connect(loaded_warehouse)
    quarter = un_quarterly.parse_quarter("2018Q2")
    barrier, errors = threading.Barrier(2), []

    def session():
        cursor = con.cursor()
        try:
            barrier.wait()
            produce(cursor, "IOM", quarter, "test", "analyst")
        except ReferenceConflict:  # the later one undone and told to produce again: allowed
            pass
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=session) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    refs = con.sql("select case_ref, un_reference, data_snapshot from un_references").fetchall()
    assert refs and len({r[0] for r in refs}) == len(refs) == len({r[1] for r in refs})
    assert all(r[2] is not None for r in refs)  # the snapshot the submission read
    con.close()


def test_a_load_by_another_process_is_seen_on_the_next_read(tmp_path, loaded_warehouse):
    from psea.metrics.status import data_version

    con = connect(loaded_warehouse)
    before, rows = data_version(con), table_counts(loaded_warehouse)["cases"]
    folder = tmp_path / "resend"
    folder.mkdir()
    psea("ingest", str(_corrected_cases(folder)), "--warehouse", str(loaded_warehouse))
    assert data_version(con) != before  # the app's caches are keyed by it
    assert con.sql("select count(*) from cases").fetchall()[0][0] == rows - 1
    con.close()


def test_a_brief_rebuilt_at_its_recorded_snapshot_reads_the_data_it_read(
    tmp_path, loaded_warehouse
):
    wh = str(loaded_warehouse)
    first = _md_brief(tmp_path / "a", wh)
    snapshot = int(re.search(r"snapshot (\d+)", first).group(1))
    con = connect(loaded_warehouse)
    recorded = con.sql("select distinct data_snapshot, release_id from brief_archive").fetchall()
    assert [r[0] for r in recorded] == [snapshot]
    folder = tmp_path / "resend"
    folder.mkdir()
    psea("ingest", str(_corrected_cases(folder)), "--warehouse", wh)
    _md_brief(tmp_path / "b", wh)
    _md_brief(tmp_path / "c", wh, "--at-snapshot", str(snapshot))
    releases = con.sql(
        "select release_id from brief_archive group by all order by min(produced_at)"
    ).fetchall()
    assert len(releases) == 2  # the new data made a new release; the rebuild used the old one
    rebuilt = con.sql(
        "select release_id from brief_archive where data_snapshot = $s", params={"s": snapshot}
    ).fetchall()
    assert {r[0] for r in rebuilt} == {recorded[0][1]}
    # the same brief, word for word, but for the line saying when it was generated
    (original,) = (tmp_path / "a").glob("*.md")
    (again,) = (tmp_path / "c").glob("*.md")
    assert _without_generated(original.read_text()) == _without_generated(again.read_text())
    con.close()


def test_backup_restore_and_maintenance_keep_what_briefs_recorded(tmp_path, loaded_warehouse):
    wh = str(loaded_warehouse)
    first = _md_brief(tmp_path / "a", wh)
    snapshot = int(re.search(r"snapshot (\d+)", first).group(1))
    folder = tmp_path / "resend"
    folder.mkdir()
    psea("ingest", str(_corrected_cases(folder)), "--warehouse", wh)
    summary = json.loads(
        psea(
            "maintain",
            "--older-than-days",
            "0",
            "--files-older-than-minutes",
            "0",
            "--json",
            "--warehouse",
            wh,
        )
    )
    assert summary["expired_snapshots"] > 0
    connect(wh, snapshot=snapshot).close()  # recorded by the brief: still there
    with pytest.raises(RuntimeError):
        connect(wh, snapshot=1).close()  # an early snapshot nobody recorded: expired
    psea("backup", "--out", str(tmp_path / "backup"), "--warehouse", wh)
    note = json.loads((tmp_path / "backup" / "backup.json").read_text())
    psea("restore", str(tmp_path / "backup"), "--warehouse", str(tmp_path / "restored"))
    assert table_counts(tmp_path / "restored") == table_counts(loaded_warehouse)
    restored = connect(tmp_path / "restored", snapshot=snapshot)  # history came along
    restored.close()
    assert note["snapshot"] >= snapshot
    assert snapshot_id(connect(tmp_path / "restored")) >= note["snapshot"]

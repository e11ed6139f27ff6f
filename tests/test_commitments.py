"""Each entity's progress on the Minimum Operating Standards on PSEA and the Secretary-General's four
pillars: a status and a line per commitment, set in the meeting workspace, kept with its history
(append-only, numbered per entity and commitment), audit-logged without its text, refused when the
line holds an identifier; read as it stood at a meeting, beside its status at the previous one, and
shown in the brief and the Champion's report."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from pipelines.commitments import save_commitment
from pipelines.progress import TextRefused
from pipelines.warehouse import connect
from psea.brief.commitments import commitments_section
from psea.metrics import commitments, progress

M10, M11 = dt.date(2017, 3, 17), dt.date(2018, 4, 17)
FP = ("focal.point@example.org", "focal_point")


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    yield con
    con.close()


def test_a_change_is_a_new_version_and_the_same_status_again_is_none(con):
    assert (
        save_commitment(con, M10, "IOM", "mos", "not_started", "Self-assessment planned.", *FP) == 1
    )
    assert save_commitment(con, M11, "IOM", "mos", "in_progress", "Self-assessment done.", *FP) == 2
    # saved again unchanged at the same meeting: nothing written
    assert (
        save_commitment(con, M11, "IOM", "mos", "in_progress", "Self-assessment  done.", *FP) == 2
    )
    rows = con.sql(
        "select version, meeting_date, status from commitment_status order by version"
    ).fetchall()
    assert rows == [(1, M10, "not_started"), (2, M11, "in_progress")]


def test_versions_are_numbered_per_entity_and_commitment_without_a_declared_key(con):
    for entity in ("IOM", "WFP"):
        for status in ("not_started", "in_progress", "in_place"):
            save_commitment(con, M11, entity, "ending_impunity", status, "", *FP)
    save_commitment(con, M11, "IOM", "victims_first", "in_progress", "", *FP)
    keys = con.sql(
        "select entity, commitment, list(version order by version) from commitment_status "
        "group by all order by all"
    ).fetchall()
    assert keys == [
        ("IOM", "ending_impunity", [1, 2, 3]),
        ("IOM", "victims_first", [1]),
        ("WFP", "ending_impunity", [1, 2, 3]),
    ]
    ddl = con.sql(
        "select sql from duckdb_tables() where table_name = 'commitment_status'"
    ).fetchall()[0][0]
    assert "primary key" not in ddl.lower() and "unique" not in ddl.lower()  # DuckLake has none


def test_the_status_in_force_at_a_meeting_with_the_previous_meetings_beside_it(con):
    save_commitment(con, M10, "IOM", "mos", "not_started", "Planned.", *FP)
    save_commitment(con, M11, "IOM", "mos", "in_progress", "Done in half the offices.", *FP)
    save_commitment(con, M11, "IOM", "victims_first", "in_place", "Pathways mapped.", *FP)
    at_11 = commitments.in_force(con, M11, "IOM", previous=M10)
    assert at_11.select("commitment", "status", "status_before").rows() == [
        ("mos", "in_progress", "not_started"),
        ("victims_first", "in_place", None),
    ]
    at_10 = commitments.in_force(con, M10, "IOM")  # the brief of the 10th stays as it was
    assert at_10.select("commitment", "status", "line").rows() == [
        ("mos", "not_started", "Planned.")
    ]


def test_every_version_is_in_the_history_and_the_audit_log_without_its_text(con):
    save_commitment(con, M11, "IOM", "mos", "in_progress", "Self-assessment done.", *FP)
    save_commitment(con, M11, "IOM", "mos", "in_place", "All standards met.", *FP)
    history = commitments.history(con, "IOM")
    assert history["version"].to_list() == [2, 1]
    assert set(history["written_by"]) == {FP[0]}
    workspace = progress.history(con, M11, "IOM")
    assert workspace.filter(pl.col("what") == "commitment mos")["version"].to_list() == [2, 1]
    logged = con.sql(
        "select detail from audit_log where action = 'commitment_saved' order by logged_at"
    ).fetchall()
    details = [json.loads(d) for (d,) in logged]
    assert [d["status"] for d in details] == ["in_progress", "in_place"]
    assert not any("standards" in json.dumps(d) for d in details)  # never the text


def test_a_line_with_an_identifier_is_refused_by_its_rule_and_nothing_is_written(con):
    with pytest.raises(TextRefused) as refused:
        save_commitment(
            con, M11, "IOM", "victims_first", "in_progress", "Write to x.y@example.org", *FP
        )
    assert refused.value.rule == "no_email" and "example.org" not in str(refused.value)
    with pytest.raises(ValueError, match="unknown status"):
        save_commitment(con, M11, "IOM", "victims_first", "finished", "", *FP)
    assert con.sql("select count(*) from commitment_status").fetchall() == [(0,)]
    assert con.sql("select count(*) from audit_log").fetchall() == [(0,)]


def test_the_brief_shows_each_status_with_what_it_was_at_the_previous_meeting(con):
    save_commitment(con, M10, "IOM", "mos", "not_started", "Planned.", *FP)
    save_commitment(con, M11, "IOM", "mos", "in_progress", "Done in half the offices.", *FP)
    save_commitment(con, M11, "WFP", "ending_impunity", "in_place", "Rehire screening in use.", *FP)
    frame = commitments.in_force(con, M11, previous=M10)
    one = commitments_section(frame.filter(pl.col("entity") == "IOM"), ["IOM"], compared=True)
    rows = one.tables[0].frame.rows()
    assert rows[0] == (
        "Minimum Operating Standards on PSEA",
        "In progress, was not started",
        "Done in half the offices.",
    )
    assert rows[1][1] == "Not set"
    both = commitments_section(frame, ["IOM", "WFP"], compared=True)
    status, lines = both.tables
    assert status.frame.columns[1:] == [
        "MOS-PSEA",
        "Victims first",
        "Ending impunity",
        "Civil society and partners",
        "Communication and transparency",
    ]
    assert status.frame.row(1) == (
        "WFP",
        "Not set",
        "Not set",
        "In place (new)",
        "Not set",
        "Not set",
    )
    assert lines.frame.height == 2

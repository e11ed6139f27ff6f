"""The UN quarterly submission as a ledger, over three snapshots of IOM's case data (tests/un_story.py):
every allegation goes out once as new, whenever it was entered, every change once as an update, and
every production is kept as it was produced."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner
from un_story import EXTRACTS, JUNE, SEPTEMBER, F, case, cases, load_snapshot, story_warehouse

from pipelines.warehouse import connect
from psea.cli import app

FILES = ("allegations.csv", "updates.csv", "totals.csv")
HEADER = (
    "entity,un_reference,quarter_received,reported_late,incident_month,country,category,"
    "personnel_group,victims_women,victims_girls,victims_females_unknown_age,victims_men,"
    "victims_boys,victims_males_unknown_age,victims_unknown,subjects_man,subjects_woman,"
    "subjects_unknown,status,interim_measures,referred_national_authorities,action,"
    "victim_assistance,paternity_claim"
)
COLUMNS = next(csv.reader([HEADER]))


def row(text: str) -> dict:
    """An allegations.csv row, written as the file has it."""
    return dict(zip(COLUMNS, next(csv.reader([text])), strict=True))


def report(warehouse, quarter: str, out):
    args = ["report", "un-quarterly", "--entity", "IOM", "--quarter", quarter, "--out", str(out)]
    return CliRunner().invoke(app, [*args, "--warehouse", str(warehouse)])


def read(path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The story's warehouse with 2018Q1, Q2 and Q3 produced in order."""
    folder = tmp_path_factory.mktemp("story")
    warehouse = story_warehouse(folder)
    outputs = {}
    for quarter in ("2018Q1", "2018Q2", "2018Q3"):
        result = report(warehouse, quarter, folder / quarter)
        assert result.exit_code == 0, result.output
        outputs[quarter] = result.output
    return folder, warehouse, outputs


def test_each_allegation_goes_out_once_as_new_whenever_it_was_entered(story):
    folder, _, _ = story
    assert read(folder / "2018Q1" / "allegations.csv") == [
        row(
            "IOM,IOM-2018-001,2018Q1,false,2017-12,Iraq,sexual_exploitation,un_staff,"
            "1,0,0,0,0,0,0,1,0,0,preliminary_assessment,no,no,pending,none,unknown"
        ),
        row(  # at headquarters: where IOM's sit; non-staff personnel
            "IOM,IOM-2018-002,2018Q1,false,unknown,Switzerland,sexual_abuse,un_non_staff,"
            "0,0,0,0,0,0,0,0,0,0,received,no,no,,none,unknown"
        ),
    ]
    assert read(folder / "2018Q2" / "allegations.csv") == [
        row(  # C: received in March, first entered in June's snapshot; its victim declined help
            "IOM,IOM-2018-003,2018Q1,true,unknown,Thailand,sexual_exploitation,"
            "implementing_partner,0,1,0,0,0,0,0,0,0,0,received,no,no,,declined,unknown"
        ),
        row(  # E: closed in the quarter it goes out in; a service pending (needs assessed)
            "IOM,IOM-2018-004,2018Q2,false,unknown,Iraq,other,un_non_staff,"
            "1,0,0,0,0,0,0,0,0,0,closed,no,no,,assessed,unknown"
        ),
        row(
            "IOM,IOM-2018-005,2018Q2,false,unknown,South Sudan,sexual_abuse,un_staff,"
            "0,0,0,1,0,0,0,0,1,0,preliminary_assessment,no,no,pending,provided,unknown"
        ),
    ]  # G (peacekeeping) is outside IOM's submission
    assert read(folder / "2018Q3" / "allegations.csv") == [
        row(
            'IOM,IOM-2018-006,2018Q3,false,unknown,"Congo, The Democratic Republic of the",'
            "sexual_exploitation,un_staff,0,0,0,0,0,0,0,0,0,1,received,no,no,pending,none,yes"
        ),
    ]


def test_every_later_change_goes_out_once_as_an_update(story):
    folder, _, _ = story
    assert read(folder / "2018Q1" / "updates.csv") == []
    updates = {
        quarter: [tuple(r.values()) for r in read(folder / quarter / "updates.csv")]
        for quarter in ("2018Q2", "2018Q3")
    }
    assert updates["2018Q2"] == [
        ("IOM-2018-001", "status", "preliminary_assessment", "under_investigation"),
        ("IOM-2018-001", "interim_measures", "no", "yes"),
        ("IOM-2018-002", "status", "received", "withdrawn"),  # gone from June's snapshot
    ]
    assert updates["2018Q3"] == [
        ("IOM-2018-001", "status", "under_investigation", "substantiated"),
        ("IOM-2018-001", "referred_national_authorities", "no", "yes"),
        ("IOM-2018-001", "action", "pending", "dismissal"),
        ("IOM-2018-002", "status", "withdrawn", "preliminary_assessment"),  # back
        ("IOM-2018-005", "category", "sexual_abuse", "sexual_exploitation"),
        ("IOM-2018-005", "personnel_group", "un_staff", "implementing_partner"),
        ("IOM-2018-005", "victims_girls", "0", "1"),
    ]  # E, closed when it went out, needs no update


def test_the_message_names_the_snapshot_read_and_what_stays_out(story):
    _, _, outputs = story
    assert (
        "IOM 2018Q1: 2 new allegation(s) (0 entered late), 0 update(s) (0 withdrawn); "
        in (outputs["2018Q1"])
    )
    # the snapshot for the quarter's end, not the latest as_of (2018-09-30)
    assert "case data as of 2018-03-31 (the snapshot for the quarter's end)" in outputs["2018Q1"]
    assert "3 new allegation(s) (1 entered late), 3 update(s) (1 withdrawn)" in outputs["2018Q2"]
    assert (
        "1 allegation(s) recorded as peacekeeping stay out of the submission" in (outputs["2018Q2"])
    )


def test_totals_list_the_groups_that_can_apply_to_the_entity(story):
    folder, _, _ = story
    totals = {
        (r["dimension"], r["group"]): r["count"] for r in read(folder / "2018Q2" / "totals.csv")
    }
    assert [g for d, g in totals if d == "personnel_group"] == [
        "agencies_funds_programmes",
        "implementing_partner",
        "non_un_forces",
        "unknown",
    ]  # no peacekeeping line for an agency, not even 0
    assert totals[("personnel_group", "agencies_funds_programmes")] == "2"
    assert totals[("personnel_group", "non_un_forces")] == "0"
    assert totals[("allegations", "total")] == "3"


def test_any_order_or_again_gives_the_same_files_and_says_so(story, tmp_path):
    folder, first, _ = story
    other = story_warehouse(tmp_path)
    for quarter in ("2018Q3", "2018Q1", "2018Q2"):
        assert report(other, quarter, tmp_path / quarter).exit_code == 0
    again = report(first, "2018Q2", tmp_path / "again")
    assert again.exit_code == 0, again.output
    assert "2018Q2 was produced before (UN" in again.output and "nothing differs" in again.output
    for quarter in ("2018Q1", "2018Q2", "2018Q3"):
        for name in FILES:
            assert (tmp_path / quarter / name).read_bytes() == (
                folder / quarter / name
            ).read_bytes()
    for name in FILES:
        assert (tmp_path / "again" / name).read_bytes() == (folder / "2018Q2" / name).read_bytes()
    first_manifest = json.loads((folder / "2018Q2" / "manifest.json").read_text())
    manifest = json.loads((tmp_path / "again" / "manifest.json").read_text())
    assert manifest["production_id"] != first_manifest["production_id"]
    assert manifest["previous_production"] == first_manifest["production_id"]
    assert manifest["differs_from_previous"] is False
    assert manifest["snapshots_read"]["cases"] == JUNE
    assert (
        manifest["files"]["allegations.csv"]["sha256"]
        == (first_manifest["files"]["allegations.csv"]["sha256"])
    )
    refused = report(first, "2018Q4", tmp_path / "q4")
    assert refused.exit_code == 1
    assert "the case data of IOM stop at 2018-09-30; nothing written" in refused.output
    assert not (tmp_path / "q4").exists()


def test_a_corrected_re_send_is_said_and_the_earlier_production_kept(tmp_path):
    from pipelines.un_submissions import production_files, productions

    warehouse = story_warehouse(tmp_path)
    assert report(warehouse, "2018Q2", tmp_path / "sent").exit_code == 0
    # June sent again: E gone, D reclassified, H received in May added
    h = case("00000000000000aa", "2018-05-20", JUNE, mission="SSD")
    june = [r for r in cases(JUNE) if r["category"] != "other"]
    june = [{**r, "category": "sexual_exploitation"} if r["mission"] == "SSD" else r for r in june]
    load_snapshot(tmp_path / "resend", warehouse, JUNE, cases=[*june, h])
    result = report(warehouse, "2018Q2", tmp_path / "revised")
    assert result.exit_code == 0, result.output
    assert "2018Q2 was produced before (UN" in result.output
    assert "differs since (a revised snapshot): " in result.output
    assert "allegations.csv: 1 added (IOM-2018-006)" in result.output
    assert "allegations.csv: 1 no longer in it (IOM-2018-004)" in result.output
    assert "allegations.csv: 1 changed: IOM-2018-005 (category)" in result.output
    assert "totals.csv: " in result.output
    con = connect(warehouse, read_only=True)
    made = productions(con, "IOM")
    assert made["differs_from_previous"].to_list() == [True, None]  # latest first
    assert made["previous_production"][0] == made["production_id"][1]
    kept = production_files(con, made["production_id"][1])
    con.close()
    for name in [*FILES, "manifest.json"]:  # the first production, exactly as produced
        assert kept[name] == (tmp_path / "sent" / name).read_bytes()
    assert [r["un_reference"] for r in read(tmp_path / "revised" / "allegations.csv")] == [
        "IOM-2018-003",
        "IOM-2018-005",
        "IOM-2018-006",
    ]


def test_a_reference_given_twice_at_once_undoes_the_later_production(tmp_path):
    """DuckLake has no unique keys: two productions giving references at the same moment are
    caught after the commit, and the later one is undone."""
    import polars as pl

    from pipelines.un_submissions import ReferenceConflict, record_production

    warehouse = story_warehouse(tmp_path)
    con = connect(warehouse)
    files = {name: b"x\n" for name in FILES}
    counts = {"allegations": 1, "reported_late": 0, "updates": 0, "withdrawn": 0}

    def produce(case_ref: str):
        given = pl.DataFrame(
            {
                "case_ref": [case_ref],
                "un_reference": ["IOM-2018-001"],
                "year_received": [2018],
                "sequence": [1],
                "quarter": ["2018Q1"],
            },
            schema_overrides={"year_received": pl.Int32, "sequence": pl.Int32},
        )
        return record_production(
            con,
            entity="IOM",
            quarter="2018Q1",
            snapshots={"cases": dt.date(2018, 3, 31)},
            counts=counts,
            files=files,
            references=given,
            actor="test",
            role="analyst",
        )

    first = produce("00000000000000a1")
    with pytest.raises(ReferenceConflict):
        produce("00000000000000a2")  # the same reference, read before the first was kept
    kept = con.sql("select case_ref, production_id from un_references").fetchall()
    assert kept == [("00000000000000a1", first.production_id)]
    assert con.sql("select production_id from un_productions").fetchall() == [
        (first.production_id,)
    ]
    con.close()


def test_an_older_case_extract_without_paternity_claim_loads(story):
    _, warehouse, _ = story
    con = connect(warehouse, read_only=True)
    claims = con.sql(
        "select as_of, count(paternity_claim), count(*) from cases group by 1 order by 1"
    ).fetchall()
    con.close()
    assert [(str(d), n, total) for d, n, total in claims] == [
        ("2018-03-31", 0, 2),  # the column left out: all null
        ("2018-06-30", 1, 5),
        (SEPTEMBER, 2, 7),
    ]


def test_countries_and_personnel_groups_follow_the_entity():
    from psea.metrics.un_terms import mission_country, totals_personnel_groups

    assert mission_country("IOM", "HQ") == "Switzerland"
    assert mission_country("WFP", "HQ") == "Italy"
    assert mission_country("XYZ", "HQ") == "unknown"  # headquarters not configured
    assert mission_country("IOM", "RO-NBO") == "Kenya"
    assert mission_country("IOM", "SSD") == "South Sudan"
    assert "peacekeeping" not in totals_personnel_groups("IOM")
    assert totals_personnel_groups("MINUSCA")[0] == "peacekeeping"


def test_what_is_still_to_send_for_the_quarter_under_way(tmp_path):
    from psea.metrics.un_outstanding import outstanding

    warehouse = story_warehouse(tmp_path)
    for quarter in ("2018Q1", "2018Q2"):
        assert report(warehouse, quarter, tmp_path / quarter).exit_code == 0
    november = "2018-11-15"
    late = case("00000000000000bb", "2018-09-02", november)  # received in Q3, entered late
    # November's snapshot: September's without F, with interim measures for D, and a late entry
    moved = {
        kind: [{**r, "as_of": november} for r in rows_of(SEPTEMBER) if r["case_ref"] != F]
        for kind, rows_of in EXTRACTS.items()
    }
    rows = [
        {**r, "interim_measures": "true"} if r["mission"] == "SSD" else r
        for r in moved.pop("cases")
    ]
    load_snapshot(tmp_path / "nov", warehouse, november, cases=[*rows, late], **moved)
    con = connect(warehouse, read_only=True)
    left = outstanding(con, "IOM")
    con.close()
    assert left.current.label == "2018Q4" and left.under_way
    assert left.not_produced == ["2018Q3"]
    assert left.revised == []
    lists = {name: frame.to_dicts() for name, frame in left.lists().items()}
    assert [r["un_reference"] for r in lists["entered late"]] == ["IOM-2018-007"]
    assert [(r["un_reference"], r["previous"]) for r in lists["withdrawals"]] == [
        ("IOM-2018-006", "received")  # F: gone from November's data
    ]
    assert [(r["un_reference"], r["field"], r["new"]) for r in lists["changes"]] == [
        ("IOM-2018-005", "interim_measures", "yes")
    ]


def test_the_manifest_is_the_only_file_naming_the_production(story):
    folder, _, _ = story
    manifest = json.loads((folder / "2018Q3" / "manifest.json").read_text())
    for name in FILES:
        text = (folder / "2018Q3" / name).read_text()
        assert manifest["production_id"] not in text and "cli:" not in text
        assert list(csv.reader(io.StringIO(text)))  # a CSV with its header


def test_a_warehouse_built_before_paternity_claim_gains_the_column(tmp_path):
    from extracts import write_csv

    from pipelines.load import ingest
    from pipelines.warehouse import forget

    path = tmp_path / "old.duckdb"
    con = connect(path)
    con.execute("alter table cases drop column paternity_claim")  # as built before the column
    con.close()
    forget(path)  # as a new process opens it (a process attaches a store once)
    con = connect(path)  # opening it adds the column, empty on the rows it held
    rows = cases(JUNE)
    outcomes = ingest(con, [write_csv(tmp_path, f"cases_{JUNE}.csv", rows)], run_gx=False)
    assert [o.status for o in outcomes] == ["accepted"]
    claims = con.sql("select count(*), count(paternity_claim) from cases").fetchall()
    con.close()
    assert claims == [(len(rows), 1)]  # A's "false"; the others empty


def test_nothing_is_still_to_send_once_the_last_quarter_is_produced(story):
    from pipelines.un_submissions import productions
    from psea.metrics.un_outstanding import outstanding

    _, warehouse, _ = story
    con = connect(warehouse, read_only=True)
    left = outstanding(con, "IOM")
    made = productions(con, "IOM")
    con.close()
    assert left.current.label == "2018Q3" and not left.under_way
    assert left.current_sent == made.filter(quarter="2018Q3")["production_id"][0]
    assert left.lists() == {} and left.not_produced == [] and left.revised == []

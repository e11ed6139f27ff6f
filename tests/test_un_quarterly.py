"""The UN quarterly submission reproduces, cell for cell, a quarter whose totals are published:
the UN's April-June 2018 update, 70 allegations (18 peacekeeping, 25 agencies/funds/programmes,
24 implementing partners, 3 non-UN forces; 46 SE, 18 SA, 3 other, 3 unknown). The UN's table is
the sum of the entities' submissions: here a peace operation's (MINUSCA: the peacekeeping
allegations) and an agency's (IOM: the rest, with no peacekeeping group of its own)."""

from __future__ import annotations

import csv
from pathlib import Path

from extracts import ref, write_csv
from typer.testing import CliRunner

from pipelines.warehouse import connect
from psea.cli import app

AS_OF = "2018-06-30"
GROUPS = (
    ["peacekeeping"] * 18
    + ["staff"] * 10
    + ["non_staff"] * 8
    + ["contractor"] * 7
    + ["implementing_partner"] * 24
    + ["non_un_forces"] * 3
)
CATEGORIES = ["sexual_exploitation"] * 46 + ["sexual_abuse"] * 18 + ["other"] * 3 + ["unknown"] * 3


def case(n: int, received: str, as_of: str, status: str = "received", **more) -> dict:
    row = {
        "case_ref": ref(n),
        "entity": "IOM",
        "as_of": as_of,
        "date_received": received,
        "incident_month": "",
        "mission": "IRQ",
        "category": "sexual_exploitation",
        "personnel_group": "staff",
        "reporting_channel": "hotline",
        "status": status,
        "assessment_completed_on": "",
        "investigation_opened_on": "",
        "investigation_completed_on": "",
        "referred_national_authorities": "false",
        "interim_measures": "false",
    }
    return {**row, **more}


def quarter_cases() -> list[dict]:
    rows = [
        case(
            10_000 + i,
            f"2018-{4 + i % 3:02d}-{1 + i % 28:02d}",
            AS_OF,
            entity="MINUSCA" if group == "peacekeeping" else "IOM",
            incident_month="" if i % 10 == 0 else f"{2017 + (i % 2)}-0{1 + i % 3}",
            mission=["IRQ", "SSD", "HQ"][i % 3] if group != "peacekeeping" else "CAF",
            category=category,
            personnel_group=group,
            referred_national_authorities="true" if i % 7 == 0 else "false",
        )
        for i, (group, category) in enumerate(zip(GROUPS, CATEGORIES, strict=True))
    ]
    # one case received the quarter before, which must not count
    rows.append({**rows[-1], "case_ref": ref(99_999), "date_received": "2018-03-31"})
    return rows


def report(quarter: str, out, *warehouse: str, entity: str = "IOM"):
    """`psea report un-quarterly`, as an analyst types it."""
    args = ["report", "un-quarterly", "--entity", entity, "--quarter", quarter, "--out", str(out)]
    return CliRunner().invoke(app, [*args, *warehouse])


def test_un_quarterly_reproduces_the_april_june_2018_update(tmp_path):
    wh = tmp_path / "w.duckdb"
    runner = CliRunner()
    rows = quarter_cases()
    for entity in ("IOM", "MINUSCA"):
        folder = tmp_path / entity
        folder.mkdir()
        path = write_csv(folder, f"cases_{AS_OF}.csv", [r for r in rows if r["entity"] == entity])
        assert runner.invoke(app, ["ingest", str(path), "--warehouse", str(wh)]).exit_code == 0
    totals: dict[tuple[str, str], int] = {}
    files = {}
    for entity in ("IOM", "MINUSCA"):
        out = tmp_path / f"out-{entity}"
        result = report("2018Q2", out, "--warehouse", str(wh), entity=entity)
        assert result.exit_code == 0, result.output
        files[entity] = read(out / "totals.csv")
        for r in files[entity]:
            key = (r["dimension"], r["group"])
            totals[key] = totals.get(key, 0) + int(r["count"])
    # an agency's totals have no peacekeeping line; a peace operation's have one
    assert ("personnel_group", "peacekeeping") not in {
        (r["dimension"], r["group"]) for r in files["IOM"]
    }
    assert {"dimension": "personnel_group", "group": "peacekeeping", "count": "18"} in files[
        "MINUSCA"
    ]
    assert totals[("allegations", "total")] == 70
    assert {
        g: totals[("personnel_group", g)]
        for g in [
            "peacekeeping",
            "agencies_funds_programmes",
            "implementing_partner",
            "non_un_forces",
        ]
    } == {
        "peacekeeping": 18,
        "agencies_funds_programmes": 25,
        "implementing_partner": 24,
        "non_un_forces": 3,
    }
    assert {
        c: totals[("category", c)]
        for c in ["sexual_exploitation", "sexual_abuse", "other", "unknown"]
    } == {"sexual_exploitation": 46, "sexual_abuse": 18, "other": 3, "unknown": 3}
    assert totals[("incident_year", "unknown")] == 7
    assert totals[("referred_national_authorities", "yes")] == 10
    allegations = read(tmp_path / "out-IOM" / "allegations.csv")
    assert len(allegations) == 52 and "case_ref" not in allegations[0]
    assert {r["country"] for r in allegations} == {"Iraq", "South Sudan", "Switzerland"}
    con = connect(wh, read_only=True)
    # loads have entries of their own; each production adds one production of exact figures
    logged = con.sql(
        "select detail->>'report' from audit_log where action = 'produce_exact_figures'"
    ).fetchall()
    assert logged == [("un_quarterly",), ("un_quarterly",)]
    con.close()


def test_bad_quarter_is_a_usage_error(tmp_path):
    assert report("2018-2", tmp_path).exit_code == 2


def subject(n: int, as_of: str, action: str) -> dict:
    return {
        "case_ref": ref(n),
        "subject_ref": ref(n + 500),
        "entity": "IOM",
        "as_of": as_of,
        "gender": "man",
        "action": action,
    }


def load(tmp_path, wh, name: str, rows: list[dict], kind: str = "cases") -> None:
    folder = tmp_path / name
    folder.mkdir()
    path = write_csv(folder, f"{kind}_{rows[0]['as_of']}.csv", rows)
    result = CliRunner().invoke(app, ["ingest", str(path), "--warehouse", str(wh)])
    assert result.exit_code == 0, result.output


def read(path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_a_quarter_the_case_data_do_not_reach_is_refused_and_nothing_written(tmp_path):
    wh = tmp_path / "w.duckdb"
    load(tmp_path, wh, "may", [case(1, "2018-04-02", "2018-05-31")])
    out = tmp_path / "out"
    out.mkdir()
    result = report("2018Q2", out, "--warehouse", str(wh))
    assert result.exit_code == 1
    assert "the case data of IOM stop at 2018-05-31" in result.output
    assert list(out.iterdir()) == []
    con = connect(wh, read_only=True)
    assert con.sql("select count(*) from un_references").fetchall() == [(0,)]
    assert con.sql("select count(*) from un_productions").fetchall() == [(0,)]
    con.close()
    assert report("2018Q1", out, "--warehouse", str(wh)).exit_code == 0


def test_a_un_reference_survives_a_corrected_re_send(tmp_path):
    wh = tmp_path / "w.duckdb"
    first = [case(1, "2018-04-05", AS_OF), case(2, "2018-05-01", AS_OF)]
    load(tmp_path, wh, "sent", first)
    assert report("2018Q2", tmp_path / "q2", "--warehouse", str(wh)).exit_code == 0
    assert [r["un_reference"] for r in read(tmp_path / "q2" / "allegations.csv")] == [
        "IOM-2018-001",
        "IOM-2018-002",
    ]
    # the same as_of again: case 2 corrected (mission), case 3 added, received before case 1
    corrected = [first[0], {**first[1], "mission": "SSD"}, case(3, "2018-04-01", AS_OF)]
    load(tmp_path, wh, "corrected", corrected)
    result = report("2018Q2", tmp_path / "again", "--warehouse", str(wh))
    assert result.exit_code == 0, result.output
    rows = read(tmp_path / "again" / "allegations.csv")
    assert [(r["un_reference"], r["country"]) for r in rows] == [
        ("IOM-2018-001", "Iraq"),
        ("IOM-2018-002", "South Sudan"),
        ("IOM-2018-003", "Iraq"),  # case 3: first seen now, the next number of 2018
    ]
    assert "case_ref" not in rows[0]
    assert "2018Q2 was produced before" in result.output
    assert "allegations.csv: 1 added (IOM-2018-003)" in result.output
    assert "allegations.csv: 1 changed: IOM-2018-002 (country)" in result.output


def test_updates_list_the_changes_of_earlier_allegations_between_two_snapshots(tmp_path):
    wh = tmp_path / "w.duckdb"
    march = "2018-03-31"
    load(
        tmp_path,
        wh,
        "march",
        [
            case(1, "2018-01-15", march, "preliminary_assessment"),
            case(
                2,
                "2018-02-01",
                march,
                "under_investigation",
                assessment_completed_on="2018-02-10",
                investigation_opened_on="2018-02-15",
            ),
            case(4, "2018-03-01", march, "received"),  # unchanged: no update
        ],
    )
    load(tmp_path, wh, "march_subjects", [subject(2, march, "pending")], "case_subjects")
    load(
        tmp_path,
        wh,
        "june",
        [
            case(
                1,
                "2018-01-15",
                AS_OF,
                "under_investigation",
                assessment_completed_on="2018-04-10",
                investigation_opened_on="2018-04-20",
                referred_national_authorities="true",
            ),
            case(
                2,
                "2018-02-01",
                AS_OF,
                "substantiated",
                assessment_completed_on="2018-02-10",
                investigation_opened_on="2018-02-15",
                investigation_completed_on="2018-05-30",
            ),
            case(4, "2018-03-01", AS_OF, "received"),
            case(3, "2018-05-01", AS_OF),
        ],
    )
    load(tmp_path, wh, "june_subjects", [subject(2, AS_OF, "dismissal")], "case_subjects")
    out = tmp_path / "q2"
    assert report("2018Q2", out, "--warehouse", str(wh)).exit_code == 0
    assert [r["un_reference"] for r in read(out / "allegations.csv")] == ["IOM-2018-004"]
    assert read(out / "updates.csv") == [
        {
            "un_reference": "IOM-2018-001",
            "field": "status",
            "previous": "preliminary_assessment",
            "new": "under_investigation",
        },
        {
            "un_reference": "IOM-2018-001",
            "field": "referred_national_authorities",
            "previous": "no",
            "new": "yes",
        },
        {
            "un_reference": "IOM-2018-002",
            "field": "status",
            "previous": "under_investigation",
            "new": "substantiated",
        },
        {
            "un_reference": "IOM-2018-002",
            "field": "action",
            "previous": "pending",
            "new": "dismissal",
        },
    ]


def test_the_page_lists_the_quarters_of_the_data_and_says_which_is_not_yet_reported(
    tmp_path, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    import psea.app.shell as shell
    import psea.app.un_ledger as un_ledger
    from pipelines.warehouse import mark_demo

    wh = tmp_path / "w.duckdb"
    con = connect(wh)
    mark_demo(con, seed=0, scale=0)  # demo mode opens only a demo warehouse
    con.close()
    august = "2018-08-15"
    load(
        tmp_path,
        wh,
        "aug",
        [
            case(n, day, august)
            for n, day in ((1, "2018-02-01"), (2, "2018-07-01"), (3, "2018-05-01"))
        ],
    )
    shell.DEMO_WAREHOUSE = wh
    shell.demo_warehouse.clear()
    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.query_params["role"] = "analyst"
    at.run()
    walks = []
    monkeypatch.setattr(
        un_ledger,
        "outstanding",
        lambda con, e, walk=un_ledger.outstanding: walks.append(e) or walk(con, e),
    )
    at.switch_page(str(root / shell.PAGES["un_quarterly"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # the page's own audit entry moved the store on: the ledger is not walked again
    assert walks == ["IOM"]
    quarter = at.selectbox(key="uq_quarter")
    assert quarter.options == ["2018Q3", "2018Q2", "2018Q1"] and quarter.value == "2018Q2"
    assert any(
        "case data as of 2018-08-15 (the snapshot for the quarter's end)" in c.value
        for c in at.caption
    )
    totals, allegations = (f.value for f in at.dataframe)  # no update: one snapshot, no change
    assert totals["count"][0] == 1
    assert list(allegations["un_reference"]) == ["IOM-2018-002"]  # after case 1, received earlier
    texts = [t.value for t in at.text]
    assert "No submission of IOM has been produced yet." in texts
    assert any("Quarters never produced**: 2 (2018Q2, 2018Q1)" in m.value for m in at.markdown)
    at.button(key="uq_produce").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith(
        "IOM 2018Q2: 1 new allegation(s) (0 entered late), 0 update(s) (0 withdrawn); "
        "case data as of 2018-08-15"
    )
    assert at.dataframe[-1].value["quarter"].to_list() == ["2018Q2"]  # the productions
    assert any("Quarters never produced**: 1 (2018Q1)" in m.value for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == [
        "Download allegations.csv as produced",
        "Download manifest.json as produced",
        "Download totals.csv as produced",
        "Download updates.csv as produced",
    ]
    quarter.set_value("2018Q3").run()
    assert any(
        "not yet reported: the case data of IOM stop at 2018-08-15" in w.value for w in at.warning
    )
    assert at.selectbox(key="uq_production").options  # the ledger stays on the page

"""The UN quarterly submission reproduces, cell for cell, a quarter whose totals are published:
the UN's April-June 2018 update, 70 allegations (18 peacekeeping, 25 agencies/funds/programmes,
24 implementing partners, 3 non-UN forces; 46 SE, 18 SA, 3 other, 3 unknown)."""

from __future__ import annotations

import csv

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


def quarter_cases() -> list[dict]:
    rows = []
    for i, (group, category) in enumerate(zip(GROUPS, CATEGORIES, strict=True)):
        month = 4 + i % 3
        rows.append(
            {
                "case_ref": ref(10_000 + i),
                "entity": "IOM",
                "as_of": AS_OF,
                "date_received": f"2018-{month:02d}-{1 + i % 28:02d}",
                "incident_month": "" if i % 10 == 0 else f"{2017 + (i % 2)}-0{1 + i % 3}",
                "mission": ["IRQ", "SSD", "HQ"][i % 3],
                "category": category,
                "personnel_group": group,
                "reporting_channel": "hotline",
                "status": "received",
                "assessment_completed_on": "",
                "investigation_opened_on": "",
                "investigation_completed_on": "",
                "referred_national_authorities": "true" if i % 7 == 0 else "false",
                "interim_measures": "false",
            }
        )
    # one case received the quarter before, which must not count
    rows.append({**rows[0], "case_ref": ref(99_999), "date_received": "2018-03-31"})
    return rows


def report(quarter: str, out, *warehouse: str):
    """`psea report un-quarterly` for IOM, as an analyst types it."""
    args = ["report", "un-quarterly", "--entity", "IOM", "--quarter", quarter, "--out", str(out)]
    return CliRunner().invoke(app, [*args, *warehouse])


def test_un_quarterly_reproduces_the_april_june_2018_update(tmp_path):
    wh = tmp_path / "w.duckdb"
    runner = CliRunner()
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", quarter_cases())
    assert runner.invoke(app, ["ingest", str(path), "--warehouse", str(wh)]).exit_code == 0
    out = tmp_path / "out"
    result = report("2018Q2", out, "--warehouse", str(wh))
    assert result.exit_code == 0, result.output
    with (out / "totals.csv").open() as f:
        totals = {(r["dimension"], r["group"]): int(r["count"]) for r in csv.DictReader(f)}
    assert totals[("allegations", "total")] == 70
    assert {
        g: totals.get(("personnel_group", g), 0)
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
    with (out / "allegations.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 70 and "case_ref" not in rows[0]
    con = connect(wh, read_only=True)
    # the load of the cases has its own entries (load, load_rejected); the report adds one
    logged = con.sql(
        "select action from audit_log where action not like 'load%' and action not like 'release%'"
    ).fetchall()
    assert logged == [("produce_exact_figures",)]
    con.close()


def test_bad_quarter_is_a_usage_error(tmp_path):
    assert report("2018-2", tmp_path).exit_code == 2

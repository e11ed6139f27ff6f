"""Manager PSEA performance indicators on a hand-built roster, worked out by hand.

Cut-off D = 2018-06-30. Validity window (2016-06-30, 2018-06-30]; the 12 months up to D are
(2017-06-30, 2018-06-30]; induction joiners started in (2017-06-30, 2018-05-31] (at least 30 days
before D) and count when induction_psea falls in [start - 30 days, start + 30 days].
"""

from __future__ import annotations

import csv
import datetime as dt

import polars as pl
import pytest
from extracts import ref, write_csv
from typer.testing import CliRunner

from pipelines.load import ingest
from pipelines.store import parse_store
from pipelines.store_admin import copy_store
from pipelines.warehouse import connect
from psea.cli import app
from psea.cli.indicators import CSV_COLUMNS, LINE_CSV_COLUMNS
from psea.metrics import managers

D = dt.date(2018, 6, 30)
AS_OF = "2018-06-30"
CHIEF, M1, M2, CHIEF_SYR = ref(1001), ref(1002), ref(1003), ref(1004)
P = {i: ref(1100 + i) for i in range(1, 12)}


def person(ref_, role="personnel", manager="", start="2015-01-01", end="", mission="IRQ"):
    return {
        "person_ref": ref_,
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": mission,
        "staff_category": "staff",
        "is_manager": "true" if role != "personnel" else "false",
        "role": role,
        "manager_ref": manager,
        "contract_start": start,
        "contract_end": end,
    }


def done(ref_, course, on, mission="IRQ"):
    return {
        "person_ref": ref_,
        "entity": "IOM",
        "as_of": AS_OF,
        "course": course,
        "completed_on": on,
        "delivery": "online",
        "mission": mission,
    }


ROSTER = [
    person(CHIEF, "chief_of_mission", start="2010-01-01"),
    person(M1, "manager", CHIEF, start="2012-01-01"),
    person(M2, "manager", CHIEF, start="2017-09-01"),  # a joiner in the chief's team; no team
    person(CHIEF_SYR, "chief_of_mission", start="2011-01-01", mission="SYR"),
    # M1's direct reports
    person(P[1], manager=M1),  # mandatory 2016-07-01: the first day inside the window
    person(P[2], manager=M1),  # mandatory 2016-06-30: the last day outside it
    person(P[3], manager=M1),  # mandatory on D itself
    person(P[4], manager=M1, end="2018-06-29"),  # left the day before D: not in the team
    person(P[5], manager=M1, end="2018-06-30"),  # leaves on D: still in the team, untrained
    person(P[6], manager=M1, start="2017-07-01"),  # joiner, induction 30 days before start
    person(P[7], manager=M1, start="2017-06-30"),  # started 12 months before D: not a joiner
    person(P[8], manager=M1, start="2018-05-31"),  # joiner 30 days before D, induction +30 days
    person(P[9], manager=M1, start="2018-06-01"),  # 29 days before D: too recent to count
    person(P[10], manager=M1, start="2018-01-01"),  # joiner, induction 31 days late
    person(P[11], manager=M1, start="2012-01-01"),  # renewed: 2014, 2016 (expired), 2018
    # 20 trained people without a manager keep Iraq's coverage above the audit bound
    *[person(ref(1200 + i)) for i in range(20)],
]
TRAINING = [
    done(CHIEF, "psea_mandatory", "2016-07-01"),
    done(M1, "psea_mandatory", "2016-06-30"),
    done(M2, "psea_mandatory", "2017-01-01"),
    done(M2, "induction_psea", "2017-09-15"),
    done(P[1], "psea_mandatory", "2016-07-01"),
    done(P[2], "psea_mandatory", "2016-06-30"),
    done(P[3], "psea_mandatory", "2018-06-30"),
    done(P[4], "psea_mandatory", "2018-01-01"),
    done(P[6], "induction_psea", "2017-06-01"),
    done(P[6], "psea_mandatory", "2017-08-01"),
    done(P[7], "psea_mandatory", "2017-07-15"),
    done(P[8], "induction_psea", "2018-06-30"),
    done(P[10], "induction_psea", "2018-02-01"),
    done(P[10], "psea_mandatory", "2018-01-10"),
    done(P[11], "psea_mandatory", "2014-05-01"),
    done(P[11], "psea_mandatory", "2016-05-01"),
    done(P[11], "psea_mandatory", "2018-04-01"),
    *[done(ref(1200 + i), "psea_mandatory", "2018-01-15") for i in range(20)],
]


def session(n, held_on, audience="staff"):
    return {
        "session_ref": ref(1300 + n),
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": "IRQ",
        "held_on": held_on,
        "audience": audience,
        "participants": "20",
        "facilitator": "mission_focal_point",
    }


SESSIONS = [
    session(1, "2018-03-05"),
    session(2, "2017-07-01"),  # first day of the 12 months
    session(3, "2017-06-30"),  # the day before: not counted
    session(4, "2018-05-01", "community"),  # not a staff session
]


def contract(n, signed_on, clause):
    return {
        "contract_ref": ref(1400 + n),
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": "IRQ",
        "contractor_type": "supplier",
        "signed_on": signed_on,
        "psea_clause": clause,
        "subcontract_flowdown": "not_applicable",
    }


CONTRACTS = [
    contract(1, "2018-02-01", "true"),
    contract(2, "2018-03-01", "false"),
    contract(3, "2017-06-30", "false"),  # outside the 12 months
    contract(4, "2017-07-01", "true"),  # inside
]


def appraisal(ref_, year, rating, mission="IRQ"):
    return {
        "person_ref": ref_,
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": mission,
        "year": str(year),
        "psea_indicator": rating,
    }


APPRAISALS = [
    appraisal(CHIEF, 2018, "met"),
    appraisal(CHIEF, 2017, "not_met"),
    appraisal(M1, 2017, "met"),  # none for 2018 yet: the latest year, labelled 2017
    appraisal(CHIEF_SYR, 2016, "not_met"),
]


@pytest.fixture(scope="module")
def roster_warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("managers")
    files = [
        write_csv(folder, f"roster_{AS_OF}.csv", ROSTER),
        write_csv(folder, f"training_{AS_OF}.csv", TRAINING),
        write_csv(folder, f"awareness_sessions_{AS_OF}.csv", SESSIONS),
        write_csv(folder, f"contracts_{AS_OF}.csv", CONTRACTS),
        write_csv(folder, f"appraisals_{AS_OF}.csv", APPRAISALS),
    ]
    path = folder / "w.duckdb"
    con = connect(path)
    outcomes = ingest(con, files, run_gx=False)
    assert all(o.status == "accepted" for o in outcomes), [o.problems for o in outcomes]
    yield con
    con.close()


@pytest.fixture(scope="module")
def card(roster_warehouse) -> dict[str, dict]:
    frame = managers.scorecard(roster_warehouse, D, "IOM")
    return {row["person_ref"]: row for row in frame.iter_rows(named=True)}


def test_every_manager_active_on_the_cutoff_has_one_row(card):
    assert set(card) == {CHIEF, M1, M2, CHIEF_SYR}


def test_team_coverage_counts_both_window_edges_and_the_contract_end(card):
    m1 = card[M1]
    # team: P1 P2 P3 P5 P6 P7 P8 P9 P10 P11 (P4 left the day before D)
    assert m1["team_size"] == 10
    # covered: P1 (first day in), P3 (on D), P6, P7, P10, P11 (renewed); not P2 (last day out), P5, P8, P9
    assert m1["team_covered"] == 6
    assert m1["team_coverage"] == pytest.approx(0.6)
    assert m1["team_coverage_status"] == "red"


def test_team_induction_counts_joiners_of_the_12_months_at_least_30_days_before_the_cutoff(card):
    m1 = card[M1]
    # joiners: P6 (first day of the 12 months), P8 (30 days before D), P10; not P7, P9
    assert m1["team_joiners"] == 3
    # inducted: P6 (30 days before start), P8 (30 days after); not P10 (31 days after)
    assert m1["team_inducted"] == 2
    assert m1["team_induction_30d"] == pytest.approx(2 / 3)
    assert m1["team_induction_30d_status"] == "red"


def test_own_training_is_current_only_inside_the_validity_window(card):
    assert card[CHIEF]["own_training_current"] is True  # 2016-07-01
    assert card[M1]["own_training_current"] is False  # 2016-06-30
    assert card[M1]["own_training_current_status"] == "red"


def test_chief_of_mission_sessions_and_contract_clauses(card):
    chief = card[CHIEF]
    assert chief["mission_staff_sessions"] == 2  # 2018-03-05 and 2017-07-01
    # Iraq: staff session this half-year; coverage 28 of 33 active = 84.8%, not flagged
    assert chief["mission_audit_risk"] is False
    assert chief["mission_staff_sessions_status"] == "green"
    assert (chief["contracts_with_clause"], chief["contracts_signed"]) == (2, 3)
    assert chief["contract_clause_rate"] == pytest.approx(2 / 3)
    assert chief["contract_clause_rate_status"] == "red"
    # the chief's team: M1 (not covered) and M2 (covered, a joiner inducted on time)
    assert (chief["team_size"], chief["team_covered"]) == (2, 1)
    assert (chief["team_joiners"], chief["team_inducted"]) == (1, 1)


def test_chief_indicators_do_not_apply_to_managers(card):
    m1 = card[M1]
    assert m1["mission_staff_sessions"] is None and m1["contract_clause_rate"] is None
    assert m1["mission_staff_sessions_status"] == "not applicable"
    assert m1["contract_clause_rate_status"] == "not applicable"


def test_appraisal_of_the_year_or_the_latest_labelled_with_its_year(card):
    assert (card[CHIEF]["appraisal_year"], card[CHIEF]["appraisal_rating"]) == (2018, "met")
    assert (card[M1]["appraisal_year"], card[M1]["appraisal_rating"]) == (2017, "met")


def test_empty_team_no_appraisal_and_no_contracts_are_no_data_not_zero(card):
    m2 = card[M2]
    assert m2["team_size"] == 0
    assert m2["team_coverage"] is None and m2["team_coverage_status"] == "no data"
    assert m2["team_induction_30d"] is None and m2["team_induction_30d_status"] == "no data"
    assert m2["appraisal_rating"] is None and m2["appraisal_rating_status"] == "no data"
    syr = card[CHIEF_SYR]
    assert syr["contracts_signed"] == 0
    assert syr["contract_clause_rate"] is None and syr["contract_clause_rate_status"] == "no data"
    # Syria held no staff session in the last two complete quarters: flagged, red
    assert syr["mission_audit_risk"] is True
    assert syr["mission_staff_sessions"] == 0 and syr["mission_staff_sessions_status"] == "red"


def test_a_quarter_not_yet_reported_is_no_quarter_without_sessions(roster_warehouse):
    """A quarter after the entity's latest sessions snapshot is not yet reported: the mission is
    judged at the date of its data (Iraq's session of March counts), never flagged for a quarter
    it has not sent."""
    from psea.metrics import training

    later = dt.date(2018, 9, 30)  # the data stop at 2018-06-30, a quarter before
    risk = {
        r["mission"]: r for r in training.audit_risk(roster_warehouse, later).iter_rows(named=True)
    }
    assert risk["IRQ"]["flagged"] is False and risk["IRQ"]["staff_sessions"] >= 1
    assert risk["IRQ"]["sessions_window"] == "2018-01-01 to 2018-06-30"
    assert risk["SYR"]["flagged"] is True  # no session in the quarters it did report


def test_evidence_note_sets_the_rating_against_the_evidence(roster_warehouse):
    notes = {
        r["person_ref"]: r
        for r in managers.publish(managers.scorecard(roster_warehouse, D), exact=True).iter_rows(
            named=True
        )
    }
    assert notes[M1]["evidence_note"] == (
        "rated met; team coverage red, team induction red, own training not current"
    )
    assert notes[M1]["rating_vs_evidence"] is True
    assert notes[M2]["evidence_note"] == "no appraisal on record"
    assert notes[CHIEF_SYR]["evidence_note"] == (
        "rated not met; own training not current, mission flagged as audit risk"
    )


def test_small_teams_are_withheld_without_exact_access(roster_warehouse):
    frame = managers.scorecard(roster_warehouse, D)
    shown = {r["person_ref"]: r for r in managers.publish(frame, exact=False).iter_rows(named=True)}
    chief = shown[CHIEF]  # a team of 2
    assert chief["team_too_small"] is True
    assert chief["team_size"] is None and chief["team_coverage"] is None
    assert chief["team_coverage_status"] == "too small"
    assert shown[M1]["team_coverage"] == pytest.approx(0.6)  # a team of 10 is shown
    assert shown[M2]["team_coverage_status"] == "no data"  # no team at all is not "too small"
    exact = {r["person_ref"]: r for r in managers.publish(frame, exact=True).iter_rows(named=True)}
    assert exact[CHIEF]["team_coverage"] == pytest.approx(0.5)


def test_colour_counts_roll_up_the_published_statuses(roster_warehouse):
    published = managers.publish(managers.scorecard(roster_warehouse, D), exact=False)
    counts = managers.colour_counts(published, by="mission")
    own = counts.filter(pl.col("indicator") == "Own training current")
    assert dict(
        own.filter(pl.col("mission") == "IRQ").select("status", "managers").iter_rows()
    ) == {"green": 2, "red": 1}
    assert counts["managers"].sum() == len(managers.INDICATORS) * published.height


def test_trend_gives_the_manager_at_each_date(roster_warehouse):
    trend = managers.trend(roster_warehouse, M1, "IOM", [dt.date(2017, 12, 31), D])
    assert trend["date"].to_list() == [dt.date(2017, 12, 31), D]
    # at 2017-12-31 P8, P9, P10 had not started yet
    assert trend["team_size"].to_list()[0] == 8


def test_cli_indicators_writes_exactly_the_documented_columns(roster_warehouse, tmp_path):
    path = tmp_path / "w.duckdb"
    copy_store(roster_warehouse.store, parse_store(str(path)))  # the module's store, copied
    out = tmp_path / "indicators.csv"
    result = CliRunner().invoke(
        app,
        [
            "indicators",
            "--as-of",
            AS_OF,
            "--entity",
            "IOM",
            "--out",
            str(out),
            "--warehouse",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open() as f:
        rows = {r["person_ref"]: r for r in csv.DictReader(f)}
        # cli.md's twelve columns exactly, then the reporting line's two
        assert list(next(iter(rows.values()))) == [*CSV_COLUMNS, "line_size", "line_coverage"]
        assert LINE_CSV_COLUMNS == ("line_size", "line_coverage")
    assert rows[M1] == {
        "entity": "IOM",
        "mission": "IRQ",
        "person_ref": M1,
        "role": "manager",
        "team_size": "10",
        "team_coverage": "0.600000",
        "team_induction_30d": "0.666667",
        "own_training_current": "false",
        "mission_staff_sessions": "",
        "contract_clause_rate": "",
        "appraisal_year": "2017",
        "appraisal_rating": "met",
        "line_size": "10",  # no one below M1's team: the line is the team
        "line_coverage": "0.600000",
    }
    assert rows[M2]["team_coverage"] == "" and rows[M2]["appraisal_year"] == ""
    assert rows[CHIEF]["contract_clause_rate"] == "0.666667"
    assert rows[CHIEF]["own_training_current"] == "true"
    assert (rows[CHIEF]["line_size"], rows[CHIEF]["line_coverage"]) == ("32", f"{27 / 32:.6f}")
    con = connect(path, read_only=True)
    logged = con.sql("select action, detail from audit_log").fetchall()
    con.close()
    assert any(a == "produce_exact_figures" and "manager_indicators" in d for a, d in logged)


def test_cli_indicators_refuses_an_unknown_entity(roster_warehouse, tmp_path):
    path = tmp_path / "w.duckdb"
    copy_store(roster_warehouse.store, parse_store(str(path)))  # the module's store, copied
    result = CliRunner().invoke(
        app,
        [
            "indicators",
            "--as-of",
            AS_OF,
            "--entity",
            "XX",
            "--out",
            str(tmp_path / "i.csv"),
            "--warehouse",
            str(path),
        ],
    )
    assert result.exit_code == 2 and "unknown --entity 'XX'" in result.output
    assert not (tmp_path / "i.csv").exists()


# A reporting line three levels deep in South Sudan: H -> A -> B -> B1, B2, B3 (left) -> C1,
# beside a chief of mission CS whose line is the whole mission.
CS, H, A, B = ref(2001), ref(2002), ref(2003), ref(2004)
X, H1, A1, A2, B1, B2, B3, C1 = (ref(2100 + i) for i in range(8))
SSD = dict(mission="SSD")
LINE_ROSTER = [
    person(CS, "chief_of_mission", **SSD),
    person(X, manager=CS, **SSD),
    person(H, "manager", **SSD),
    person(H1, manager=H, **SSD),
    person(A, "manager", H, **SSD),
    person(A1, manager=A, **SSD),
    person(A2, manager=A, **SSD),
    person(B, "manager", A, **SSD),
    person(B1, manager=B, **SSD),
    person(B2, manager=B, **SSD),
    person(B3, manager=B, end="2018-06-29", **SSD),  # left the day before D
    person(C1, manager=B3, **SSD),  # still below B through B3, who left
]
LINE_TRAINED = [X, H, H1, A, A1, B1, B3, C1]  # not CS, A2, B, B2


@pytest.fixture(scope="module")
def line_card(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("reporting_line")
    trained = [done(p, "psea_mandatory", "2018-01-15", "SSD") for p in LINE_TRAINED]
    files = [
        write_csv(folder, f"roster_{AS_OF}.csv", LINE_ROSTER),
        write_csv(folder, f"training_{AS_OF}.csv", trained),
    ]
    con = connect(folder / "w.duckdb")
    outcomes = ingest(con, files, run_gx=False)
    assert all(o.status == "accepted" for o in outcomes), [o.problems for o in outcomes]
    frame = managers.scorecard(con, D, "IOM")
    con.close()
    return frame


def _by_person(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["person_ref"]: row for row in frame.iter_rows(named=True)}


def test_the_reporting_line_reaches_every_level_below_the_manager(line_card):
    card = _by_person(line_card)
    line = {p: (card[p]["line_size"], card[p]["line_covered"]) for p in (H, A, B)}
    # H: H1 A A1 A2 B B1 B2 C1 (not B3, gone), trained H1 A A1 B1 C1
    # A: A1 A2 B B1 B2 C1, trained A1 B1 C1;  B: B1 B2 C1, trained B1 C1
    assert line == {H: (8, 5), A: (6, 3), B: (3, 2)}
    assert card[H]["line_coverage"] == pytest.approx(5 / 8)
    assert card[H]["line_coverage_status"] == "red"
    assert (card[H]["team_size"], card[H]["team_covered"]) == (2, 2)  # H1 and A only


def test_a_chief_of_missions_line_is_the_mission(line_card):
    chief = _by_person(line_card)[CS]
    # everyone active in SSD but CS: X H H1 A A1 A2 B B1 B2 C1; trained X H H1 A A1 B1 C1
    assert (chief["team_size"], chief["line_size"], chief["line_covered"]) == (1, 10, 7)
    assert chief["line_coverage"] == pytest.approx(0.7)
    assert chief["line_coverage_status"] == "red"  # below 80%


def test_a_line_below_the_minimum_size_is_withheld_without_exact_access(line_card):
    shown = _by_person(managers.publish(line_card, exact=False))
    assert shown[B]["line_too_small"] is True  # a line of 3
    assert shown[B]["line_size"] is None and shown[B]["line_coverage"] is None
    assert shown[B]["line_coverage_status"] == "too small"
    assert shown[H]["team_too_small"] is True and shown[H]["line_too_small"] is False
    assert shown[H]["line_coverage"] == pytest.approx(5 / 8)  # the team is too small, the line not
    exact = _by_person(managers.publish(line_card, exact=True))
    assert exact[B]["line_coverage"] == pytest.approx(2 / 3)

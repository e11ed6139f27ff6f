"""The auditors' risk flag on three hand-built missions, before and after the mandatory course became
compulsory (the milestone of 1 January 2017 named in settings), the small missions listed apart, and
the brief's ten missions most at risk with the rest in the annex.

Iraq: 12 personnel, 6 trained, a staff session every half-year: flagged for coverage (50%) only
once the course is compulsory. Jordan: 20 personnel, all trained, no staff session: flagged for the
sessions at both dates. Syria: 3 personnel, no staff session: flagged, but listed apart (fewer than
10 personnel).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from extracts import ref, write_csv

from data_contracts.reference import reference_frame
from pipelines.load import ingest
from pipelines.warehouse import connect
from psea.brief.sections import TOP_RISKS, risk_lists
from psea.metrics import training

AS_OF = "2018-06-30"
BEFORE, AFTER = dt.date(2016, 12, 31), dt.date(2018, 6, 30)


def person(n: int, mission: str) -> dict:
    return {
        "person_ref": ref(2000 + n),
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": mission,
        "staff_category": "staff",
        "is_manager": "false",
        "role": "personnel",
        "manager_ref": "",
        "contract_start": "2014-01-01",
        "contract_end": "",
    }


IRAQ = [person(n, "IRQ") for n in range(12)]
JORDAN = [person(100 + n, "JOR") for n in range(20)]
SYRIA = [person(200 + n, "SYR") for n in range(3)]


def trained(p: dict, on: str) -> dict:
    return {
        "person_ref": p["person_ref"],
        "entity": "IOM",
        "as_of": AS_OF,
        "course": "psea_mandatory",
        "completed_on": on,
        "delivery": "online",
        "mission": p["mission"],
    }


# current at both dates: one completion in each 24-month window
TRAINING = [trained(p, on) for p in IRAQ[:6] + JORDAN for on in ("2016-06-01", "2018-01-10")]


def session(n: int, mission: str, held_on: str) -> dict:
    return {
        "session_ref": ref(3000 + n),
        "entity": "IOM",
        "as_of": AS_OF,
        "mission": mission,
        "held_on": held_on,
        "audience": "staff",
        "participants": "12",
        "facilitator": "mission_focal_point",
    }


SESSIONS = [session(1, "IRQ", "2016-11-01"), session(2, "IRQ", "2018-05-01")]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit")
    files = [
        write_csv(folder, f"roster_{AS_OF}.csv", IRAQ + JORDAN + SYRIA),
        write_csv(folder, f"training_{AS_OF}.csv", TRAINING),
        write_csv(folder, f"awareness_sessions_{AS_OF}.csv", SESSIONS),
    ]
    con = connect(folder / "w.duckdb")
    outcomes = ingest(con, files, run_gx=False)
    assert all(o.status == "accepted" for o in outcomes), [o.problems for o in outcomes]
    yield con
    con.close()


def by_mission(con, on: dt.date) -> dict[str, dict]:
    return {r["mission"]: r for r in training.audit_risk(con, on, "IOM").iter_rows(named=True)}


def test_the_coverage_rule_starts_at_the_milestone_named_in_settings():
    bounds = training.coverage_bounds()
    milestones = reference_frame("milestones")
    named = milestones.filter(pl.col("label") == bounds.audit_from_label)
    assert named["date"].to_list() == [dt.date(2017, 1, 1)] == [bounds.audit_from]
    assert "from 1 January 2017" in training.definition("audit_risk")


def test_before_the_course_was_compulsory_low_coverage_is_no_risk(con):
    missions = by_mission(con, BEFORE)
    assert missions["IRQ"]["coverage"] == pytest.approx(0.5)
    assert missions["IRQ"]["flagged"] is False and missions["IRQ"]["reason"] is None
    assert missions["JOR"]["flagged"] is True  # sessions count at any date
    assert missions["JOR"]["reason"] == "no staff session in the last two complete quarters"


def test_after_it_the_same_coverage_flags_the_mission(con):
    iraq = by_mission(con, AFTER)["IRQ"]
    assert iraq["flagged"] is True
    assert iraq["reason"] == "mandatory coverage below 80%"
    # personnel to reach the 80% floor: 0.8 x 12 = 9.6, 6 trained: 4 more
    assert iraq["to_reach"] == 4


def test_a_mission_without_sessions_counts_its_whole_floor_and_ranks_first(con):
    frame = training.audit_risk(con, AFTER, "IOM")
    assert by_mission(con, AFTER)["JOR"]["to_reach"] == 16  # 80% of 20: no one reached
    flagged = frame.filter(pl.col("flagged") & ~pl.col("small"))["mission"].to_list()
    assert flagged == ["JOR", "IRQ"]


def test_a_mission_below_the_minimum_headcount_is_flagged_but_listed_apart(con):
    syria = by_mission(con, AFTER)["SYR"]
    assert (syria["flagged"], syria["small"], syria["active"]) == (True, True, 3)
    assert by_mission(con, AFTER)["IRQ"]["small"] is False  # 12 personnel: not small


def _missions(n: int, small: int) -> pl.DataFrame:
    """n flagged missions of 20+ personnel (to_reach n..1) and `small` of 5 personnel."""
    codes = reference_frame("missions")["code"].to_list()[: n + small]
    return pl.DataFrame(
        {
            "entity": ["IOM"] * (n + small),
            "mission": codes,
            "active": [20 + i for i in range(n)] + [5] * small,
            "coverage": [0.5] * (n + small),
            "staff_sessions": [1] * (n + small),
            "to_reach": [n - i for i in range(n)] + [2] * small,
            "reason": ["mandatory coverage below 80%"] * (n + small),
            "flagged": [True] * (n + small),
            "small": [False] * n + [True] * small,
        }
    )


def test_the_brief_lists_the_ten_most_at_risk_and_the_rest_in_the_annex():
    risk = _missions(13, 2)
    before = risk.head(4)  # four were flagged at the end of the previous period
    sentence, top, annex = risk_lists(risk, before, with_entity=False)
    assert sentence.startswith("13 missions of 10 or more personnel flagged")
    assert "9 of them newly" in sentence and "2 smaller missions" in sentence
    assert top.frame.height == TOP_RISKS
    assert top.caption == "The 10 missions most at risk (the other 3 in the annex)"
    assert top.frame["Personnel to reach"].to_list() == [str(13 - i) for i in range(10)]
    rest, small = annex.tables
    assert rest.frame["Personnel to reach"].to_list() == ["3", "2", "1"]
    assert small.caption == "Missions of fewer than 10 personnel"
    assert small.frame["Personnel"].to_list() == ["5", "5"]
    assert top.frame["New"].to_list()[:5] == ["No"] * 4 + ["Yes"]

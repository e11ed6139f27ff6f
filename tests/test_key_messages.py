"""The key messages a focal point finds prefilled: victims and cases first (victims waiting for a
needs assessment, urgent investigations against 90 days, overdue cases, substantiated allegations
and actions), then prevention (coverage against its target, audit-risk missions); each with its
figure and its comparison, the farthest from its aim first, at most five, never a figure counted
over a partly reported period.

The figures come from a stand-in for the gate holding a handful of published cells."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from psea.brief.aims import PREVENTION, VICTIMS_AND_CASES, Aim, case_aims, prevention_aims
from psea.brief.model import Headline
from psea.brief.points import key_messages
from psea.disclosure import grid
from psea.disclosure.figures import Shown
from psea.disclosure.published import Statistic

PERIOD = grid.meeting(dt.date(2018, 4, 17), [dt.date(2017, 3, 17), dt.date(2018, 4, 17)])


class Published:
    """What the gate would hand over: the cells given, 'not broken down' for any other."""

    def __init__(self, cells: dict, stocks: dict, median: float | None = 174):
        self.cells, self.stocks, self.median = cells, stocks, median
        self.period, self.entity = PERIOD, "IOM"

    def count(self, family, breakdown="total", group="total") -> Shown:
        value = self.cells.get((family, breakdown, group))
        return Shown(value, f"{value:,}") if value is not None else Shown(None, "not broken down")

    def covered(self, family, breakdown, group) -> Shown:  # every entity reports every breakdown
        return self.count(family)

    def stock(self, family, breakdown="total", group="total") -> Shown:
        if family == "overdue":  # its own cell: the open cases past the rule
            breakdown, group = "age", "over_180_days"
        value = self.stocks.get((breakdown, group))
        return Shown(value, f"{value:,}") if value is not None else Shown(None, "suppressed")

    def stock_as_of(self) -> str:
        return "2018-03-31"

    def statistic(self, name) -> Statistic:
        return Statistic(self.median, None, 0, self.median is None)


IOM = Published(
    {
        ("victims", "total", "total"): 164,
        ("victims", "needs_assessed", "no"): 38,
        ("findings", "urgency", "urgent"): 31,
        ("findings", "urgency_duration", "urgent|within_90_days"): 5,
        ("findings", "total", "total"): 60,
        ("findings", "finding", "substantiated"): 27,
        ("allegations", "action_taken", "substantiated_with_action"): 12,
        ("allegations", "action_taken", "substantiated_no_action"): 2,
    },
    {
        ("total", "total"): 71,
        ("age", "over_180_days"): 34,
    },
)


def messages_of(aims: list[Aim]) -> dict[str, Aim]:
    return {a.headline.label: a for a in aims}


def test_each_case_figure_carries_its_figure_its_aim_and_how_far_it_is_from_it():
    aims = messages_of(case_aims(IOM, None))
    waiting = aims["Victims still waiting for a needs assessment"]
    assert waiting.message == (
        "38 of 164 (23%) victims of the period's allegations are still waiting for a needs "
        "assessment (median 174 days since the allegation), against the aim of an assessment "
        "within 7 days."
    )
    assert waiting.distance == 38 / 164
    urgent = aims["Urgent investigations (a child victim) within 90 days"]
    assert urgent.message.startswith("5 of 31 (16%) urgent investigations")
    assert "against the UN's aim of 90 days" in urgent.message
    assert urgent.distance == pytest.approx(1 - 5 / 31)
    overdue = aims["Overdue cases: open more than 180 days since received"]
    assert overdue.message.startswith("34 of 71 (48%) cases open at the date of the data")
    assert overdue.period_figure is False  # a stock at the date of the data
    acted = aims["Substantiated allegations with an action taken"]
    assert acted.message.startswith("27 of 60 (45%) investigations completed in the period")
    assert "12 of 14 (86%) have an action taken" in acted.message
    assert acted.distance == pytest.approx(2 / 14)


def test_a_figure_that_is_not_published_is_never_raised():
    hidden = Published({("victims", "total", "total"): 164}, {})
    aims = case_aims(hidden, None)
    assert all(a.distance is None for a in aims)
    assert key_messages(aims) == []
    row = messages_of(aims)["Victims still waiting for a needs assessment"]
    assert row.headline.value == "not broken down"  # the headline table says why


def aim(group: int, distance: float | None, name: str, period_figure: bool = True) -> Aim:
    return Aim(group, Headline(name, "", "", "", ""), distance, name, period_figure)


def test_victims_and_cases_lead_then_prevention_each_farthest_from_its_aim_first():
    aims = [
        aim(PREVENTION, 0.9, "coverage far below its target"),
        aim(VICTIMS_AND_CASES, 0.2, "victims waiting"),
        aim(VICTIMS_AND_CASES, 0.8, "urgent cases late"),
        aim(PREVENTION, 0.3, "audit-risk missions"),
        aim(VICTIMS_AND_CASES, 0.0, "every substantiated case acted on"),  # at its aim
        aim(VICTIMS_AND_CASES, 0.5, "overdue cases", period_figure=False),
    ]
    assert key_messages(aims) == [
        "urgent cases late",
        "overdue cases",
        "victims waiting",
        "coverage far below its target",
        "audit-risk missions",
    ]


def test_at_most_five_messages():
    aims = [aim(VICTIMS_AND_CASES, d / 10, f"case {d}") for d in range(1, 5)]
    aims += [aim(PREVENTION, d / 10, f"prevention {d}") for d in range(1, 4)]
    assert key_messages(aims) == ["case 4", "case 3", "case 2", "case 1", "prevention 3"]


def test_a_partly_reported_period_raises_no_figure_counted_over_it():
    aims = [
        aim(VICTIMS_AND_CASES, 0.8, "urgent cases late"),
        aim(VICTIMS_AND_CASES, 0.5, "overdue cases", period_figure=False),
        aim(PREVENTION, 0.3, "coverage", period_figure=False),
    ]
    assert key_messages(aims, partial=True) == ["overdue cases", "coverage"]


def test_coverage_is_set_against_its_target_and_audit_risks_name_the_new_missions():
    coverage = Headline(
        "Mandatory coverage at the end of the period", "85.9%", "66.4%", "+19.4 points", "", 0.859
    )
    audit = Headline("Missions flagged as audit risks", "2 of 3", "1 of 3", "+1", "")
    risk = pl.DataFrame(
        {
            "entity": ["IOM"] * 4,
            "mission": ["SOM", "COL", "IRQ", "SYR"],
            "active": [374, 204, 40, 3],
            "to_reach": [300, 164, 0, 3],
            "flagged": [True, True, False, True],
            "small": [False, False, False, True],
        }
    )
    extra = {
        "coverage": {"coverage": 0.859, "covered": 9348, "active": 10887},
        "risk": risk,
        "risk_before": risk.with_columns(pl.col("flagged") & (pl.col("mission") == "COL")),
    }
    aims = messages_of(prevention_aims([coverage, audit], extra))
    cov = aims["Mandatory coverage at the end of the period"]
    assert cov.message == (
        "Mandatory PSEA coverage is 85.9% (9,348 of 10,887 personnel) against the 95% target; "
        "66.4% at the end of the previous period (+19.4 points)."
    )
    assert cov.distance == pytest.approx((0.95 - 0.859) / 0.95)
    missions = aims["Missions flagged as audit risks"]
    assert missions.message.startswith(
        "2 of 3 missions of 10 or more personnel are flagged as audit risks"
    )
    assert (
        "1 of them newly since the end of the previous period, the most at risk Somalia (SOM)"
        in (missions.message)
    )
    assert "Syria" not in missions.message  # small missions are listed apart, not raised

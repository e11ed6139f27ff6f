"""Timeliness of case handling (docs/indicators.md, "Timeliness of case handling"): how old the open
cases are, how long a case takes to its outcome, the urgent cases against the UN's three-month aim,
the overdue cases, and victim assistance with its denominators.

Each figure is counted from the fact families of psea.metrics.facts (the stock "open_cases"; the
flows "outcomes", "findings" by urgency, "victims") and the statistics of psea.metrics.cases, so the
protected release publishes the same figures as the analysts see, worked out one way.

Exact figures, as every metric function (callers suppress them for the viewer's role). Thresholds
come from psea/config/settings.yaml: `investigations.aims_days` (90 and 180: the age buckets and the
UN's three- and six-month aims) and `investigations.overdue_after_days`. `DEFINITIONS` holds the
"how is this counted" notes, with the thresholds in force filled in by `definition`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import Period, cases, facts
from psea.settings import settings

OPEN_STAGES = facts.OPEN_STAGES
OUTCOMES = ("substantiated", "unsubstantiated", "closed")

DEFINITIONS = {
    "open_case_age": "Cases open at the cut-off (received, in preliminary assessment, under investigation, "
    "or under review for limited information), by their stage at the cut-off and the days from the date "
    "received to the cut-off: 0-{short}, {short_next}-{long}, more than {long} days.",
    "time_to_outcome": "Cases that reached their outcome in the period, as they stand at the cut-off: a finding "
    "(substantiated or unsubstantiated) on the day the investigation completed, or a closure without a "
    "finding on the day the investigation completed if one was held, else the day the assessment completed. "
    "Days from the date received to that day: median, and the share within {long} days.",
    "urgent_investigations": "Investigations completed in the period with a finding, as they stand at the "
    "cut-off; urgent when the case has at least one child victim. Duration = investigation completed on "
    "minus opened on. Urgent cases against the aim of {short} days (three months), other cases against "
    "{long} days (six months): the share completed within the aim.",
    "overdue": "Cases open at the cut-off, at any stage, received more than {overdue} days before it, "
    "out of all open cases.",
    "overdue_investigations_former_rule": "The former rule, kept for comparison: investigations open at the "
    "cut-off that were opened more than {overdue} days before it (a count only).",
    "victim_assistance": "Victims of the allegations received in the period, as of the cut-off; of them, those "
    "whose needs were assessed on or before the cut-off, those with at least one service provided, those "
    "still waiting for a needs assessment (and the median days from the date received to the cut-off), "
    "and those who declined at least one service.",
}


def thresholds() -> dict[str, int]:
    short, long = settings()["investigations"]["aims_days"]
    overdue = settings()["investigations"]["overdue_after_days"]
    return {
        "short": int(short),
        "short_next": int(short) + 1,
        "long": int(long),
        "overdue": int(overdue),
    }


def definition(name: str) -> str:
    return DEFINITIONS[name].format(**thresholds())


def age_buckets() -> tuple[str, ...]:
    """The open cases' age buckets in words: 0-90, 91-180, more than 180 days by default."""
    return tuple(_bucket_words())


def open_cases_by_age(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """stage, age, count: every open stage and age bucket (zero where none), in the order of the
    case's progress and of age. Counted from the "open_cases" family (psea.metrics.facts)."""
    words = dict(zip(facts.bucket_codes(facts.age_bounds()), _bucket_words(), strict=True))
    frame = facts.count_stock(con, "open_cases", cutoff, entity, "stage_age")
    return frame.select(
        pl.col("stage_age").str.split("|").list.get(0).alias("stage"),
        pl.col("stage_age").str.split("|").list.get(1).replace_strict(words).alias("age"),
        "count",
    )


def _bucket_words() -> list[str]:
    bounds = facts.age_bounds()
    words = [f"0-{bounds[0]} days"]
    words += [f"{a + 1}-{b} days" for a, b in zip(bounds, bounds[1:], strict=False)]
    return [*words, f"more than {bounds[-1]} days"]


def time_to_outcome(con, period: Period, entity: str | None = None) -> dict:
    """outcomes, median_days, aim_days, within_aim, share_within_aim (None without outcomes)."""
    aim = thresholds()["long"]
    split = facts.count(con, "outcomes", period, entity, "receipt_to_outcome")
    groups = dict(split.iter_rows())
    if split["count"].null_count():  # a return in the period does not break outcomes down
        return {
            "outcomes": None,
            "median_days": None,
            "within_aim": None,
            "aim_days": aim,
            "share_within_aim": None,
        }
    outcomes = int(split["count"].sum())
    within = int(groups[f"within_{aim}_days"])
    return {
        "outcomes": outcomes,
        "median_days": cases.statistic(con, "time_to_outcome", period, entity)["median_days"],
        "within_aim": within,
        "aim_days": aim,
        "share_within_aim": within / outcomes if outcomes else None,
    }


def urgent_investigations(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    """urgency ('urgent', 'other'), aim_days, completed, within_aim, share_within_aim: the
    investigations completed in the period with a finding (the "findings" family)."""
    t = thresholds()
    groups = dict(facts.count(con, "findings", period, entity, "urgency_duration").iter_rows())
    within = {  # urgent cases against the short aim, others against the long one
        "urgent": [f"urgent|within_{t['short']}_days"],
        "other": [
            f"other|within_{t['short']}_days",
            f"other|{t['short_next']}_to_{t['long']}_days",
        ],
    }
    rows = []
    broken_down = all(v is not None for v in groups.values())  # else a return lacks the split
    for urgency, aim in (("urgent", t["short"]), ("other", t["long"])):
        if not broken_down:
            rows.append((urgency, aim, None, None, None))
            continue
        completed = sum(v for k, v in groups.items() if k.startswith(f"{urgency}|"))
        inside = sum(groups[k] for k in within[urgency])
        rows.append((urgency, aim, completed, inside, inside / completed if completed else None))
    return pl.DataFrame(
        rows,
        schema={
            "urgency": pl.String,
            "aim_days": pl.Int64,
            "completed": pl.Int64,
            "within_aim": pl.Int64,
            "share_within_aim": pl.Float64,
        },
        orient="row",
    )


def overdue(con, cutoff: dt.date, entity: str | None = None) -> dict:
    """overdue_cases (the rule in force: any stage, from receipt) and, beside it,
    overdue_investigations_former_rule (investigations open too long); counts only."""
    ages = dict(facts.count_stock(con, "open_cases", cutoff, entity, "age").iter_rows())
    former = [
        dict(facts.count_stock(con, "open_cases", cutoff, entity, b).iter_rows())["yes"]
        for b in facts.family("open_cases").within
    ]
    overdue_now = [ages[g] for g in facts.overdue_groups()]
    return {  # None where an entity's return does not tell (returns state the rule in force)
        "overdue_cases": None if None in overdue_now else int(sum(overdue_now)),
        "overdue_investigations_former_rule": None if None in former else int(sum(former)),
    }


def victim_assistance(con, period: Period, entity: str | None = None) -> dict:
    """victims, needs_assessed, assisted, waiting_for_needs_assessment, median_days_waiting,
    declined: the victims of the allegations received in the period, as of the cut-off (the
    "victims" family)."""
    yes = {
        by: dict(facts.count(con, "victims", period, entity, by).iter_rows())
        for by in ("needs_assessed", "assisted", "declined")
    }
    waiting = cases.statistic(con, "days_waiting_for_needs_assessment", period, entity)
    whole = lambda v: None if v is None else int(v)  # noqa: E731 - None: a return without it
    assessed = yes["needs_assessed"]
    victims = facts.count(con, "victims", period, entity)["count"][0]
    return {
        "victims": whole(victims),
        "needs_assessed": whole(assessed["yes"]),
        "assisted": whole(yes["assisted"]["yes"]),
        "waiting_for_needs_assessment": whole(assessed["no"]),
        "median_days_waiting": waiting["median_days"],
        "declined": whole(yes["declined"]["yes"]),
    }

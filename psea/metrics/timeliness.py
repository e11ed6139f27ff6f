"""Timeliness of case handling (docs/indicators.md, "Timeliness of case handling"): how old the open
cases are, how long a case takes to its outcome, the urgent cases against the UN's three-month aim,
the overdue cases, and victim assistance with its denominators.

Exact figures, as every metric function (callers suppress them for the viewer's role). Thresholds
come from psea/config/settings.yaml: `investigations.aims_days` (90 and 180: the age buckets and the
UN's three- and six-month aims) and `investigations.overdue_after_days`. `DEFINITIONS` holds the
"how is this counted" notes, with the thresholds in force filled in by `definition`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from psea.metrics import Period
from psea.metrics.cases import overdue_investigations
from psea.settings import settings

OPEN_STAGES = (
    "received",
    "preliminary_assessment",
    "under_investigation",
    "under_review_limited_information",
)
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
    "overdue": "Cases open at the cut-off, at any stage, received more than {overdue} days before it "
    "(a count only).",
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


def age_buckets() -> tuple[str, str, str]:
    t = thresholds()
    return (
        f"0-{t['short']} days",
        f"{t['short_next']}-{t['long']} days",
        f"more than {t['long']} days",
    )


def _sql(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> pl.DataFrame:
    used = {k: v for k, v in params.items() if f"${k}" in query}
    return con.sql(query, params=used).pl()


def _params(period: Period, entity: str | None) -> dict:
    return {**period.params, "entity": entity}


def open_cases_by_age(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """stage, age, count: every open stage and age bucket (zero where none), in the order of the
    case's progress and of age."""
    t = thresholds()
    short, long = age_buckets()[:2]
    counted = _sql(
        con,
        f"""with open_cases as (
                select status as stage, $cutoff - date_received as days from cases_at($cutoff)
                where status in {OPEN_STAGES} and ($entity is null or entity = $entity)
            )
            select stage, case when days <= {t["short"]} then '{short}' when days <= {t["long"]} then '{long}'
                               else '{age_buckets()[2]}' end as age,
                   count(*)::bigint as count
            from open_cases group by all""",
        {"cutoff": cutoff, "entity": entity},
    )
    grid = pl.DataFrame(
        [(s, a) for s in OPEN_STAGES for a in age_buckets()],
        schema={"stage": pl.String, "age": pl.String},
        orient="row",
    )
    return grid.join(counted, on=["stage", "age"], how="left", maintain_order="left").with_columns(
        pl.col("count").fill_null(0)
    )


def time_to_outcome(con, period: Period, entity: str | None = None) -> dict:
    """outcomes, median_days, aim_days, within_aim, share_within_aim (None without outcomes)."""
    aim = thresholds()["long"]
    row = _sql(
        con,
        f"""with outcomes as (
                select case when status = 'closed'
                            then coalesce(investigation_completed_on, assessment_completed_on)
                            else investigation_completed_on end as outcome_on, date_received
                from cases_at($cutoff)
                where status in {OUTCOMES} and ($entity is null or entity = $entity)
            )
            select count(*)::bigint as outcomes,
                   median(outcome_on - date_received)::double as median_days,
                   count(*) filter (where outcome_on - date_received <= {aim})::bigint as within_aim
            from outcomes where outcome_on > $start and outcome_on <= $end""",
        _params(period, entity),
    ).row(0, named=True)
    share = row["within_aim"] / row["outcomes"] if row["outcomes"] else None
    return {**row, "aim_days": aim, "share_within_aim": share}


def urgent_investigations(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    """urgency ('urgent', 'other'), aim_days, completed, within_aim, share_within_aim: the
    investigations completed in the period with a finding."""
    t = thresholds()
    counted = _sql(
        con,
        f"""with children as (
                select distinct entity, case_ref from case_victims_at($cutoff) where age_group = 'child'
            ),
            completed as (
                select case when ch.case_ref is not null then 'urgent' else 'other' end as urgency,
                       c.investigation_completed_on - c.investigation_opened_on as days
                from cases_at($cutoff) c left join children ch using (entity, case_ref)
                where c.status in ('substantiated', 'unsubstantiated')
                  and c.investigation_completed_on > $start and c.investigation_completed_on <= $end
                  and ($entity is null or c.entity = $entity)
            )
            select urgency, count(*)::bigint as completed,
                   count(*) filter (where days <= case urgency when 'urgent' then {t["short"]}
                                                               else {t["long"]} end)::bigint as within_aim
            from completed group by all""",
        _params(period, entity),
    )
    grid = pl.DataFrame(
        {"urgency": ["urgent", "other"], "aim_days": [t["short"], t["long"]]},
        schema={"urgency": pl.String, "aim_days": pl.Int64},
    )
    return (
        grid.join(counted, on="urgency", how="left", maintain_order="left")
        .with_columns(pl.col("completed", "within_aim").fill_null(0))
        .with_columns(
            (pl.col("within_aim") / pl.col("completed").replace(0, None)).alias("share_within_aim")
        )
    )


def overdue(con, cutoff: dt.date, entity: str | None = None) -> dict:
    """overdue_cases (the rule in force: any stage, from receipt) and, beside it,
    overdue_investigations_former_rule (investigations open too long); counts only."""
    days = thresholds()["overdue"]
    cases = _sql(
        con,
        f"""select count(*)::bigint from cases_at($cutoff)
            where status in {OPEN_STAGES} and $cutoff - date_received > {days}
              and ($entity is null or entity = $entity)""",
        {"cutoff": cutoff, "entity": entity},
    ).item()
    return {
        "overdue_cases": int(cases),
        "overdue_investigations_former_rule": overdue_investigations(con, cutoff, entity),
    }


def victim_assistance(con, period: Period, entity: str | None = None) -> dict:
    """victims, needs_assessed, assisted, waiting_for_needs_assessment, median_days_waiting,
    declined: the victims of the allegations received in the period, as of the cut-off."""
    return _sql(
        con,
        """with victims as (
                select v.entity, v.case_ref, v.victim_ref, c.date_received
                from case_victims_at($cutoff) v join cases_at($cutoff) c using (entity, case_ref)
                where c.date_received > $start and c.date_received <= $end
                  and ($entity is null or v.entity = $entity)
            ),
            assessed as (
                -- the assessment's own date places it, whenever its service was referred
                select distinct entity, case_ref, victim_ref from victim_assistance_snapshot($cutoff)
                where needs_assessed_on <= $cutoff
            ),
            services as (
                select entity, case_ref, victim_ref, bool_or(status = 'provided') as provided,
                       bool_or(status = 'declined') as declined
                from victim_assistance_at($cutoff) group by all
            ),
            final as (
                select v.date_received, a.victim_ref is not null as assessed,
                       coalesce(s.provided, false) as provided, coalesce(s.declined, false) as declined
                from victims v
                left join assessed a using (entity, case_ref, victim_ref)
                left join services s using (entity, case_ref, victim_ref)
            )
            select count(*)::bigint as victims,
                   count(*) filter (where assessed)::bigint as needs_assessed,
                   count(*) filter (where provided)::bigint as assisted,
                   count(*) filter (where not assessed)::bigint as waiting_for_needs_assessment,
                   (median($cutoff - date_received) filter (where not assessed))::double
                       as median_days_waiting,
                   count(*) filter (where declined)::bigint as declined
            from final""",
        _params(period, entity),
    ).row(0, named=True)

"""Training and awareness: mandatory coverage, induction within 30 days, completions, awareness
regularity and the auditors' risk flag (docs/indicators.md, "Training and awareness").

Personnel figures, not victims': they are not suppressed (except manager teams, see managers).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import Period, last_complete_quarters
from psea.settings import settings

COVERAGE_BY = {
    "entity": "p.entity",
    "region": "m.region",
    "mission": "p.mission",
    "staff_category": "p.staff_category",
}

DEFINITIONS = {
    "mandatory_coverage": "Persons active on the date (contract started, not ended) with a Mandatory PSEA course completion in the "
    "validity window up to the date (the last {validity_months} calendar months), divided by the persons active on the date.",
    "induction_30d": "Persons who joined in the period and completed the induction PSEA module within {window} days either side "
    "of their contract start, divided by the persons who joined in the period at least {window} days before the cut-off.",
    "completions": "Course completions dated in the period, by course.",
    "values_we_share_cumulative": "All completions of The Values We Share up to the cut-off.",
    "audit_risk": "A mission with no staff awareness session in the last two complete quarters before the cut-off, or mandatory "
    "coverage below 80%, is listed as 'PSEA training irregular - risk', as the auditors do.",
}


def _cfg() -> dict:
    return settings()["indicators"]


def induction_window_days() -> int:
    return int(_cfg()["induction_window_days"])


def definition(name: str) -> str:
    cfg = _cfg()
    return DEFINITIONS[name].format(
        validity_months=cfg["validity_months"], window=cfg["induction_window_days"]
    )


def mandatory_coverage(
    con, on: dt.date, entity: str | None = None, by: str | tuple[str, ...] | None = None
) -> pl.DataFrame:
    """covered, active and coverage (a fraction) on a date, in total or by one or more of
    entity, region, mission, staff_category."""
    keys = (by,) if isinstance(by, str) else tuple(by or ())
    groups = ", ".join(f"{COVERAGE_BY[key]} as {key}" for key in keys) or "'all' as scope"
    order = ", ".join(str(i + 1) for i in range(max(len(keys), 1)))
    months = int(_cfg()["validity_months"])
    return con.sql(
        f"""
        with active as (
            select * from roster_at($on)
            where (contract_end is null or contract_end >= $on) and ($entity is null or entity = $entity)
        ),
        current_training as (
            select distinct entity, person_ref from training_at($on)
            where course = 'psea_mandatory' and completed_on > $on - interval {months} month
        )
        select {groups},
               count(t.person_ref)::bigint as covered, count(*)::bigint as active,
               (count(t.person_ref) / nullif(count(*), 0))::double as coverage
        from active p
        left join current_training t using (entity, person_ref)
        left join ref_missions m on m.code = p.mission
        group by all order by {order}
        """,
        params={"on": on, "entity": entity},
    ).pl()


def coverage_over_time(con, dates: list[dt.date], entity: str | None = None) -> pl.DataFrame:
    frames = [
        mandatory_coverage(con, d, entity).with_columns(pl.lit(d).alias("date")) for d in dates
    ]
    return pl.concat(frames).select("date", "covered", "active", "coverage")


def induction_within_window(
    con, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    window = int(_cfg()["induction_window_days"])
    group = COVERAGE_BY[by] if by else "'all'"
    return con.sql(
        f"""
        with joiners as (
            select * from roster_at($end)
            where contract_start > $start and contract_start <= $end - interval {window} day
              and ($entity is null or entity = $entity)
        ),
        inducted as (
            select distinct j.entity, j.person_ref from joiners j join training_at($end) t using (entity, person_ref)
            where t.course = 'induction_psea'
              and t.completed_on between j.contract_start - interval {window} day and j.contract_start + interval {window} day
        )
        select {group} as {by or "scope"}, count(i.person_ref)::bigint as inducted, count(*)::bigint as joiners,
               (count(i.person_ref) / nullif(count(*), 0))::double as rate
        from joiners p left join inducted i using (entity, person_ref) left join ref_missions m on m.code = p.mission
        group by all order by 1
        """,
        params={"start": period.start, "end": period.end, "entity": entity},
    ).pl()


def completions_by_course(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return con.sql(
        """select course, count(*)::bigint as completions from training_at($end)
           where completed_on > $start and ($entity is null or entity = $entity) group by all order by completions desc, course""",
        params={"start": period.start, "end": period.end, "entity": entity},
    ).pl()


def completions_by_year(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    return con.sql(
        """select year(completed_on)::integer as year, course, count(*)::bigint as completions from training_at($end)
           where ($entity is null or entity = $entity) group by all order by all""",
        params={"end": cutoff, "entity": entity},
    ).pl()


def values_we_share_cumulative(con, cutoff: dt.date, entity: str | None = None) -> int:
    return int(
        con.sql(
            """select count(*)::bigint from training_at($end) where course = 'values_we_share' and ($entity is null or entity = $entity)""",
            params={"end": cutoff, "entity": entity},
        ).fetchall()[0][0]
    )


def cbcm_trainings(con, period: Period) -> pl.DataFrame:
    return con.sql(
        "select year, country, response, action_plan from ref_cbcm_trainings where make_date(year, 12, 31) > $start and make_date(year, 1, 1) <= $end",
        params={"start": period.start, "end": period.end},
    ).pl()


def audit_risk(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """Every mission with its staff sessions in the last two complete quarters, its coverage, and
    the flag. An entity whose personnel data stop before the last complete quarter is judged at
    the date of its data: a quarter not yet reported is not a quarter without sessions."""
    n = int(_cfg()["audit_risk"]["quarters_without_staff_session"])
    last = last_complete_quarters(cutoff, 1)[0].end
    reach = dict(
        con.sql(
            """select entity, max(as_of) from awareness_sessions_snapshot($cutoff)
               where $entity is null or entity = $entity group by 1""",
            params={"cutoff": cutoff, "entity": entity},
        ).fetchall()
    )
    lagging = {e: d for e, d in reach.items() if d < last}
    parts = [_audit_risk_at(con, cutoff, entity, n, exclude=sorted(lagging))]
    for day in sorted(set(lagging.values())):
        for e in sorted(e for e, d in lagging.items() if d == day):
            parts.append(_audit_risk_at(con, day, e, n))
    return pl.concat(parts, how="vertical_relaxed").sort(
        ["flagged", "entity", "mission"], descending=[True, False, False]
    )


def _audit_risk_at(
    con, cutoff: dt.date, entity: str | None, n: int, exclude: list[str] | None = None
) -> pl.DataFrame:
    cfg = _cfg()["audit_risk"]
    quarters = last_complete_quarters(cutoff, n)
    window = Period(quarters[-1].start, quarters[0].end)
    # every mission with someone active on the cut-off, with its coverage
    coverage = mandatory_coverage(con, cutoff, entity, by=("entity", "mission", "region"))
    sessions = con.sql(
        """select entity, mission, count(*) filter (where held_on > $start and held_on <= $end)::bigint as staff_sessions,
                  max(held_on) as last_staff_session
           from awareness_sessions_at($cutoff) where audience = 'staff' and ($entity is null or entity = $entity)
           group by all""",
        params={"start": window.start, "end": window.end, "cutoff": cutoff, "entity": entity},
    ).pl()
    out = coverage.join(sessions, on=["entity", "mission"], how="left").with_columns(
        pl.col("staff_sessions").fill_null(0)
    )
    if exclude:
        out = out.filter(~pl.col("entity").is_in(exclude))
    no_sessions = pl.col("staff_sessions") == 0
    low = pl.col("coverage") < float(cfg["coverage_below"])
    reason = (
        pl.when(no_sessions & low)
        .then(pl.lit("no staff session in the last two complete quarters; coverage below 80%"))
        .when(no_sessions)
        .then(pl.lit("no staff session in the last two complete quarters"))
        .when(low)
        .then(pl.lit("mandatory coverage below 80%"))
        .otherwise(None)
    )
    return out.with_columns(
        reason.alias("reason"),
        (no_sessions | low.fill_null(False)).alias("flagged"),
        pl.lit(f"{window.label}").alias("sessions_window"),
    )


def audit_risk_list(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """The flagged missions only, with the reason for each flag (the auditors' list)."""
    return (
        audit_risk(con, cutoff, entity)
        .filter(pl.col("flagged"))
        .select(
            "entity",
            "mission",
            "region",
            "staff_sessions",
            "last_staff_session",
            "coverage",
            "reason",
            "sessions_window",
        )
    )

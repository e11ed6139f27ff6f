"""Case trends: allegations, victims, subjects, status, investigations, victim assistance.

Definitions follow indicators.md ("Case trends"). Every function returns exact figures; callers
suppress them for the viewer's role. `DEFINITIONS` holds the "how is this counted" notes.
"""

from __future__ import annotations

import duckdb
import polars as pl

from psea.metrics import Period
from psea.settings import settings

BREAKDOWNS = {
    "category": "c.category",
    "personnel_group": "c.personnel_group",
    "reporting_channel": "c.reporting_channel",
    "mission": "c.mission",
    "region": "m.region",
    "entity": "c.entity",
    "incident_year": "coalesce(left(c.incident_month, 4), 'unknown')",
}
UN_VICTIM_GROUPS = [
    "women",
    "girls",
    "females_unknown_age",
    "men",
    "boys",
    "males_unknown_age",
    "unknown",
]
STATUSES = [
    "received",
    "preliminary_assessment",
    "under_investigation",
    "under_review_limited_information",
    "substantiated",
    "unsubstantiated",
    "closed",
]
# A victim's UN reporting group, from a case_victims row aliased `v` (the one definition).
UN_VICTIM_GROUP = """case
    when v.sex = 'female' and v.age_group = 'adult' then 'women'
    when v.sex = 'female' and v.age_group = 'child' then 'girls'
    when v.sex = 'female' then 'females_unknown_age'
    when v.sex = 'male' and v.age_group = 'adult' then 'men'
    when v.sex = 'male' and v.age_group = 'child' then 'boys'
    when v.sex = 'male' then 'males_unknown_age'
    else 'unknown' end"""
DELAY_BUCKETS = ["0-3 months", "4-12 months", "13-24 months", "more than 24 months", "unknown"]

DEFINITIONS = {
    "allegations_received": "Allegations (cases) whose date received falls in the period (start excluded, end included), "
    "from the latest snapshot not after the cut-off.",
    "victims": "Victims (rows of case_victims) of the allegations received in the period, in the UN reporting groups: "
    "women = female adult, girls = female child, then females of unknown age, men, boys, males of unknown age, unknown sex.",
    "child_victims": "Victims whose age group is child (under 18 at the time of the incident), of allegations received in the period.",
    "subjects": "Alleged perpetrators (rows of case_subjects) of the allegations received in the period, by gender.",
    "status": "Each case's status at the cut-off; for a snapshot newer than the cut-off, its stage follows from its stage dates.",
    "funnel": "Of allegations received in the period: assessed (assessment completed by the cut-off), investigated (investigation "
    "opened), finding (investigation completed), substantiated, and with an action on at least one subject.",
    "substantiation_rate": "Substantiated / (substantiated + unsubstantiated) among cases whose investigation completed in the period.",
    "days_to_assessment": "Assessment completed on minus date received, for cases assessed in the period: median and 90th percentile.",
    "investigation_duration": "Investigation completed on minus opened on, for investigations completed in the period: median, 90th "
    "percentile, and the share within 90 and within 180 days (the UN's three- and six-month aims).",
    "overdue": "Investigations open at the cut-off that were opened more than 180 days before it (a count only).",
    "reporting_delay": "Months from the incident month to the month received, for allegations received in the period: "
    "0-3, 4-12, 13-24, more than 24 months, or unknown incident month.",
    "referrals": "Allegations received in the period referred to national authorities, and with interim measures.",
    "actions": "Actions on the subjects of cases substantiated in the period.",
    "victims_assisted": "Victims with at least one service provided, among services referred in the period.",
    "services": "Assistance services referred in the period, by type (support provided, never a sum of money).",
    "days_to_needs_assessment": "Needs assessed on minus the case's date received, for victims whose needs were assessed in the period: "
    "median and the share within the target (default 7 days; policy says 'as soon as possible').",
}

CASES_IN_PERIOD = """
    from cases_at($cutoff) c
    left join ref_missions m on m.code = c.mission
    where c.date_received > $start and c.date_received <= $end
      and ($entity is null or c.entity = $entity)
"""


def _sql(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> pl.DataFrame:
    used = {k: v for k, v in params.items() if f"${k}" in query}
    return con.sql(query, params=used).pl()


def _params(period: Period, entity: str | None, **more) -> dict:
    return {**period.params, "entity": entity, **more}


def allegations_received(
    con, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Allegations received in the period, in total or by one of the fixed breakdowns."""
    if by is None:
        return _sql(
            con, f"select count(*)::bigint as count {CASES_IN_PERIOD}", _params(period, entity)
        )
    group = BREAKDOWNS[by]  # fixed breakdowns only: no free filters on case figures
    return _sql(
        con,
        f"select {group} as {by}, count(*)::bigint as count {CASES_IN_PERIOD} group by all order by 1",
        _params(period, entity),
    )


def allegations_by_quarter(
    con, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    group = f", {BREAKDOWNS[by]} as {by}" if by else ""
    return _sql(
        con,
        f"""select date_trunc('quarter', c.date_received)::date as quarter{group}, count(*)::bigint as count
            {CASES_IN_PERIOD} group by all order by all""",
        _params(period, entity),
    )


def victims_by_un_group(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    out = _sql(
        con,
        f"""
        with period_cases as (select c.entity, c.case_ref {CASES_IN_PERIOD}),
        victims as (
            select {UN_VICTIM_GROUP} as un_group
            from case_victims_at($cutoff) v join period_cases using (entity, case_ref)
        )
        select un_group, count(*)::bigint as count from victims group by all
        """,
        _params(period, entity),
    )
    return (
        pl.DataFrame({"un_group": UN_VICTIM_GROUPS})
        .join(out, on="un_group", how="left", maintain_order="left")
        .fill_null(0)
    )


def child_victims(con, period: Period, entity: str | None = None) -> int:
    out = _sql(
        con,
        f"""with period_cases as (select c.entity, c.case_ref {CASES_IN_PERIOD})
            select count(*)::bigint from case_victims_at($cutoff) v join period_cases using (entity, case_ref)
            where v.age_group = 'child'""",
        _params(period, entity),
    )
    return int(out.item())


def subjects_by_gender(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    out = _sql(
        con,
        f"""with period_cases as (select c.entity, c.case_ref {CASES_IN_PERIOD})
            select s.gender, count(*)::bigint as count from case_subjects_at($cutoff) s join period_cases using (entity, case_ref)
            group by all""",
        _params(period, entity),
    )
    return (
        pl.DataFrame({"gender": ["man", "woman", "unknown"]})
        .join(out, on="gender", how="left", maintain_order="left")
        .fill_null(0)
    )


def status_counts(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    """Status at the cut-off of the allegations received in the period."""
    out = _sql(
        con,
        f"select c.status, count(*)::bigint as count {CASES_IN_PERIOD} group by all",
        _params(period, entity),
    )
    return (
        pl.DataFrame({"status": STATUSES})
        .join(out, on="status", how="left", maintain_order="left")
        .fill_null(0)
    )


def funnel(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    out = _sql(
        con,
        f"""
        with period_cases as (select c.* {CASES_IN_PERIOD}),
        acted as (
            select distinct s.entity, s.case_ref from case_subjects_at($cutoff) s
            where s.action not in ('pending', 'none')
        )
        select count(*)::bigint as received,
               count(*) filter (where assessed)::bigint as assessed,
               count(*) filter (where investigated)::bigint as investigated,
               count(*) filter (where finding_reached)::bigint as finding,
               count(*) filter (where status = 'substantiated')::bigint as substantiated,
               count(*) filter (where status = 'substantiated' and a.case_ref is not null)::bigint as action
        from period_cases c left join acted a using (entity, case_ref)
        """,
        _params(period, entity),
    )
    return out.unpivot(variable_name="stage", value_name="count")


def substantiation(con, period: Period, entity: str | None = None) -> dict:
    row = _sql(
        con,
        """select count(*) filter (where status = 'substantiated')::bigint as substantiated,
                  count(*) filter (where status = 'unsubstantiated')::bigint as unsubstantiated
           from cases_at($cutoff)
           where investigation_completed_on > $start and investigation_completed_on <= $end
             and ($entity is null or entity = $entity)""",
        _params(period, entity),
    ).row(0, named=True)
    row["completed"] = row["substantiated"] + row["unsubstantiated"]
    return row


def days_to_assessment(con, period: Period, entity: str | None = None) -> dict:
    return _sql(
        con,
        """select count(*)::bigint as n,
                  median(assessment_completed_on - date_received)::double as median_days,
                  quantile_cont(assessment_completed_on - date_received, 0.9)::double as p90_days
           from cases_at($cutoff)
           where assessment_completed_on > $start and assessment_completed_on <= $end
             and ($entity is null or entity = $entity)""",
        _params(period, entity),
    ).row(0, named=True)


def investigation_duration(con, period: Period, entity: str | None = None) -> dict:
    short, long = settings()["investigations"]["aims_days"]
    return _sql(
        con,
        f"""select count(*)::bigint as n,
                  median(investigation_completed_on - investigation_opened_on)::double as median_days,
                  quantile_cont(investigation_completed_on - investigation_opened_on, 0.9)::double as p90_days,
                  count(*) filter (where investigation_completed_on - investigation_opened_on <= {int(short)})::bigint as within_90,
                  count(*) filter (where investigation_completed_on - investigation_opened_on <= {int(long)})::bigint as within_180
           from cases_at($cutoff)
           where investigation_completed_on > $start and investigation_completed_on <= $end
             and ($entity is null or entity = $entity)""",
        _params(period, entity),
    ).row(0, named=True)


def investigations_opened(con, period: Period, entity: str | None = None) -> int:
    return int(
        _sql(
            con,
            """select count(*)::bigint from cases_at($cutoff)
        where investigation_opened_on > $start and investigation_opened_on <= $end and ($entity is null or entity = $entity)""",
            _params(period, entity),
        ).item()
    )


def overdue_investigations(con, cutoff, entity: str | None = None) -> int:
    days = int(settings()["investigations"]["overdue_after_days"])
    return int(
        _sql(
            con,
            f"""select count(*)::bigint from cases_at($cutoff)
        where investigated and not finding_reached and investigation_opened_on < $end - interval {days} day
          and ($entity is null or entity = $entity)""",
            {"cutoff": cutoff, "end": cutoff, "entity": entity},
        ).item()
    )


def reporting_delay(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    out = _sql(
        con,
        f"""
        with period_cases as (select c.* {CASES_IN_PERIOD}),
        delays as (
            select case when incident_month is null then null
                   else datediff('month', strptime(incident_month || '-01', '%Y-%m-%d')::date,
                                 date_trunc('month', date_received)::date) end as months
            from period_cases
        )
        select case when months is null then 'unknown'
                    when months <= 3 then '0-3 months'
                    when months <= 12 then '4-12 months'
                    when months <= 24 then '13-24 months'
                    else 'more than 24 months' end as delay, count(*)::bigint as count
        from delays group by all
        """,
        _params(period, entity),
    )
    return (
        pl.DataFrame({"delay": DELAY_BUCKETS})
        .join(out, on="delay", how="left", maintain_order="left")
        .fill_null(0)
    )


def referrals(con, period: Period, entity: str | None = None) -> dict:
    return _sql(
        con,
        f"""select count(*)::bigint as received,
                   count(*) filter (where referred_national_authorities)::bigint as referred,
                   count(*) filter (where interim_measures)::bigint as interim_measures
            {CASES_IN_PERIOD}""",
        _params(period, entity),
    ).row(0, named=True)


def actions_on_substantiated(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return _sql(
        con,
        """select s.action, count(*)::bigint as count
           from case_subjects_at($cutoff) s join cases_at($cutoff) c using (entity, case_ref)
           where c.status = 'substantiated' and c.investigation_completed_on > $start
             and c.investigation_completed_on <= $end and ($entity is null or c.entity = $entity)
           group by all order by s.action""",
        _params(period, entity),
    )


def victim_assistance(con, period: Period, entity: str | None = None) -> dict:
    target = int(settings()["victim_assistance"]["needs_assessment_target_days"])
    return _sql(
        con,
        f"""
        with services as (
            select a.* from victim_assistance_at($cutoff) a
            where a.referred_on > $start and a.referred_on <= $end and ($entity is null or a.entity = $entity)
        ),
        needs as (
            select distinct a.entity, a.case_ref, a.victim_ref, a.needs_assessed_on - c.date_received as days
            from victim_assistance_at($cutoff) a join cases_at($cutoff) c using (entity, case_ref)
            where a.needs_assessed_on > $start and a.needs_assessed_on <= $end and ($entity is null or a.entity = $entity)
        )
        select
            (select count(distinct (entity, case_ref, victim_ref)) from services where status = 'provided')::bigint as victims_assisted,
            (select count(*) from services)::bigint as services,
            (select count(*) from needs)::bigint as needs_assessed,
            (select median(days) from needs)::double as median_days_to_needs_assessment,
            (select count(*) filter (where days <= {target}) from needs)::bigint as needs_within_target
        """,
        _params(period, entity),
    ).row(0, named=True)


def services_by_type(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return _sql(
        con,
        """select service, count(*)::bigint as count from victim_assistance_at($cutoff)
           where referred_on > $start and referred_on <= $end and ($entity is null or entity = $entity)
           group by all order by service""",
        _params(period, entity),
    )

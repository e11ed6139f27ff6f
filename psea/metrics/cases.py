"""Case trends: allegations, victims, subjects, status, investigations, victim assistance.

Definitions follow docs/indicators.md ("Case trends"). Every function returns exact figures; callers
suppress them for the viewer's role. `DEFINITIONS` holds the "how is this counted" notes.
"""

from __future__ import annotations

import duckdb
import polars as pl

from psea.metrics import Period, facts
from psea.settings import settings

BREAKDOWNS = ("category", "personnel_group", "reporting_channel", "region", "incident_year")
STATUSES = list(facts.STATUSES)
UN_VICTIM_GROUPS = list(facts.UN_VICTIM_GROUPS)
UN_VICTIM_GROUP = facts.UN_VICTIM_GROUP
DELAY_BUCKETS = list(facts.DELAY_BUCKETS)

DEFINITIONS = {
    "allegations_received": "Allegations (cases) whose date received falls in the period (start excluded, end included), "
    "from the latest snapshot not after the cut-off.",
    "victims": "Victims (each victim recorded for a case) of the allegations received in the period, in the UN reporting groups: "
    "women = female adult, girls = female child, then females of unknown age, men, boys, males of unknown age, unknown sex.",
    "child_victims": "Victims whose age group is child (under 18 at the time of the incident), of allegations received in the period.",
    "subjects": "Alleged perpetrators (each one recorded for a case) of the allegations received in the period, by gender.",
    "status": "Each case's status at the cut-off; for a snapshot newer than the cut-off, its stage follows from its stage dates.",
    "funnel": "Of allegations received in the period, by their status at the cut-off: assessed (past preliminary assessment), "
    "investigated (under investigation or a finding), finding (substantiated or unsubstantiated), substantiated, and substantiated "
    "with an action on at least one alleged perpetrator.",
    "substantiation_rate": "Substantiated / (substantiated + unsubstantiated) among cases whose investigation completed in the period.",
    "days_to_assessment": "Assessment completed on minus date received, for cases assessed in the period: median and 90th percentile.",
    "investigation_duration": "Investigation completed on minus opened on, for investigations completed in the period: median, 90th "
    "percentile, and the share within 90 and within 180 days (the UN's three- and six-month aims).",
    "overdue": "Investigations open at the cut-off that were opened more than 180 days before it (a count only).",
    "reporting_delay": "Months from the incident month to the month received, for allegations received in the period: "
    "0-3, 4-12, 13-24, more than 24 months, or unknown incident month.",
    "referrals": "Allegations received in the period referred to national authorities, and with interim measures.",
    "actions": "Actions on the subjects of cases substantiated in the period.",
    "victims_assisted": "Victims of the allegations received in the period with at least one assistance service provided "
    "by the cut-off, out of all victims of those allegations.",
    "services": "Assistance services referred in the period, by type (support provided, never a sum of money).",
    "days_to_needs_assessment": "First needs assessment minus the case's date received, for the victims of the allegations received "
    "in the period whose needs were assessed by the cut-off: "
    "median and the share within the target (default 7 days; policy says 'as soon as possible').",
}


def _sql(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> pl.DataFrame:
    used = {k: v for k, v in params.items() if f"${k}" in query}
    return con.sql(query, params=used).pl()


def _params(period: Period, entity: str | None, **more) -> dict:
    return {**period.params, "entity": entity, **more}


def _groups(frame: pl.DataFrame, by: str) -> dict[str, int]:
    return dict(zip(frame[by].to_list(), frame["count"].to_list(), strict=True))


def allegations_received(
    con, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Allegations received in the period, in total or by one of the fixed breakdowns."""
    if by is not None and by not in (*BREAKDOWNS, "mission", "entity"):
        raise ValueError(f"no breakdown {by!r}: fixed breakdowns only on case figures")
    return facts.count(con, "allegations", period, entity, by)


def allegations_by_quarter(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    """Allegations received per calendar quarter of the period (quarters without any left out),
    from case rows and from returns (a return's quarter counts when it ends in the period)."""
    return _sql(
        con,
        f"""with f as (
                select entity, day, 1 as n from ({facts.family("allegations").sql})
                union all
                select entity, day, count as n from ({facts.return_cells_sql()})
                where family = 'allegations' and breakdown = 'total'
            )
            select date_trunc('quarter', day)::date as quarter, sum(n)::bigint as count from f
            where day > $start and day <= $end and ($entity is null or entity = $entity)
            group by all order by all""",
        _params(period, entity),
    )


def victims_by_un_group(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return facts.count(con, "victims", period, entity, "un_group")


def child_victims(con, period: Period, entity: str | None = None) -> int:
    return _groups(facts.count(con, "victims", period, entity, "child"), "child")["child"]


def subjects_by_gender(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return facts.count(con, "subjects", period, entity, "gender")


def status_counts(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    """Status at the cut-off of the allegations received in the period."""
    return facts.count(con, "allegations", period, entity, "status")


FUNNEL_STAGES = {  # stage -> the statuses at the cut-off that have reached it
    "received": STATUSES,
    "assessed": STATUSES[2:],
    "investigated": ["under_investigation", "substantiated", "unsubstantiated"],
    "finding": ["substantiated", "unsubstantiated"],
    "substantiated": ["substantiated"],
}


def funnel_from(statuses: dict[str, int], action: int) -> pl.DataFrame:
    """The funnel as sums of the status counts (and the substantiated cases with an action)."""
    stages = {s: sum(statuses[x] for x in members) for s, members in FUNNEL_STAGES.items()}
    return pl.DataFrame(
        {"stage": [*stages, "action"], "count": [*stages.values(), action]},
        schema={"stage": pl.String, "count": pl.Int64},
    )


def funnel(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    statuses = _groups(status_counts(con, period, entity), "status")
    acted = _groups(facts.count(con, "allegations", period, entity, "action_taken"), "action_taken")
    return funnel_from(statuses, acted["substantiated_with_action"])


def substantiation(con, period: Period, entity: str | None = None) -> dict:
    row = _groups(facts.count(con, "findings", period, entity, "finding"), "finding")
    return {**row, "completed": row["substantiated"] + row["unsubstantiated"]}


# The rows each median rests on (entity, day, days), as of $cutoff: one definition per statistic.
STATISTIC_ROWS = {
    "days_to_assessment": """select entity, assessment_completed_on as day,
            assessment_completed_on - date_received as days
        from cases_at($cutoff) where assessment_completed_on <= $cutoff""",
    "investigation_duration": """select entity, investigation_completed_on as day,
            investigation_completed_on - investigation_opened_on as days
        from cases_at($cutoff) where status in ('substantiated', 'unsubstantiated')
          and investigation_completed_on <= $cutoff""",
    "days_to_needs_assessment": """select a.entity, any_value(c.date_received) as day,
            min(a.needs_assessed_on) - any_value(c.date_received) as days
        from victim_assistance_at($cutoff) a join cases_at($cutoff) c using (entity, case_ref)
        where a.needs_assessed_on is not null group by a.entity, a.case_ref, a.victim_ref""",
    # timeliness (psea.metrics.timeliness): receipt to outcome, and the victims still waiting
    "time_to_outcome": f"""select entity, outcome_on as day, outcome_on - date_received as days
        from ({facts.OUTCOME_ROWS}) where outcome_on <= $cutoff""",
    "days_waiting_for_needs_assessment": """select v.entity, c.date_received as day,
            $cutoff - c.date_received as days
        from case_victims_at($cutoff) v join cases_at($cutoff) c using (entity, case_ref)
        anti join (select distinct entity, case_ref, victim_ref from victim_assistance_snapshot($cutoff)
                   where needs_assessed_on <= $cutoff) a using (entity, case_ref, victim_ref)""",
}


def statistic(con, name: str, period: Period, entity: str | None = None) -> dict:
    """n, the median and the 90th percentile of a statistic's days over the period's rows."""
    return _sql(
        con,
        f"""with r as ({STATISTIC_ROWS[name]})
            select count(*)::bigint as n, median(days)::double as median_days,
                   quantile_cont(days, 0.9)::double as p90_days from r
            where day > $start and day <= $end and ($entity is null or entity = $entity)""",
        _params(period, entity),
    ).row(0, named=True)


def statistic_by_period(con, name: str, cutoff, periods: dict[str, Period]) -> pl.DataFrame:
    """The same statistic for many periods at once, per entity and for all entities (entity
    null): period, entity, n, median_days, p90_days."""
    spans = pl.DataFrame(  # noqa: F841 - scanned by DuckDB
        {
            "period": list(periods),
            "start": [p.start for p in periods.values()],
            "end": [p.end for p in periods.values()],
        }
    )
    return con.sql(
        f"""with r as ({STATISTIC_ROWS[name]})
            select s.period, r.entity, count(*)::bigint as n, median(days)::double as median_days,
                   quantile_cont(days, 0.9)::double as p90_days
            from r join spans s on r.day > s.start and r.day <= s."end"
            group by grouping sets ((s.period, r.entity), (s.period))""",
        params={"cutoff": cutoff},
    ).pl()


def days_to_assessment(con, period: Period, entity: str | None = None) -> dict:
    return statistic(con, "days_to_assessment", period, entity)


def investigation_duration(con, period: Period, entity: str | None = None) -> dict:
    """Median and p90 over the findings of the period, and how many within the UN's aims."""
    short, long = settings()["investigations"]["aims_days"]
    stats = statistic(con, "investigation_duration", period, entity)
    buckets = _groups(facts.count(con, "findings", period, entity, "duration"), "duration")
    within_short, later = buckets[f"within_{short}_days"], buckets[f"{short + 1}_to_{long}_days"]
    return {  # None where a return in the period does not break its findings down by duration
        **stats,
        f"within_{short}": within_short,
        f"within_{long}": None if within_short is None else within_short + later,
    }


def investigations_opened(con, period: Period, entity: str | None = None) -> int:
    return facts.total(con, "investigations_opened", period, entity)


def reporting_delay(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return facts.count(con, "allegations", period, entity, "delay")


def referrals(con, period: Period, entity: str | None = None) -> dict:
    referred = _groups(facts.count(con, "allegations", period, entity, "referred"), "referred")
    interim = _groups(
        facts.count(con, "allegations", period, entity, "interim_measures"), "interim_measures"
    )
    return {
        "received": referred["yes"] + referred["no"],
        "referred": referred["yes"],
        "interim_measures": interim["yes"],
    }


def actions_on_substantiated(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return facts.count(con, "actions", period, entity, "action")


def victim_assistance(con, period: Period, entity: str | None = None) -> dict:
    """Of the victims of the allegations received in the period: assisted (a service provided),
    needs assessed, and the days from the allegation to the needs assessment."""
    target = int(settings()["victim_assistance"]["needs_assessment_target_days"])
    victims = {
        by: _groups(facts.count(con, "victims", period, entity, by), by)
        for by in ("assisted", "needs_assessed", "declined")
    }
    needs = statistic(con, "days_to_needs_assessment", period, entity)
    within = _sql(
        con,
        f"""with r as ({STATISTIC_ROWS["days_to_needs_assessment"]})
            select count(*) filter (where days <= {target})::bigint from r
            where day > $start and day <= $end and ($entity is null or entity = $entity)""",
        _params(period, entity),
    ).item()
    days = {
        "median_days_to_needs_assessment": needs["median_days"],
        "needs_within_target": int(within),
    }
    return {
        "victims": victims["assisted"]["yes"] + victims["assisted"]["no"],
        "victims_assisted": victims["assisted"]["yes"],
        "needs_assessed": victims["needs_assessed"]["yes"],
        "declined": victims["declined"]["yes"],
        "services": facts.total(con, "services", period, entity),
        **days,
    }


def services_by_type(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return facts.count(con, "services", period, entity, "service")

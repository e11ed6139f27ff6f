"""Training and awareness: mandatory coverage, induction within 30 days, completions, awareness
regularity and the auditors' risk flag (docs/indicators.md, "Training and awareness").

Personnel figures, not victims': they are not suppressed (except manager teams, see managers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data_contracts.reference import reference_frame
from psea.metrics import Period, last_complete_quarters
from psea.metrics.memo import per_load_state
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
    "audit_risk": "A mission with no staff awareness session in {quarters} before the cut-off, or, from "
    "{audit_from} (the milestone '{audit_from_label}'), mandatory coverage below {floor}, is listed as 'PSEA training "
    "irregular - risk', as the auditors do. Missions of fewer than {minimum} personnel are listed apart (one "
    "person moves their coverage by {step} points or more). Most at risk first: headcount x shortfall, the "
    "personnel to reach the {floor} floor (without a staff session, the whole floor).",
}


def _cfg() -> dict:
    return settings()["indicators"]


def induction_window_days() -> int:
    return int(_cfg()["induction_window_days"])


def definition(name: str) -> str:
    cfg, bounds = _cfg(), coverage_bounds()
    return DEFINITIONS[name].format(
        validity_months=cfg["validity_months"],
        window=cfg["induction_window_days"],
        quarters=_quarters_text(bounds.session_quarters),
        audit_from=f"{bounds.audit_from:%-d %B %Y}",
        audit_from_label=bounds.audit_from_label,
        floor=f"{bounds.audit_floor:.0%}",
        minimum=bounds.minimum_headcount,
        step=100 // bounds.minimum_headcount,
    )


def mandatory_coverage(
    con, on: dt.date, entity: str | None = None, by: str | tuple[str, ...] | None = None
) -> pl.DataFrame:
    """covered, active and coverage (a fraction) on a date, in total or by one or more of
    entity, region, mission, staff_category. Counted once per date and grouping for every entity
    (`_coverage_of_every_entity`, memoised and kept): one entity's figures are its rows, all
    entities' their sums (persons are counted within their entity, so the counts add up)."""
    keys = (by,) if isinstance(by, str) else tuple(by or ())
    every = _coverage_of_every_entity(con, on, tuple(k for k in keys if k != "entity"))
    if entity is not None:
        every = every.filter(pl.col("entity") == entity)
    names = list(keys) or ["scope"]
    every = every if keys else every.with_columns(pl.lit("all").alias("scope"))
    if every.is_empty() and not keys:  # no one active: the one row of an empty total
        return pl.DataFrame(
            {"scope": ["all"], "covered": [0], "active": [0], "coverage": [None]},
            schema={
                "scope": pl.String,
                "covered": pl.Int64,
                "active": pl.Int64,
                "coverage": pl.Float64,
            },
        )
    return (
        every.group_by(names)
        .agg(pl.col("covered").sum(), pl.col("active").sum())
        .with_columns((pl.col("covered") / pl.col("active")).alias("coverage"))
        .sort(names, nulls_last=True)
    )


@per_load_state
def _coverage_of_every_entity(con, on: dt.date, keys: tuple[str, ...]) -> pl.DataFrame:
    return coverage_counted(con, on, None, ("entity", *keys))


def coverage_counted(con, on: dt.date, entity: str | None, keys: tuple[str, ...]) -> pl.DataFrame:
    """The count of `mandatory_coverage` for one entity (None: all together) by `keys`, in SQL."""
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


def year_ends(end: dt.date, first_year: int = 2012) -> list[dt.date]:
    """The dates of the coverage-over-time chart: every 31 December from `first_year` before `end`,
    then `end`."""
    return [dt.date(y, 12, 31) for y in range(first_year, end.year) if dt.date(y, 12, 31) < end] + [
        end
    ]


def coverage_over_time(con, dates: list[dt.date], entity: str | None = None) -> pl.DataFrame:
    frames = [
        mandatory_coverage(con, d, entity).with_columns(pl.lit(d).alias("date")) for d in dates
    ]
    return pl.concat(frames).select("date", "covered", "active", "coverage")


@per_load_state
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


@per_load_state
def completions_by_course(con, period: Period, entity: str | None = None) -> pl.DataFrame:
    return con.sql(
        """select course, count(*)::bigint as completions from training_at($end)
           where completed_on > $start and ($entity is null or entity = $entity) group by all order by completions desc, course""",
        params={"start": period.start, "end": period.end, "entity": entity},
    ).pl()


@per_load_state
def completions_by_year(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    return con.sql(
        """select year(completed_on)::integer as year, course, count(*)::bigint as completions from training_at($end)
           where ($entity is null or entity = $entity) group by all order by all""",
        params={"end": cutoff, "entity": entity},
    ).pl()


@per_load_state
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


@dataclass(frozen=True)
class CoverageBounds:
    """Mandatory coverage's one set of bounds (settings: indicators.coverage, .audit_risk), read by
    the key messages, the charts' target lines, the audit rule and the managers' colours alike."""

    target: float  # the aim, and the green bound
    amber: float  # amber from it, red below
    audit_floor: float  # a mission below it is an audit risk ...
    audit_from: dt.date  # ... from this date (a milestone: the course became mandatory)
    audit_from_label: str
    minimum_headcount: int  # smaller missions are listed apart
    session_quarters: int  # complete quarters without a staff session that flag a mission

    @property
    def sentence(self) -> str:
        """The bounds in one sentence, worded the same wherever they are shown."""
        return (
            f"Mandatory coverage: target {self.target:.0%} (green from it), amber from "
            f"{self.amber:.0%}, red below; the auditors' floor is {self.audit_floor:.0%} from "
            f"{self.audit_from:%-d %B %Y} (the milestone '{self.audit_from_label}')."
        )


def coverage_bounds() -> CoverageBounds:
    cfg = _cfg()
    rule = cfg["audit_risk"]
    milestones = reference_frame("milestones").filter(pl.col("label") == rule["coverage_rule_from"])
    if milestones.height != 1:  # never a rule without its start: the 2016 missions all flagged
        raise ValueError(
            "indicators.audit_risk.coverage_rule_from must name one milestone of "
            "data_contracts/reference/milestones.csv"
        )
    return CoverageBounds(
        target=float(cfg["coverage"]["target"]),
        amber=float(cfg["coverage"]["amber"]),
        audit_floor=float(rule["coverage_below"]),
        audit_from=milestones["date"][0],
        audit_from_label=rule["coverage_rule_from"],
        minimum_headcount=int(rule["minimum_headcount"]),
        session_quarters=int(rule["quarters_without_staff_session"]),
    )


def _quarters_text(n: int) -> str:
    return (
        "the last complete quarter" if n == 1 else f"the last {_WORDS.get(n, n)} complete quarters"
    )


_WORDS = {2: "two", 3: "three", 4: "four"}


def audit_risk(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """Every mission with someone active on the cut-off: entity, mission, region, covered, active
    (its personnel), coverage, staff_sessions (in the last complete quarters), last_staff_session,
    flagged, reason, small (fewer personnel than the minimum: listed apart), to_reach (personnel
    to reach the floor: headcount x shortfall, the ranking) and sessions_window. An entity whose
    personnel data stop before the last complete quarter is judged at the date of its data: a
    quarter not yet reported is not a quarter without sessions. One entity's missions are its rows
    of every entity's list (each mission is judged within its entity): computed once per date."""
    every = _audit_risk_of_every_entity(con, cutoff)
    return every if entity is None else every.filter(pl.col("entity") == entity)


@per_load_state
def _audit_risk_of_every_entity(con, cutoff: dt.date) -> pl.DataFrame:
    return audit_risk_counted(con, cutoff, None)


def audit_risk_counted(con, cutoff: dt.date, entity: str | None) -> pl.DataFrame:
    """The audit-risk list of one entity (None: all), computed."""
    bounds = coverage_bounds()
    last = last_complete_quarters(cutoff, 1)[0].end
    reach = dict(
        con.sql(
            """select entity, max(as_of) from awareness_sessions_snapshot($cutoff)
               where $entity is null or entity = $entity group by 1""",
            params={"cutoff": cutoff, "entity": entity},
        ).fetchall()
    )
    lagging = {e: d for e, d in reach.items() if d < last}
    parts = [_audit_risk_at(con, cutoff, entity, bounds, exclude=sorted(lagging))]
    for day in sorted(set(lagging.values())):
        for e in sorted(e for e, d in lagging.items() if d == day):
            parts.append(_audit_risk_at(con, day, e, bounds))
    return pl.concat(parts, how="vertical_relaxed").sort(
        ["flagged", "small", "to_reach", "active", "entity", "mission"],
        descending=[True, False, True, True, False, False],
    )


def _audit_risk_at(
    con,
    cutoff: dt.date,
    entity: str | None,
    bounds: CoverageBounds,
    exclude: list[str] | None = None,
) -> pl.DataFrame:
    quarters = last_complete_quarters(cutoff, bounds.session_quarters)
    window = Period(quarters[-1].start, quarters[0].end)
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
    floor = bounds.audit_floor
    no_sessions = pl.col("staff_sessions") == 0
    # before the course was mandatory, low coverage is no irregularity: only sessions count
    low = (pl.col("coverage") < floor).fill_null(False) & pl.lit(cutoff >= bounds.audit_from)
    no_session_text = f"no staff session in {_quarters_text(bounds.session_quarters)}"
    low_text = f"mandatory coverage below {floor:.0%}"
    reason = (
        pl.when(no_sessions & low)
        .then(pl.lit(f"{no_session_text}; {low_text}"))
        .when(no_sessions)
        .then(pl.lit(no_session_text))
        .when(low)
        .then(pl.lit(low_text))
        .otherwise(None)
    )
    # a mission without a staff session reached none of its staff: the whole floor is short
    shortfall = pl.max_horizontal(
        pl.when(low).then(floor - pl.col("coverage")).otherwise(0.0),
        pl.when(no_sessions).then(floor).otherwise(0.0),
    )
    return out.with_columns(
        reason.alias("reason"),
        (no_sessions | low).alias("flagged"),
        (pl.col("active") < bounds.minimum_headcount).alias("small"),
        (pl.col("active") * shortfall).round(6).ceil().cast(pl.Int64).alias("to_reach"),
        pl.lit(f"{window.label}").alias("sessions_window"),
    )

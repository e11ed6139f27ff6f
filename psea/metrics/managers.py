"""Manager PSEA performance indicators: the evidence behind the PSEA indicator of each manager's and
chief of mission's annual appraisal (docs/indicators.md, "Manager PSEA performance indicators").

`scorecard` gives the exact figures, one row per manager active at the cut-off; `publish` turns them
into what a role may see (teams below the minimum size are "team too small to report" without exact
access); `colour_counts` rolls the published statuses up to mission, region or entity.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import training
from psea.metrics.memo import per_load_state
from psea.settings import settings

INDICATORS = {
    "team_coverage": "Team mandatory coverage",
    "team_induction_30d": "Team induction within 30 days",
    "own_training_current": "Own training current",
    "mission_staff_sessions": "Mission awareness sessions",
    "contract_clause_rate": "Contract clause compliance",
    "appraisal_rating": "Appraisal rating",
}
STATUSES = ("green", "amber", "red", "too small", "no data", "not applicable")
TOO_SMALL = "team too small to report"
LINE_COVERAGE = (
    "Reporting-line mandatory coverage"  # shown beside team coverage, not a 7th indicator
)
CHIEF_ONLY = ("mission_staff_sessions", "contract_clause_rate")

DEFINITIONS = {
    "team": "The team of a manager on the cut-off date: persons active on that date (contract started, "
    "not ended) who report directly to the manager.",
    "line": "The reporting line of a manager on the cut-off date: persons active on that date below the manager "
    "through the chain of who reports to whom, followed through everyone in the roster snapshot (a chain holds through a "
    "supervisor who has left); for a chief of mission, everyone active in the mission but the chief.",
    "line_coverage": "The same as team coverage over the manager's whole reporting line, which is large enough to "
    "report for most managers. Green from the {cov_green:.0%} target, amber from {cov_amber:.0%}, red below.",
    "team_coverage": "Team members who completed the mandatory PSEA course in the last {validity_months} calendar months, "
    "divided by the team. Green from the {cov_green:.0%} target, amber from {cov_amber:.0%}, red below.",
    "team_induction_30d": "Team members who joined in the 12 months up to the cut-off (at least {window} days before it) "
    "and completed the PSEA induction module within {window} days either side of their start, divided by those joiners. "
    "Green from {ind_green:.0%}, amber from {ind_amber:.0%}, red below; no joiners: no data.",
    "own_training_current": "The manager completed the mandatory PSEA course in the last {validity_months} calendar "
    "months: green if yes, red if no.",
    "mission_staff_sessions": "Chiefs of mission only: the mission's staff awareness sessions held in the 12 months up "
    "to the cut-off. Red when the mission is flagged as an audit risk, green otherwise.",
    "contract_clause_rate": "Chiefs of mission only: the mission's contracts signed in the 12 months up to the cut-off "
    "with the PSEA clause, divided by all its contracts signed then. Green at {cl_green:.0%}, amber from "
    "{cl_amber:.0%}, red below; no contracts signed: no data.",
    "appraisal_rating": "The PSEA indicator of the manager's appraisal for the year of the cut-off, or the latest "
    "earlier year available (its year is shown). Met green, partially met amber, not met red.",
}


def _cfg() -> dict:
    return settings()["indicators"]


def thresholds() -> dict:
    """The thresholds in force, as the page shows them."""
    cfg, coverage = _cfg(), training.coverage_bounds()  # coverage: the one set of bounds
    return {
        "validity_months": int(cfg["validity_months"]),
        "window": int(cfg["induction_window_days"]),
        "minimum_team_size": int(cfg["minimum_team_size"]),
        "cov_green": coverage.target,
        "cov_amber": coverage.amber,
        "ind_green": float(cfg["induction"]["green"]),
        "ind_amber": float(cfg["induction"]["amber"]),
        "cl_green": float(cfg["contract_clause"]["green"]),
        "cl_amber": float(cfg["contract_clause"]["amber"]),
    }


def definition(name: str) -> str:
    return DEFINITIONS[name].format(**thresholds())


def _band(value: pl.Expr, green: float, amber: float) -> pl.Expr:
    return (
        pl.when(value.is_null())
        .then(pl.lit("no data"))
        .when(value >= green)
        .then(pl.lit("green"))
        .when(value >= amber)
        .then(pl.lit("amber"))
        .otherwise(pl.lit("red"))
    )


MAX_LINE_DEPTH = 64  # levels of a reporting line walked below a manager


def scorecard(
    con, on: dt.date, entity: str | None = None, manager: str | None = None
) -> pl.DataFrame:
    """Exact figures, one row per manager (roster is_manager) active on `on`: each indicator's value,
    numerator, denominator and status. Rates are fractions; null where there is no denominator or
    the indicator does not apply to the role (status says which). One entity's managers are its
    rows of every entity's scorecard (teams, lines, missions and sessions are within an entity),
    and so is one manager's: computed once per date for all (memoised and kept)."""
    every = _scorecard_of_every_entity(con, on)
    if entity is not None:
        every = every.filter(pl.col("entity") == entity)
    return every if manager is None else every.filter(pl.col("person_ref") == manager)


@per_load_state
def _scorecard_of_every_entity(con, on: dt.date) -> pl.DataFrame:
    return scorecard_counted(con, on, None, None)


def scorecard_counted(con, on: dt.date, entity: str | None, manager: str | None) -> pl.DataFrame:
    """The scorecard of one entity (None: all), or of one manager, in SQL."""
    t = thresholds()
    months, window = t["validity_months"], t["window"]
    frame = con.sql(
        f"""
        with recursive active as (
            select * from roster_at($on)
            where (contract_end is null or contract_end >= $on) and ($entity is null or entity = $entity)
        ),
        managers as (select * from active where is_manager and ($manager is null or person_ref = $manager)),
        team as (
            select a.* from active a
            join managers m on a.entity = m.entity and a.manager_ref = m.person_ref
        ),
        snapshot as (
            select entity, person_ref, manager_ref from roster_at($on)
            where $entity is null or entity = $entity
        ),
        below(entity, top, person_ref, depth) as (
            select s.entity, s.manager_ref, s.person_ref, 1 from snapshot s
            semi join managers m on m.entity = s.entity and m.person_ref = s.manager_ref
            -- `union all`: a roster has no management cycles (its contract's rule no_cycles, per
            -- file; an entity's line is walked in one snapshot), so every (top, person) comes
            -- once; the depth bound stops the walk all the same (1.7x faster than `union`)
            union all
            select b.entity, b.top, s.person_ref, b.depth + 1 from below b
            join snapshot s on s.entity = b.entity and s.manager_ref = b.person_ref
            where b.depth < {MAX_LINE_DEPTH}
        ),
        line as (
            select b.entity, b.top as manager_ref, b.person_ref from below b
            join managers m on m.entity = b.entity and m.person_ref = b.top
            semi join active a on a.entity = b.entity and a.person_ref = b.person_ref
            where m.role <> 'chief_of_mission' and b.person_ref <> b.top
            union all
            select m.entity, m.person_ref, a.person_ref from managers m
            join active a on a.entity = m.entity and a.mission = m.mission and a.person_ref <> m.person_ref
            where m.role = 'chief_of_mission'
        ),
        people as (
            select entity, person_ref from team union select entity, person_ref from line
            union select entity, person_ref from managers
        ),
        mandatory as (
            select distinct tr.entity, tr.person_ref from training_at($on) tr
            semi join people p on p.entity = tr.entity and p.person_ref = tr.person_ref
            where tr.course = 'psea_mandatory' and tr.completed_on > $on - interval {months} month
        ),
        joiners as (
            select * from team
            where contract_start > $on - interval 12 month and contract_start <= $on - interval {window} day
        ),
        inducted as (
            select distinct j.entity, j.person_ref from joiners j join training_at($on) tr using (entity, person_ref)
            where tr.course = 'induction_psea'
              and tr.completed_on between j.contract_start - interval {window} day
                                      and j.contract_start + interval {window} day
        ),
        team_figures as (
            select t.entity, t.manager_ref as person_ref, count(*)::bigint as team_size,
                   count(c.person_ref)::bigint as team_covered,
                   count(j.person_ref)::bigint as team_joiners, count(i.person_ref)::bigint as team_inducted
            from team t
            left join mandatory c using (entity, person_ref)
            left join joiners j using (entity, person_ref)
            left join inducted i using (entity, person_ref)
            group by all
        ),
        line_figures as (
            select l.entity, l.manager_ref as person_ref, count(*)::bigint as line_size,
                   count(c.person_ref)::bigint as line_covered
            from line l left join mandatory c using (entity, person_ref)
            group by all
        ),
        staff_sessions as (
            select entity, mission, count(*)::bigint as sessions from awareness_sessions_at($on)
            where audience = 'staff' and held_on > $on - interval 12 month group by all
        ),
        signed as (
            select entity, mission, count(*) filter (where psea_clause)::bigint as with_clause,
                   count(*)::bigint as signed
            from contracts_at($on) where signed_on > $on - interval 12 month group by all
        ),
        rating as (
            select entity, person_ref, max(year) as appraisal_year,
                   arg_max(psea_indicator, year) as appraisal_rating
            from appraisals_at($on) group by all
        )
        select m.entity, m.mission, coalesce(r.region, 'unknown') as region, m.person_ref, m.role,
               coalesce(tf.team_size, 0)::bigint as team_size,
               coalesce(tf.team_covered, 0)::bigint as team_covered,
               coalesce(tf.team_joiners, 0)::bigint as team_joiners,
               coalesce(tf.team_inducted, 0)::bigint as team_inducted,
               coalesce(lf.line_size, 0)::bigint as line_size,
               coalesce(lf.line_covered, 0)::bigint as line_covered,
               (own.person_ref is not null) as own_training_current,
               coalesce(ss.sessions, 0)::bigint as mission_staff_sessions,
               coalesce(sg.with_clause, 0)::bigint as contracts_with_clause,
               coalesce(sg.signed, 0)::bigint as contracts_signed,
               ap.appraisal_year::integer as appraisal_year, ap.appraisal_rating
        from managers m
        left join ref_missions r on r.code = m.mission
        left join team_figures tf using (entity, person_ref)
        left join line_figures lf using (entity, person_ref)
        left join mandatory own using (entity, person_ref)
        left join staff_sessions ss on ss.entity = m.entity and ss.mission = m.mission
        left join signed sg on sg.entity = m.entity and sg.mission = m.mission
        left join rating ap using (entity, person_ref)
        order by m.entity, m.mission, m.role, m.person_ref
        """,
        params={"on": on, "entity": entity, "manager": manager},
    ).pl()
    risk = training.audit_risk(con, on, entity).select(
        "entity", "mission", pl.col("flagged").alias("mission_audit_risk"), "reason"
    )
    chief = pl.col("role") == "chief_of_mission"
    frame = frame.join(risk, on=["entity", "mission"], how="left").with_columns(
        pl.col("mission_audit_risk").fill_null(False)
    )
    return (
        frame.with_columns(
            (pl.col("team_covered") / pl.col("team_size").replace(0, None)).alias("team_coverage"),
            (pl.col("line_covered") / pl.col("line_size").replace(0, None)).alias("line_coverage"),
            (pl.col("team_inducted") / pl.col("team_joiners").replace(0, None)).alias(
                "team_induction_30d"
            ),
            pl.when(chief)
            .then(pl.col("contracts_with_clause") / pl.col("contracts_signed").replace(0, None))
            .alias("contract_clause_rate"),
            pl.when(chief).then(pl.col("mission_staff_sessions")).alias("mission_staff_sessions"),
            pl.when(chief).then(pl.col("reason")).alias("mission_risk_reason"),
        )
        .with_columns(
            _band(pl.col("team_coverage"), t["cov_green"], t["cov_amber"]).alias(
                "team_coverage_status"
            ),
            _band(pl.col("line_coverage"), t["cov_green"], t["cov_amber"]).alias(
                "line_coverage_status"
            ),
            _band(pl.col("team_induction_30d"), t["ind_green"], t["ind_amber"]).alias(
                "team_induction_30d_status"
            ),
            pl.when(pl.col("own_training_current"))
            .then(pl.lit("green"))
            .otherwise(pl.lit("red"))
            .alias("own_training_current_status"),
            pl.when(~chief)
            .then(pl.lit("not applicable"))
            .when(pl.col("mission_audit_risk"))
            .then(pl.lit("red"))
            .otherwise(pl.lit("green"))
            .alias("mission_staff_sessions_status"),
            pl.when(~chief)
            .then(pl.lit("not applicable"))
            .otherwise(_band(pl.col("contract_clause_rate"), t["cl_green"], t["cl_amber"]))
            .alias("contract_clause_rate_status"),
            pl.col("appraisal_rating")
            .replace_strict(
                {
                    "met": "green",
                    "partially_met": "amber",
                    "not_met": "red",
                    "not_rated": "no data",
                },
                default="no data",
            )
            .alias("appraisal_rating_status"),
        )
        .drop("reason")
    )


RED_NOTES = {
    "team_coverage": "team coverage red",
    "team_induction_30d": "team induction red",
    "own_training_current": "own training not current",
    "mission_staff_sessions": "mission flagged as audit risk",
    "contract_clause_rate": "contract clauses red",
}
EVIDENCE = ("team_coverage", "team_induction_30d", "own_training_current", *CHIEF_ONLY)


def with_evidence_note(frame: pl.DataFrame) -> pl.DataFrame:
    """The comparison an appraisal reviewer needs: the rating next to the red evidence (or a
    'not met' rating against all-green evidence)."""
    reds = pl.concat_list(
        [
            pl.when(pl.col(f"{name}_status") == "red").then(pl.lit(RED_NOTES[name]))
            for name in EVIDENCE
        ]
    ).list.drop_nulls()
    greens = pl.all_horizontal(
        [
            pl.col(f"{name}_status").is_in(["green", "not applicable", "no data", "too small"])
            for name in EVIDENCE
        ]
    )
    rating = (
        pl.when(pl.col("appraisal_rating") == "not_rated")
        .then(pl.lit("not rated"))
        .otherwise(pl.lit("rated ") + pl.col("appraisal_rating").str.replace("_", " "))
    )
    note = (
        pl.when(pl.col("appraisal_rating").is_null())
        .then(pl.lit("no appraisal on record"))
        .when((pl.col("appraisal_rating") == "met") & (reds.list.len() > 0))
        .then(pl.lit("rated met; ") + reds.list.join(", "))
        .when((pl.col("appraisal_rating") == "not_met") & greens)
        .then(pl.lit("rated not met; evidence green"))
        .when(reds.list.len() > 0)
        .then(rating + pl.lit("; ") + reds.list.join(", "))
        .otherwise(rating + pl.lit("; consistent with the evidence"))
    )
    mismatch = ((pl.col("appraisal_rating") == "met") & (reds.list.len() > 0)) | (
        (pl.col("appraisal_rating") == "not_met") & greens
    )
    return frame.with_columns(note.alias("evidence_note"), mismatch.alias("rating_vs_evidence"))


TEAM_FIGURES = (
    "team_size",
    "team_covered",
    "team_coverage",
    "team_joiners",
    "team_inducted",
    "team_induction_30d",
)
LINE_FIGURES = ("line_size", "line_covered", "line_coverage")


def _withhold_small(frame: pl.DataFrame, group: str, figures: tuple[str, ...]) -> pl.DataFrame:
    """`group` ('team' or 'line') below the minimum size: its figures withheld, its rates' status
    "too small", and `{group}_too_small` set."""
    size = pl.col(f"{group}_size")
    small = (size > 0) & (size < thresholds()["minimum_team_size"])  # none at all is "no data"
    rates = [c for c in figures if f"{c}_status" in frame.columns]
    return frame.with_columns(
        small.alias(f"{group}_too_small"),
        *[pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in figures],
        *[
            pl.when(small)
            .then(pl.lit("too small"))
            .otherwise(pl.col(f"{c}_status"))
            .alias(f"{c}_status")
            for c in rates
        ],
    )


def publish(frame: pl.DataFrame, exact: bool) -> pl.DataFrame:
    """The scorecard as a role may see it: without exact access, a team (or a reporting line)
    below the minimum size has its figures withheld ("team too small to report")."""
    if exact:
        return with_evidence_note(
            frame.with_columns(
                pl.lit(False).alias("team_too_small"), pl.lit(False).alias("line_too_small")
            )
        )
    frame = _withhold_small(frame, "team", TEAM_FIGURES)
    return with_evidence_note(_withhold_small(frame, "line", LINE_FIGURES))


def colour_counts(published: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Managers per status colour of each indicator, in total or per mission/region/entity."""
    keys = [by] if by else []
    long = published.select(
        *keys,
        *[pl.col(f"{name}_status").alias(name) for name in INDICATORS],
    ).unpivot(index=keys, variable_name="indicator", value_name="status")
    return (
        long.group_by([*keys, "indicator", "status"])
        .len("managers")
        .with_columns(pl.col("indicator").replace_strict(INDICATORS).alias("indicator"))
        .sort([*keys, "indicator", "status"])
    )


def summary(published: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Managers per colour of each indicator (the SFP brief's 'managers' indicator summary')."""
    out: dict[str, dict[str, int]] = {}
    for name, label in INDICATORS.items():
        counts = published[f"{name}_status"].value_counts()
        out[label] = {s: int(n) for s, n in counts.iter_rows()}
    return out


def trend(con, person_ref: str, entity: str | None, dates: list[dt.date]) -> pl.DataFrame:
    """One manager's indicators at each date (the manager's card)."""
    frames = [
        scorecard(con, d, entity, manager=person_ref).with_columns(pl.lit(d).alias("date"))
        for d in dates
    ]
    frames = [f for f in frames if f.height]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

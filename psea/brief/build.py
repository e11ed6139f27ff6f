"""The brief's content, one function per part, from the meeting's release."""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_contracts.reference import reference_frame
from psea import charts
from psea.brief.model import Brief, Figure, Headline, ProgressReport, Section, Table
from psea.brief.points import points_for_the_meeting
from psea.disclosure import grid
from psea.disclosure.figures import (
    PublishedFigures,
    Shown,
    former_rule_overdue,
    open_case_ages,
    overdue_cases,
    rate,
    urgent_within_aim,
)
from psea.disclosure.published import ensure
from psea.headlines import HEADLINES, headcounts, side_by_side
from psea.metrics import Period, catalog, managers, personnel, progress, timeliness, training
from psea.settings import suppression_k


def meeting_period(con, meeting_date: dt.date) -> tuple[grid.GridPeriod, str, bool]:
    """The meeting's grid period (the complete quarters since the previous calendar meeting), its
    title, and whether the date is outside the calendar."""
    calendar = catalog.meetings(con)
    match = calendar.filter(pl.col("meeting_date") == meeting_date)
    title = (
        match["title"][0]
        if match.height
        else f"Ad-hoc PSEA Senior Focal Points meeting, {meeting_date.isoformat()}"
    )
    return grid.meeting(meeting_date, calendar["meeting_date"].to_list()), title, match.height == 0


def _change(now: Shown, before: Shown | None, lengths: tuple[int, int]) -> str:
    if before is None:
        return "no earlier period"
    if now.published and before.published and lengths[0] != lengths[1]:
        return f"not compared ({_quarters(lengths[0])} against {_quarters(lengths[1])})"
    if now.published and before.published:
        return f"{now.value - before.value:+,}"
    return "not compared (" + (now.label if not now.published else before.label) + ")"


def _quarters(n: int) -> str:
    return f"{n} quarter" + ("s" if n != 1 else "")


def _headlines(figures: PublishedFigures, previous: PublishedFigures | None) -> list[Headline]:
    """The headline counts against the previous meeting period; counts of periods of different
    lengths (5 quarters against 1) are not compared, nor raised as points for the meeting."""
    lengths = (
        len(figures.period.quarters),
        len(previous.period.quarters) if previous else 0,
    )
    same_length = lengths[0] == lengths[1]
    out = []
    for h in HEADLINES:
        now, before = h.shown(figures), h.shown(previous) if previous else None
        value = now.label
        if h.denominator and now.published and h.whole(figures).published:
            value = f"{now.label} of {h.whole(figures).label}"
        out.append(
            Headline(
                h.label,
                value,
                before.label if before else "no earlier period",
                _change(now, before, lengths),
                h.definition,
                now.value,
                before.value if before else None,
                now.published and bool(before and before.published) and same_length,
            )
        )
    stat = figures.statistic("investigation_duration")
    stat_before = previous.statistic("investigation_duration") if previous else None
    both = not stat.withheld and stat_before is not None and not stat_before.withheld
    out.append(
        Headline(
            "Median investigation duration",
            stat.label(),
            stat_before.label() if stat_before else "n/a",
            f"{stat.median - stat_before.median:+,.0f} days"
            if both and stat.median is not None and stat_before.median is not None
            else "not compared",
            "Days from investigation opened to completed, findings of the period (withheld below K).",
            stat.median if both else None,
            stat_before.median if both else None,
            both,
            "days",
        )
    )
    return out


def _personnel_headlines(
    con, period: Period, previous_end: dt.date | None, entity
) -> tuple[list[Headline], dict]:
    cov = training.mandatory_coverage(con, period.end, entity).row(0, named=True)
    before_day = previous_end or period.start
    cov_before = training.mandatory_coverage(con, before_day, entity).row(0, named=True)
    pct = lambda r: f"{r['coverage']:.1%}" if r["coverage"] is not None else "no data"  # noqa: E731
    risk = training.audit_risk(con, period.end, entity)
    risk_before = training.audit_risk(con, before_day, entity)
    flagged, flagged_before = int(risk["flagged"].sum()), int(risk_before["flagged"].sum())
    delta = (
        f"{(cov['coverage'] - cov_before['coverage']) * 100:+.1f} points"
        if cov["coverage"] is not None and cov_before["coverage"] is not None
        else "n/a"
    )
    rows = [
        Headline(
            "Mandatory coverage at the end of the period",
            pct(cov),
            pct(cov_before),
            delta,
            training.definition("mandatory_coverage")
            + f" At the end of the period: {cov['covered']:,} of {cov['active']:,}.",
            cov["coverage"],
            cov_before["coverage"],
            True,
            "%",
        ),
        Headline(
            "Missions flagged as audit risks",
            f"{flagged:,} of {risk.height:,}",
            f"{flagged_before:,} of {risk_before.height:,}",
            f"{flagged - flagged_before:+,}",
            training.definition("audit_risk"),
            flagged,
            flagged_before,
            True,
        ),
    ]
    return rows, {"risk": risk, "risk_before": risk_before, "coverage": cov}


def _reports(con, meeting: dt.date, scopes: list[str]) -> list[ProgressReport]:
    """Each entity's progress report for the meeting, as written in the meeting workspace."""
    return [
        ProgressReport(
            entity,
            progress.report(con, meeting, entity),
            "key_messages" not in progress.written(con, meeting, entity),
            progress.action_points(con, meeting, entity).filter(
                ~pl.col("status").is_in(progress.CLOSED) | pl.col("closed_here")
            ),
        )
        for entity in scopes
    ]


def _trend_section(con, figures: PublishedFigures, k: int) -> Section:
    trend = figures.trend("allegations", 12)
    return Section(
        "Allegations over the last three years",
        [
            "Allegations received per quarter; a quarter past an entity's data is 'not yet reported'."
        ],
        figures=[
            Figure(
                "Allegations received per quarter, with the milestones of the PSEA work",
                charts.quarterly_trend(
                    trend.with_columns(pl.col("suppressed") | pl.col("not_reported")),
                    catalog.milestones(con),
                    title="Allegations received per quarter",
                    k=k,
                ),
            )
        ],
    )


def _status_section(figures: PublishedFigures) -> Section:
    status = figures.breakdown("allegations", "status")
    tables = []
    if not status.is_empty():
        tables.append(
            Table(
                "Cases received in the period, by status at the cut-off",
                status.select(pl.col("group").alias("status"), pl.col("shown").alias("cases")),
            )
        )
    return Section(
        "Cases received since the previous meeting",
        [
            "Status at the cut-off of the cases received in the period. 'Substantiated' here counts "
            "the period's allegations found substantiated by the cut-off; the headline counts "
            "investigations completed in the period, whenever the allegation was received. "
            "Open and overdue cases, whatever the date received, are in the next part.",
        ],
        tables=tables,
    )


def _timeliness_section(figures: PublishedFigures) -> Section:
    """Case status and timeliness (docs/indicators.md, "Timeliness of case handling"): the open
    cases by stage and age at the date of the data, outcomes against six months, urgent cases
    against three, and victim assistance with its denominators; all from the release."""
    t = timeliness.thresholds()
    open_cases = figures.stock("open_cases")
    urgency = urgent_within_aim(figures)
    outcomes = figures.count("outcomes")
    victims = figures.count("victims")

    def row(label: str, part: Shown, whole: Shown | None = None, median: str = "") -> dict:
        return {
            "figure": label,
            "count": part.label,
            "out of": whole.label if whole is not None else "",
            "share": rate(part, whole) if whole is not None else "",
            "median": median,
        }

    waiting = figures.statistic("days_waiting_for_needs_assessment")
    rows = [
        row("Open cases at the date of the data", open_cases),
        row(
            f"Overdue: open more than {t['overdue']} days since received, any stage",
            overdue_cases(figures),
            open_cases,
        ),
        row(
            f"Former rule: investigations open more than {t['overdue']} days since opened",
            former_rule_overdue(figures),
        ),
        row(
            f"Outcomes of the period within {t['long']} days of receipt",
            figures.count("outcomes", "receipt_to_outcome", f"within_{t['long']}_days"),
            outcomes,
            figures.statistic("time_to_outcome").label(),
        ),
        row(f"Urgent investigations (a child victim) within {t['short']} days", *urgency["urgent"]),
        row(f"Other investigations within {t['long']} days", *urgency["other"]),
        row(
            "Victims whose needs were assessed",
            figures.count("victims", "needs_assessed", "yes"),
            victims,
        ),
        row(
            "Victims with at least one service provided",
            figures.count("victims", "assisted", "yes"),
            victims,
        ),
        row(
            "Victims still waiting for a needs assessment",
            figures.count("victims", "needs_assessed", "no"),
            victims,
            waiting.label(),
        ),
        row("Victims who declined a service", figures.count("victims", "declined", "yes"), victims),
    ]
    return Section(
        "Case status and timeliness",
        [
            f"Open cases as they stand at the date of each entity's case data "
            f"({figures.stock_as_of()}), whatever the period; the other figures are those of the "
            f"period. The UN aims at {t['long']} days at most from receipt to outcome, "
            f"{t['short']} for the most urgent cases. Victims are those of the allegations "
            "received in the period, as they stand at the cut-off; 'median days' for those still "
            "waiting counts the days since the allegation was received.",
            "The former overdue rule counted only investigations open too long since they were "
            "opened; it is kept for comparison with the rule in force, which counts every open "
            "case from the day it was received.",
            *(
                f"{label}: {timeliness.definition(name)}"
                for label, name in (
                    ("Open cases", "open_case_age"),
                    ("Outcomes", "time_to_outcome"),
                    ("Urgent cases", "urgent_investigations"),
                    ("Victims", "victim_assistance"),
                )
            ),
        ],
        tables=[
            Table("Timeliness of case handling", pl.DataFrame(rows)),
            Table(
                f"Open cases by stage and days since received ({figures.stock_as_of()})",
                open_case_ages(figures),
            ),
        ],
    )


def _training_section(con, period: Period, entity: str | None) -> Section:
    ind = training.induction_within_window(con, period, entity).row(0, named=True)
    by_region = training.mandatory_coverage(con, period.end, entity, by="region")
    completions = training.completions_by_course(con, period, entity)
    cbcm = training.cbcm_trainings(con, period)
    text = lambda col, fmt: pl.col(col).map_elements(fmt.format, return_dtype=pl.String)  # noqa: E731
    tables = [
        Table(
            "Mandatory PSEA coverage at the end of the period, by region",
            by_region.select(
                "region",
                text("covered", "{:,}"),
                text("active", "{:,}"),
                text("coverage", "{:.1%}"),
            ),
        ),
        Table(
            "Course completions in the period",
            completions.select("course", text("completions", "{:,}")),
        ),
    ]
    if cbcm.height:
        tables.append(
            Table(
                "CBCM trainings in the period",
                cbcm.with_columns(
                    pl.col(pl.Boolean).replace_strict(
                        {True: "Yes", False: "No"}, return_dtype=pl.String
                    )
                ).select(pl.all().cast(pl.String)),
            )
        )
    return Section(
        "Training",
        [
            "Mandatory coverage (defined under the headline figures) by region at the end of the "
            "period; course completions in the period.",
            "Induction within "
            f"{training.induction_window_days()} days: "
            + (
                f"{ind['inducted']:,} of {ind['joiners']:,} personnel who joined in the period "
                f"({ind['inducted'] / ind['joiners']:.0%}). "
                if ind["joiners"]
                else "no one joined in the period. "
            )
            + training.definition("induction_30d"),
            "CBCM (community-based complaint mechanism) trainings in the period: "
            + (
                f"{cbcm.height} responses in {cbcm['country'].n_unique()} countries."
                if cbcm.height
                else "none recorded."
            ),
        ],
        tables=tables,
        figures=[
            Figure(
                "Mandatory PSEA coverage by region at the end of the period",
                charts.breakdown_bars(
                    by_region.rename({"coverage": "coverage_share"}),
                    "region",
                    "coverage_share",
                    title="Mandatory coverage by region",
                ),
            )
        ],
    )


def _risk_section(
    con, period: Period, entity: str | None, risk: pl.DataFrame, before: pl.DataFrame
) -> Section:
    key = ["entity", "mission"]
    was = before.filter(pl.col("flagged")).select(key).with_columns(pl.lit(False).alias("new"))
    names = reference_frame("missions").select(pl.col("code").alias("mission"), "name")
    flagged = (
        risk.filter(pl.col("flagged"))
        .join(was, on=key, how="left")
        .join(names, on="mission", how="left")
        .with_columns(pl.col("new").fill_null(True))
        .sort(["new", "entity", "name"], descending=[True, False, False])
    )
    published = managers.publish(managers.scorecard(con, period.end, entity), exact=False)
    colours = managers.colour_counts(published)
    present = colours["status"].unique().to_list()
    colour_table = (
        colours.pivot(on="status", index="indicator", values="managers")
        .fill_null(0)
        .select("indicator", *[s for s in managers.STATUSES if s in present])
    )
    return Section(
        "Missions flagged as audit risks, and managers' indicators",
        [
            f"{flagged.height} missions flagged at the end of the period (the rule is under the "
            f"headline figures), {int(flagged['new'].sum())} of them newly since the end of the "
            "previous period, listed first; staff sessions count the last two complete quarters. "
            f"Managers' PSEA indicators ({published.height:,} managers), counted per status colour.",
        ],
        tables=[
            Table(
                "Missions flagged as audit risks",
                flagged.select(
                    *(["entity"] if entity is None else []),
                    pl.concat_str(
                        pl.col("name").fill_null(pl.col("mission")),
                        pl.lit(" ("),
                        "mission",
                        pl.lit(")"),
                    ).alias("mission"),
                    pl.col("new").replace_strict({True: "Yes", False: "No"}).alias("newly flagged"),
                    pl.col("staff_sessions").cast(pl.String).alias("staff sessions"),
                    pl.col("coverage").map_elements(lambda v: f"{v:.1%}", return_dtype=pl.String),
                    "reason",
                ),
            ),
            Table(
                "Managers per status colour of each indicator",
                colour_table.with_columns(
                    pl.exclude("indicator").map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
                ),
            ),
        ],
        figures=[
            Figure(
                "Managers per status colour of each indicator",
                charts.status_bars(colours, title="Managers per colour"),
            )
        ],
    )


def build_brief(
    con,
    meeting_date: dt.date,
    entity: str | None = None,
    actor: str = "brief",
    role: str | None = None,
) -> Brief:
    """The brief for the meeting on `meeting_date`, for one entity or (None) all entities."""
    k = suppression_k()
    grid_period, meeting_title, ad_hoc = meeting_period(con, meeting_date)
    release = ensure(con, actor, role, meeting_date)
    if release is None:
        raise ValueError(f"no case data as of {meeting_date.isoformat()}: nothing to brief on")
    figures = PublishedFigures(release, grid_period, entity)
    previous = figures.previous()
    period = grid_period.period if grid_period.quarters else Period(meeting_date, meeting_date)
    headlines = _headlines(figures, previous)
    extra_rows, extra = _personnel_headlines(
        con, period, previous.period.end if previous else None, entity
    )
    headlines += extra_rows
    scopes = [entity] if entity else release.scopes
    not_reported = [
        e
        for e in scopes
        if grid_period.quarters
        and grid.quarter_first_day(grid_period.quarters[-1]) > release.reported_through(e)
    ]
    sections = [
        _trend_section(con, figures, k),
        _status_section(figures),
        _timeliness_section(figures),
        _training_section(con, period, entity),
        _risk_section(con, period, entity, extra["risk"], extra["risk_before"]),
    ]
    return Brief(
        title=(
            f"Brief for the PSEA Senior Focal Points meeting of {meeting_date.isoformat()}"
            if entity
            else "The Champion's report to the IASC Principals: PSEA Senior Focal Points meeting "
            f"of {meeting_date.isoformat()}"
        ),
        meeting=meeting_date,
        meeting_title=meeting_title,
        ad_hoc=ad_hoc,
        period=period,
        grid_period=grid_period,
        previous_period=previous.period if previous else None,
        entity=entity,
        k=k,
        release_id=release.release_id,
        coverage={e: d for e, d in release.coverage.items() if e in scopes},
        not_reported=not_reported,
        loads=catalog.loads_read_at(con, release.cutoff, entity),
        headlines=headlines,
        by_entity=side_by_side(
            figures,
            release.scopes,
            headcounts(personnel.personnel(con, period.end), release.scopes),
        )
        if entity is None
        else None,
        points=points_for_the_meeting(
            headlines, extra, overdue_cases(figures).label, k, bool(not_reported)
        ),
        sections=sections,
        generated_at=dt.datetime.now(dt.UTC),
        minimum_team=int(managers.thresholds()["minimum_team_size"]),
        reports=_reports(con, meeting_date, scopes),
        personnel_as_of={
            e: d for e, d in catalog.personnel_data_as_of(con, period.end).items() if e in scopes
        },
    )

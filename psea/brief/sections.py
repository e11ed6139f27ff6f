"""The brief's figures annex, one function per section: the three-year trend, case status and
timeliness, training, audit-risk missions and the managers' indicators."""

from __future__ import annotations

import polars as pl

from data_contracts.reference import reference_frame
from psea.brief.model import Figure, Section, Table
from psea.disclosure.figures import (
    PublishedFigures,
    Shown,
    former_rule_overdue,
    open_case_ages,
    overdue_cases,
    rate,
    urgent_within_aim,
)
from psea.metrics import Period, catalog, managers, timeliness, training
from psea.present import charts


def trend_section(con, figures: PublishedFigures, k: int) -> Section:
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


def status_section(figures: PublishedFigures) -> Section:
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


def timeliness_section(figures: PublishedFigures) -> Section:
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


def training_section(con, period: Period, entity: str | None) -> Section:
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


def risk_section(
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

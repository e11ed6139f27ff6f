"""The brief's figures annex, one function per section: the three-year trend, case status and
timeliness, training, audit-risk missions and the managers' indicators."""

from __future__ import annotations

import polars as pl

from psea.brief.model import Figure, Section, Table
from psea.disclosure.figures import (
    PublishedFigures,
    Shown,
    former_rule_overdue,
    open_case_ages,
    overdue_of_open,
    rate,
    urgent_within_aim,
)
from psea.metrics import Period, catalog, managers, timeliness, training
from psea.present import charts
from psea.present.audit_risk import at_risk, newly_flagged, risk_table, small_missions


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

    def row(label: str, part: Shown, whole: Shown | None = None, median: str = "") -> dict:
        return {
            "figure": label,
            "count": part.label,
            "out of": whole.label if whole is not None else "",
            "share": rate(part, whole) if whole is not None else "",
            "median": median,
            # all entities: those the figure rests on, when some do not report it
            "entities": part.note or (whole.note if whole is not None else ""),
        }

    waiting = figures.statistic("days_waiting_for_needs_assessment")
    rows = [
        row("Open cases at the date of the data", open_cases),
        row(
            f"Overdue: open more than {t['overdue']} days since received, any stage",
            overdue_of_open(figures),
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
            figures.covered("victims", "needs_assessed", "yes"),
        ),
        row(
            "Victims with at least one service provided",
            figures.count("victims", "assisted", "yes"),
            figures.covered("victims", "assisted", "yes"),
        ),
        row(
            "Victims still waiting for a needs assessment",
            figures.count("victims", "needs_assessed", "no"),
            figures.covered("victims", "needs_assessed", "no"),
            waiting.label(),
        ),
        row(
            "Victims who declined a service",
            figures.count("victims", "declined", "yes"),
            figures.covered("victims", "declined", "yes"),
        ),
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
            Table(
                "Timeliness of case handling",
                pl.DataFrame(rows).select(  # the entities column only where some do not report
                    pl.all() if any(r["entities"] for r in rows) else pl.exclude("entities")
                ),
            ),
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


TOP_RISKS = 10  # the brief lists the missions most at risk; the rest go to the annex


def risk_lists(
    risk: pl.DataFrame, before: pl.DataFrame, with_entity: bool
) -> tuple[str, Table, Section]:
    """The audit rule's missions for the brief (psea.metrics.training.audit_risk now and at the
    previous period's end): a sentence, the ten most at risk, and the annex listing the others
    and, apart, the missions below the minimum headcount."""
    marked = newly_flagged(risk, before)
    larger, small = at_risk(marked), small_missions(marked)
    minimum = training.coverage_bounds().minimum_headcount
    rest = larger.height - min(larger.height, TOP_RISKS)
    sentence = (
        f"{larger.height} missions of {minimum} or more personnel flagged at the end of the "
        f"period, {int(larger['new'].sum())} of them newly since the end of the previous period "
        "('New' in the tables); "
        f"{small.height} smaller missions flagged are listed apart in the annex."
    )
    top = Table(
        f"The {min(larger.height, TOP_RISKS)} missions most at risk"
        + (f" (the other {rest} in the annex)" if rest else ""),
        risk_table(larger.head(TOP_RISKS), with_entity),
    )
    annex = Section(
        "Annex: every mission flagged as an audit risk",
        [
            "The missions flagged at the end of the period beyond the ten most at risk, then "
            f"the missions of fewer than {minimum} personnel, where one person moves the "
            "coverage by several points.",
        ],
        tables=[
            Table(
                f"Missions ranked {TOP_RISKS + 1} and below",
                risk_table(larger.slice(TOP_RISKS), with_entity),
            ),
            Table(f"Missions of fewer than {minimum} personnel", risk_table(small, with_entity)),
        ],
        new_page=True,
    )
    return sentence, top, annex


def risk_section(
    con, period: Period, entity: str | None, risk: pl.DataFrame, before: pl.DataFrame
) -> tuple[Section, Section]:
    """The missions most at risk and the managers' indicators; and the annex's list of every
    other mission flagged, the small ones apart."""
    sentence, top, annex = risk_lists(risk, before, entity is None)
    published = managers.publish(managers.scorecard(con, period.end, entity), exact=False)
    colours = managers.colour_counts(published)
    present = colours["status"].unique().to_list()
    colour_table = (
        colours.pivot(on="status", index="indicator", values="managers")
        .fill_null(0)
        .select("indicator", *[s for s in managers.STATUSES if s in present])
    )
    section = Section(
        "Missions flagged as audit risks, and managers' indicators",
        [
            sentence + " " + training.definition("audit_risk"),
            training.coverage_bounds().sentence,
            f"Managers' PSEA indicators ({published.height:,} managers), counted per status "
            "colour (the colour named in each column).",
        ],
        tables=[
            top,
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
    return section, annex

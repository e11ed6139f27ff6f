"""The brief's chapters in the order of the agency's progress report (docs/indicators.md, "SFP
meeting brief"): the messages first, then accomplishments, challenges, requests and action points,
then the figures as an annex, and the data sources and the suppression rule at the end.

Every format (psea.brief.render) walks this one list, so DOCX, PDF and Markdown cannot disagree on
what a brief holds or in which order.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from psea.brief.capacity import capacity_sections
from psea.brief.commitments import commitments_section
from psea.brief.model import Brief, ProgressReport, Section, Table
from psea.metrics.progress import CLOSED, PART_TITLES
from psea.present.labels import label

HEADLINE_HEADER = [
    "Figure",
    "This period",
    "Previous period",
    "Per quarter against it",
    "Same quarters a year earlier",
]
NO_POINTS = "No change large enough to raise."
GUIDE_SUGGESTED = (
    "Suggested from the figures of the annex: the focal point has not written this meeting's key "
    "messages in the meeting workspace yet."
)
READING = (
    "Reading the figures: 'suppressed' — fewer than 5, or withheld so that a smaller figure "
    "cannot be worked out; 'not broken down' — too few cases in the period to split them without "
    "revealing a small figure (the total is shown); 'not in the returns' — an entity that sends "
    "quarterly totals does not report this figure, so it and the all-entities figure are not "
    "shown; 'not yet reported' — a quarter past the entity's latest data; 'not compared' — the "
    "two periods differ in length or one figure is withheld."
)
RATE_NOTE = (
    "Rates per 1,000 personnel set each entity's counts against the size of its workforce. More "
    "allegations can mean better reporting (more awareness, more trust in the complaint channels), "
    "not more abuse: read a rise with the reporting and awareness figures beside it."
)


def action_point_table(points: pl.DataFrame) -> pl.DataFrame:
    """Action points as the brief shows them: words, dates and ages as text."""
    return points.select(
        pl.col("raised_at").cast(pl.String).alias("Raised at the meeting of"),
        pl.col("action").alias("Action"),
        pl.col("owner").alias("Owner"),
        pl.when(pl.col("overdue_days").is_not_null())
        .then(
            pl.col("due").cast(pl.String)
            + pl.lit(" (overdue by ")
            + pl.col("overdue_days").cast(pl.String)
            + pl.lit(" days)")
        )
        .otherwise(pl.col("due").cast(pl.String).fill_null("not set"))
        .alias("Due"),
        pl.col("status").map_elements(label, return_dtype=pl.String).alias("Status"),
        pl.col("age_days")
        .map_elements(lambda d: f"{d:,} days", return_dtype=pl.String)
        .alias("Age"),
    )


def _points_sections(
    report: ProgressReport, level: int, parts: tuple[str, ...], suggestions: list[str]
) -> list[Section]:
    """The report's parts, then its action points; unwritten key messages read as the figures'
    suggestions, marked as such."""
    out = []
    for part in parts:
        section = Section(
            PART_TITLES[part],
            items=list(report.parts.get(part, [])),
            level=level,
            empty="None recorded.",
        )
        if part == "key_messages":
            section.numbered = True
            if report.suggested:
                section.paragraphs.append(GUIDE_SUGGESTED)
                section.items = suggestions or [NO_POINTS]
        out.append(section)
    points = report.action_points
    open_points = points.filter(~pl.col("status").is_in(CLOSED))
    closed = points.filter(pl.col("closed_here"))
    tables = [Table("Open action points", action_point_table(open_points))]
    if closed.height:
        tables.append(Table("Closed at this meeting", action_point_table(closed)))
    out.append(
        Section(
            "Action points",
            [
                "Each point keeps the meeting that raised it; open points of earlier meetings are "
                "carried into every later brief until closed. The age counts the days from the "
                "meeting that raised the point to this one."
            ],
            tables=tables,
            level=level,
        )
    )
    return out


def progress_chapters(brief: Brief) -> list[Section]:
    if brief.entity is not None:
        report = brief.reports[0] if brief.reports else None
        if report is None:
            return []
        return [
            *_points_sections(report, 1, tuple(PART_TITLES), list(brief.points)),
            *_commitments(brief, [brief.entity]),
        ]
    out = [
        Section(
            "Key messages from the figures",
            [
                "Suggested from the figures of the annex: victims and cases first, then "
                "prevention, each against its aim and the farthest from it first (at most five). "
                "An entity is named where the figure for all entities is not published."
            ],
            items=list(brief.points) or [NO_POINTS],
            numbered=True,
        ),
        Section(
            "The entities' progress reports",
            [
                "Each entity's key messages, challenges, requests to the IASC Principals and open "
                "action points, as its focal point wrote them for this meeting. Open points of "
                "earlier meetings are carried until closed; their age counts the days from the "
                "meeting that raised them."
            ],
        ),
    ]
    for report in brief.reports:
        out += _entity_report(report)
    out += _commitments(brief, [r.entity for r in brief.reports])
    if brief.capacity is not None:
        out.append(capacity_sections(brief.capacity, brief.previous_meeting)[0])
    return out


def _capacity_annex(brief: Brief) -> list[Section]:
    if brief.capacity is None:
        return []
    annex = capacity_sections(brief.capacity, brief.previous_meeting)[1]
    return [annex] if annex is not None else []


def _commitments(brief: Brief, entities: list[str]) -> list[Section]:
    if brief.commitments is None:
        return []
    return [commitments_section(brief.commitments, entities, brief.previous_meeting is not None)]


def _entity_report(report: ProgressReport) -> list[Section]:
    """One entity in the Champion's report: the parts it wrote and its open action points only."""
    parts = ("key_messages", "challenges", "requests")
    written = [
        p for p in parts if report.parts.get(p) and not (p == "key_messages" and report.suggested)
    ]
    points = report.action_points.filter(~pl.col("status").is_in(CLOSED))
    if not written and points.is_empty():
        return [
            Section(
                report.entity,
                ["No progress report written for this meeting, and no open action point."],
                level=2,
            )
        ]
    out = [Section(report.entity, level=2, empty="")]
    out += [
        Section(PART_TITLES[p], items=list(report.parts[p]), numbered=p == "key_messages", level=3)
        for p in written
    ]
    if points.height:
        out.append(
            Section(
                "Open action points",
                tables=[Table("", action_point_table(points))],  # the section names it
                level=3,
            )
        )
    return out


def headline_frame(brief: Brief) -> pl.DataFrame:
    return pl.DataFrame(
        [[h.label, h.value, h.previous, h.change, h.year_earlier] for h in brief.headlines],
        schema=HEADLINE_HEADER,
        orient="row",
    )


def annex_chapters(brief: Brief) -> list[Section]:
    out = [
        Section(
            "Figures annex",
            [
                f"The figures of the period ({brief.period.label}) against the previous meeting "
                f"period, from the audited release {brief.release_id}. 'Suppressed' cells are "
                "withheld to protect victims; 'not yet reported' marks quarters past an entity's "
                "data, never counted as zero.",
                READING,
            ],
            new_page=True,
        ),
        Section(
            "Headline figures",
            tables=[
                Table(
                    "Headline figures per quarter against the previous meeting period, and "
                    "against the same quarters a year earlier",
                    headline_frame(brief),
                )
            ],
            notes=[f"{h.label}: {h.definition}" for h in brief.headlines],
            level=2,
        ),
    ]
    if brief.by_entity is not None:
        out.append(
            Section(
                "Each entity side by side",
                [
                    "Figures of the period per entity, protected together with their total. One "
                    "rate, whose numerator and denominator match: allegations against the "
                    "entity's own personnel (staff, non-staff and contractors, as the UN groups "
                    "them) per 1,000 of its own personnel at the period's end, from its quarterly "
                    "return, else from its roster. Allegations against implementing partners' "
                    "personnel are counts: their workforce is not known. An entity that sends no "
                    "personnel count has no rate, and the cell says so.",
                    RATE_NOTE,
                ],
                tables=[Table("Each entity's figures of the period", brief.by_entity)],
                level=2,
            )
        )
    if brief.entity is not None and brief.reports and not brief.reports[0].suggested:
        out.append(
            Section(
                "Changes the figures suggest raising",
                ["Generated from the figures, beside the key messages the focal point wrote."],
                items=list(brief.points) or [NO_POINTS],
                numbered=True,
                level=2,
            )
        )
    out += [dataclasses.replace(s, level=2) for s in brief.sections]
    return out


def closing_chapter(brief: Brief) -> Section:
    return Section(
        "Data sources and the suppression rule",
        [
            "The loads (extract files) whose snapshots this brief reads at the cut-off:",
        ],
        tables=[Table("Data used", brief.loads.select(pl.all().cast(pl.String)))],
        notes=[brief.suppression_rule],
        new_page=True,
    )


def chapters(brief: Brief) -> list[Section]:
    return [
        *progress_chapters(brief),
        *annex_chapters(brief),
        *brief.appendix,
        *_capacity_annex(brief),
        closing_chapter(brief),
    ]

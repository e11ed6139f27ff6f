"""The brief's content, one function per part, from the meeting's release: the period, each
entity's progress report, the headlines (psea.brief.headline_table) and the annex (psea.brief.sections)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.brief.aims import case_aims, case_aims_across, prevention_aims
from psea.brief.headline_table import case_headlines, personnel_headlines
from psea.brief.model import Brief, ProgressReport, Section
from psea.brief.points import key_messages
from psea.brief.sections import (
    risk_section,
    status_section,
    timeliness_section,
    training_section,
    trend_section,
)
from psea.disclosure import grid
from psea.disclosure.figures import PublishedFigures
from psea.disclosure.published import ensure
from psea.metrics import Period, capacity, catalog, commitments, managers, personnel, progress
from psea.present.side_by_side import side_by_side
from psea.settings import suppression_k


def meeting_period(con, meeting_date: dt.date) -> tuple[grid.GridPeriod, str, bool]:
    """The meeting's grid period (the complete quarters since the previous calendar meeting, at
    most the last four; for a meeting recorded to the month only, those complete before that
    month), its title, and whether the date is outside the calendar."""
    calendar = catalog.meetings(con)
    match = calendar.filter(pl.col("meeting_date") == meeting_date)
    title = (
        match["title"][0]
        if match.height
        else f"Ad-hoc PSEA Senior Focal Points meeting, {meeting_date.isoformat()}"
    )
    period = grid.meeting(
        meeting_date, calendar["meeting_date"].to_list(), catalog.month_only_meetings(con)
    )
    return period, title, match.height == 0


def data_day(con, meeting_date: dt.date) -> dt.date:
    """The day a meeting's data are read at (a meeting recorded to the month only reads the data
    of before that month)."""
    return grid.effective_day(meeting_date, catalog.month_only_meetings(con))


def previous_meeting(con, meeting_date: dt.date) -> dt.date | None:
    earlier = [d for d in catalog.meeting_dates(con) if d < meeting_date]
    return max(earlier) if earlier else None


def _reports(con, meeting: dt.date, scopes: list[str]) -> list[ProgressReport]:
    """Each entity's progress report for the meeting, as written in the meeting workspace (one
    read of the texts and one of the action points for every entity)."""
    texts = progress.reports(con, meeting, scopes)
    points = progress.action_points(con, meeting, scopes[0] if len(scopes) == 1 else None).filter(
        ~pl.col("status").is_in(progress.CLOSED) | pl.col("closed_here")
    )
    return [
        ProgressReport(
            entity,
            texts[entity][0],
            "key_messages" not in texts[entity][1],
            points.filter(pl.col("entity") == entity),
        )
        for entity in scopes
    ]


def _capped(con, meeting_date: dt.date) -> bool:
    before = previous_meeting(con, meeting_date)
    month_only = catalog.month_only_meetings(con)
    return grid.capped(
        grid.effective_day(meeting_date, month_only),
        grid.effective_day(before, month_only) if before else None,
    )


class NoCaseData(ValueError):
    """The case data start after the meeting: there is nothing to brief on."""


def _title(meeting_date: dt.date, entity: str | None) -> str:
    """An entity's brief, or (all entities) the Champion's report to the IASC Principals."""
    if entity:
        return f"Brief for the PSEA Senior Focal Points meeting of {meeting_date.isoformat()}"
    return (
        "The Champion's report to the IASC Principals: PSEA Senior Focal Points meeting "
        f"of {meeting_date.isoformat()}"
    )


def _without_new_quarters(
    con, meeting_date, meeting_title, ad_hoc, grid_period, entity, k, release, scopes
) -> Brief:
    """A meeting with no complete quarter since the previous one: its brief says so and carries
    the progress report (key messages, accomplishments, challenges, requests, open action points);
    the figures were reported at the previous meeting."""
    before = previous_meeting(con, meeting_date)
    said = (
        f"No quarter has been completed since the previous meeting ({before.isoformat()}): every "
        "quarter's figures were reported then, so this brief carries no new figures. The progress "
        "report and the open action points follow."
        if before
        else "No complete quarter of case data precedes this meeting: no figures to report."
    )
    return Brief(
        title=_title(meeting_date, entity),
        meeting=meeting_date,
        meeting_title=meeting_title,
        ad_hoc=ad_hoc,
        period=Period(meeting_date, meeting_date),
        grid_period=grid_period,
        previous_period=None,
        entity=entity,
        k=k,
        release_id=release.release_id,
        coverage={e: d for e, d in release.coverage.items() if e in scopes},
        not_reported=[],
        loads=catalog.loads_read_at(con, release.cutoff, entity),
        headlines=[],
        by_entity=None,
        points=[said],
        sections=[Section("Figures", [said])],
        generated_at=dt.datetime.now(dt.UTC),
        minimum_team=int(managers.thresholds()["minimum_team_size"]),
        reports=_reports(con, meeting_date, scopes),
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
    day = data_day(con, meeting_date)
    release = ensure(con, actor, role, day)
    if release is None:
        raise NoCaseData(
            f"no case data as of {day.isoformat()}: the earliest case snapshot is later than "
            "this meeting, so there is nothing to brief on"
        )
    figures = PublishedFigures(release, grid_period, entity)
    previous = figures.previous()
    scopes = [entity] if entity else release.scopes
    if not grid_period.quarters:
        return _without_new_quarters(
            con, meeting_date, meeting_title, ad_hoc, grid_period, entity, k, release, scopes
        )
    period = grid_period.period
    before = max((d for d in catalog.meeting_dates(con) if d < meeting_date), default=None)
    aims = (
        case_aims(figures, previous)
        if entity
        else case_aims_across(figures, previous, release.scopes)
    )
    extra_rows, extra = personnel_headlines(
        con, period, previous.period.end if previous else None, entity
    )
    headlines = [
        *case_headlines(figures, previous),
        *(a.headline for a in aims if a.entity is None),
        *extra_rows,
    ]
    aims += prevention_aims(extra_rows, extra)
    not_reported = [
        e
        for e in scopes
        if grid_period.quarters
        and grid.quarter_first_day(grid_period.quarters[-1]) > release.reported_through(e)
    ]
    risks, risk_annex = risk_section(con, period, entity, extra["risk"], extra["risk_before"])
    sections = [
        trend_section(con, figures, k),
        status_section(figures),
        timeliness_section(figures),
        training_section(con, period, entity),
        risks,
    ]
    return Brief(
        title=_title(meeting_date, entity),
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
        by_entity=side_by_side(figures, release.scopes, personnel.personnel(con, period.end))
        if entity is None
        else None,
        points=key_messages(aims, bool(not_reported)),
        sections=sections,
        generated_at=dt.datetime.now(dt.UTC),
        minimum_team=int(managers.thresholds()["minimum_team_size"]),
        reports=_reports(con, meeting_date, scopes),
        capped=_capped(con, meeting_date),
        appendix=[risk_annex],
        previous_meeting=before,
        commitments=commitments.in_force(con, meeting_date, entity, before),
        capacity=capacity.capacity(con, meeting_date, before) if entity is None else None,
        personnel_as_of={
            e: d for e, d in catalog.personnel_data_as_of(con, period.end).items() if e in scopes
        },
    )

"""The personnel figures the pages open on, and the UN ledger's walk of every entity that sends
case rows, computed when the data change (after a load and the release of its case data) and kept
in the store (psea.metrics.stored), so that the first viewer of the Training, Manager indicators,
Overview or UN quarterly page does not wait for them, in any process.

A page opens on a period that depends on the viewer's role (psea.app.periods): an analyst's latest
complete quarter, a reader of the release the latest meeting period their data reach; and on a
scope: every entity (the Champion's office) or one (a focal point, an analyst). For each of those
views, the figures those pages ask for before the viewer picks anything are computed through the
memo (psea.metrics.memo), which records them with their exact arguments. What a viewer picks later
(another period, a region, a manager's card) is computed when asked, once per process.
"""

from __future__ import annotations

import os

import polars as pl

from pipelines.writes import WriteConflict
from psea.app.periods import analyst_cutoff, period_choices, release_choices
from psea.brief.build import meeting_period
from psea.brief.headline_table import personnel_headlines
from psea.brief.sections import risk_section, training_section
from psea.disclosure import grid, published
from psea.disclosure.grid import GridPeriod
from psea.metrics import Period, catalog, managers, memo, stored, training, un_walk
from psea.metrics import personnel as headcounts
from psea.present import managers as manager_view


def views(con) -> list[tuple[Period, str | None]]:
    """(period, scope) of every view a page opens on: None is every entity."""
    cutoff = analyst_cutoff(con)
    entities = sorted(
        set(catalog.case_entities(con)) | set(catalog.personnel_data_as_of(con, cutoff))
    )
    scopes = [None, *entities]
    quarter = next(iter(period_choices(con, cutoff).values()))
    found = [(quarter, scope) for scope in scopes]
    release_id = published.in_force_id(con)
    release = published.by_id(con, release_id) if release_id else None
    if release is not None:
        for scope in scopes:
            if scope is not None and scope not in release.scopes:
                continue
            choices, opening = release_choices(release, scope)
            if choices:
                found.append((list(choices.values())[opening].period, scope))
    return list(dict.fromkeys(found))


def brief_views(con) -> list[tuple[GridPeriod, str | None]]:
    """(meeting period, scope) of the brief the Briefs page opens on: the latest meeting of the
    calendar, over every entity and for each (none when it has no complete quarter of its own)."""
    dates = catalog.meeting_dates(con)
    if not dates:
        return []
    meeting = meeting_period(con, dates[-1])[0]
    if not meeting.quarters:
        return []
    entities = sorted(catalog.personnel_data_as_of(con, meeting.period.end))
    return [(meeting, scope) for scope in [None, *entities]]


def brief_figures(con, meeting: GridPeriod, entity: str | None) -> None:
    """What the brief asks of the personnel figures (psea.brief.build), as it asks for them: its
    headlines against the previous meeting period, the audit-risk list and the training part."""
    period = meeting.period
    before = grid.previous(meeting, catalog.meeting_dates(con), catalog.month_only_meetings(con))
    _, extra = personnel_headlines(con, period, before.period.end if before else None, entity)
    risk_section(con, period, entity, extra["risk"], extra["risk_before"])
    training_section(con, period, entity)


def page_figures(con, period: Period, entity: str | None) -> None:
    """What the Training, Manager indicators and Overview pages ask for when they open on the
    view, as they ask for it."""
    end = period.end
    training.induction_within_window(con, period, entity)
    training.mandatory_coverage(con, end, entity)
    training.values_we_share_cumulative(con, end, entity)
    training.coverage_over_time(con, training.year_ends(end), entity)
    training.mandatory_coverage(con, end, entity, by="region")
    training.mandatory_coverage(con, end, entity, by=("region", "mission"))
    training.completions_by_course(con, period, entity)
    training.audit_risk(con, end, entity)
    card = managers.scorecard(con, end, entity)
    first = next(iter(manager_view.manager_choices(card)), None)  # the card the page opens on
    if first is not None:
        of = card.filter(pl.col("person_ref") == first)["entity"].item(0)
        managers.trend(con, first, of, manager_view.year_ends(end))
    if entity is None:
        headcounts.personnel(con, end)


def precompute(con) -> int:
    """Compute the figures of every view, and the UN ledger's walk of every entity that sends
    case rows (the UN quarterly page opens on it), and keep them for the loads' current state
    (those of an earlier state are removed); how many were kept. Nothing with PSEA_PRECOMPUTE=off
    (pages then compute them when asked). Another writer's conflicting write leaves them to be
    computed when asked."""
    if os.environ.get("PSEA_PRECOMPUTE") == "off":
        return 0
    personnel = catalog.personnel_data_as_of(con, analyst_cutoff(con))
    ledgers = catalog.case_row_entities(con)
    if not personnel and not ledgers:
        return 0
    loads = memo.loads_state(con)
    with memo.recording(loads) as figures:
        for period, scope in views(con) if personnel else []:
            page_figures(con, period, scope)
        for meeting, scope in brief_views(con) if personnel else []:
            brief_figures(con, meeting, scope)
        for entity in ledgers:
            un_walk.walked(con, entity)
    try:
        return stored.keep(con, repr(loads), [(f, a, v) for (f, a), v in figures.items()])
    except WriteConflict:
        return 0

"""A page's context: who is looking, at which period and entity, and the figures they may see.

Analysts pick any period at any cut-off and get the metric layer's exact figures; every other role
picks a period of the quarter grid and gets the cells of the published release (one gate:
psea.disclosure.figures). Nothing else decides what a viewer sees."""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from psea.app.access import ROLE_LABELS, Viewer, who_may_open
from psea.app.periods import analyst_cutoff, period_choices, release_choices
from psea.app.session import connection, data_version, warehouse_cursor
from psea.app.shell import PAGES, resolve_viewer
from psea.disclosure import published
from psea.disclosure.figures import SUPPRESSED_NOTE, ExactFigures, PublishedFigures
from psea.metrics import Period, catalog
from psea.settings import suppression_k


@dataclass
class PageContext:
    viewer: Viewer
    con: duckdb.DuckDBPyConnection
    period: Period  # the interval (start, end]; its end is the cut-off of personnel figures
    entity: str | None
    figures: ExactFigures | PublishedFigures
    period_label: str
    page: str = ""
    release: published.Release | None = None
    state: str = ""  # the warehouse's data version (psea.metrics.status.data_version)
    # what the page showed, for its bundle download: name -> published table / chart
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return suppression_k()

    @property
    def cache_key(self) -> tuple:
        """What a figure or chart cached for this page rests on: the warehouse and its state
        (last load, release in force), who looks (role, own entity, entity in scope) and the
        period. Every cache of a page's figures is keyed by it, so no role, entity or warehouse
        state is ever served another's."""
        return (
            st.session_state["warehouse"],
            self.state,
            self.release.release_id if self.release is not None else None,
            self.viewer.role,
            self.viewer.entity,
            self.entity,
            self.period_label,
            self.period.start,
            self.period.end,
        )

    @property
    def scope_label(self) -> str:
        return "all entities" if self.entity is None else self.entity

    @property
    def suppression_note(self) -> str:
        if self.viewer.exact:
            return "exact figures (analyst role)"
        return (
            f"case figures from the published release {self.release.release_id} (audited); "
            + SUPPRESSED_NOTE.format(k=self.k)
        )

    @property
    def data_as_of(self) -> str:
        """The as_of of the case data the figures rest on, per entity."""
        if self.release is None:
            coverage = catalog.case_coverage(self.con, self.period.end)
        else:
            coverage = self.release.coverage
        scopes = [self.entity] if self.entity else sorted(coverage)
        return ", ".join(
            f"{e} {min(coverage[e], self.period.end).isoformat()}" for e in scopes if e in coverage
        )

    @property
    def figures_note(self) -> str:
        """Where the case figures come from, in a reader's words (the release's id stays in the
        downloads' README, `suppression_note`)."""
        if self.viewer.exact:
            return "exact figures (analyst role)"
        return (
            f"case figures as published for data up to {self.release.cutoff.isoformat()} "
            "(checked so that no small figure can be worked out); "
            + SUPPRESSED_NOTE.format(k=self.k)
        )

    def cutoff_note(self) -> None:
        st.caption(
            f"{self.period_label} ({self.period.label}) · {self.scope_label} · case data as of "
            f"{self.data_as_of} · {self.figures_note}"
        )


def require_page(page: str) -> Viewer:
    """The data layer's refusal, for a page reached by URL outside the viewer's role: the page's
    title and who may open it, nothing of its content."""
    viewer = resolve_viewer()
    if not viewer.may_open(page):
        title = PAGES[page][1]
        st.title(title)
        st.error(
            f"This page is not available for your role. {title} is for {who_may_open(page)}; "
            f"you are signed in as {ROLE_LABELS[viewer.role]}. The pages you can open are listed "
            "in the sidebar.",
            icon=":material/lock:",
        )
        st.stop()
    return viewer


@st.cache_resource(max_entries=8, show_spinner=False)
def _release(warehouse: str, release_id: str) -> published.Release | None:
    return published.by_id(connection(), release_id)


def current_release(con) -> published.Release | None:
    """The release in force, read once per release for the whole process."""
    release_id = published.in_force_id(con)
    return _release(st.session_state["warehouse"], release_id) if release_id else None


@st.cache_data(max_entries=16, show_spinner=False)
def _fresh(warehouse: str, version: str, release_id: str) -> bool:
    """Whether the release in force rests on the data held, asked once per warehouse state (a
    load changes the data version; a new release changes the release in force). A plain bool:
    nothing cached holds a connection or a relation."""
    cursor = warehouse_cursor(warehouse)
    try:
        return published.is_fresh(cursor)
    finally:
        cursor.close()


def _entity(viewer: Viewer, entities: list[str]) -> str | None:
    if viewer.entity is not None:
        st.sidebar.caption(f"Entity: {viewer.entity}")
        return viewer.entity
    picked = st.sidebar.selectbox("Entity", ["All entities", *entities], key="entity")
    return None if picked == "All entities" else picked


def page_context(page: str) -> PageContext:
    viewer = require_page(page)
    con = connection()
    if viewer.exact:
        choices = period_choices(con, analyst_cutoff(con))
        label = st.sidebar.selectbox(
            "Period",
            list(choices),
            key="period",
            help="Quarters, years, or the interval between two SFP meetings (exact figures).",
        )
        entity = _entity(viewer, catalog.case_entities(con))
        period = choices[label]
        return PageContext(
            viewer,
            con,
            period,
            entity,
            ExactFigures(con, period, entity),
            label,
            page,
            state=data_version(con),
        )
    release = current_release(con)
    if release is None:
        st.info(
            "No case figures are published yet: the release is built after the first load of case "
            "data and published once its audit passes."
        )
        st.stop()
    entity = _entity(viewer, release.scopes)
    choices, opening = release_choices(release, entity)
    label = st.sidebar.selectbox(
        "Period",
        list(choices),
        index=opening,
        key="period",
        help="Periods of the quarter grid: quarters, years, and the quarters between SFP meetings.",
    )
    grid_period = choices[label]
    figures = PublishedFigures(release, grid_period, entity)
    state = data_version(con)
    if not _fresh(st.session_state["warehouse"], state, release.release_id):
        st.warning(
            "Data were loaded after the release in force was published; its replacement is "
            "being prepared. The figures below are those of the release in force."
        )
    return PageContext(
        viewer, con, grid_period.period, entity, figures, label, page, release=release, state=state
    )


__all__ = ["PageContext", "data_version", "page_context", "period_choices", "require_page"]

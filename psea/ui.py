"""What every page shares: the viewer, the connection, the period and entity pickers, and the
display of figures through the suppression function for the viewer's role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl
import streamlit as st

from psea import charts
from psea.access import Viewer
from psea.metrics import Period, last_complete_quarters
from psea.privacy import count_label, rate_label, statistic_label, suppress_breakdown
from psea.settings import suppression_k


@dataclass
class PageContext:
    viewer: Viewer
    con: duckdb.DuckDBPyConnection
    period: Period
    entity: str | None

    @property
    def k(self) -> int:
        return suppression_k()

    def cutoff_note(self) -> None:
        st.caption(
            f"Period {self.period.label} · data as of {self.period.end.isoformat()} · "
            f"{'all entities' if self.entity is None else self.entity} · "
            + (
                "exact figures (analyst)"
                if self.viewer.exact
                else f"counts of 1 to {self.k - 1} shown as <{self.k}"
            )
        )


@st.cache_resource
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    from psea.warehouse import connect

    return connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """One cursor per rerun: a DuckDB connection is not thread-safe, Streamlit sessions are threads."""
    return _connection(st.session_state["warehouse"]).cursor()


def latest_cutoff(con) -> dt.date:
    row = con.sql("select max(as_of) from cases").fetchall()[0][0]
    return row or dt.date.today()


def period_choices(con, cutoff: dt.date) -> dict[str, Period]:
    """Fixed periods only (quarters, years, between SFP meetings): no free date ranges on case figures."""
    choices: dict[str, Period] = {}
    for q in last_complete_quarters(cutoff, 8):
        choices[f"Quarter {q.end.year} Q{(q.end.month - 1) // 3 + 1}"] = q
    for year in range(
        cutoff.year - (0 if cutoff.month == 12 and cutoff.day == 31 else 1), 2011, -1
    ):
        choices[f"Year {year}"] = Period.year(year)
    meetings = [
        r[0] for r in con.sql("select meeting_date from sfp_meetings order by 1").fetchall()
    ]
    for prev, meeting in zip(meetings, meetings[1:], strict=False):
        choices[f"Since SFP meeting {prev.isoformat()} to {meeting.isoformat()}"] = Period(
            prev, meeting
        )
    return choices


def require_page(page: str) -> Viewer:
    """The data layer's refusal, for a page reached by URL outside the viewer's role."""
    from psea.app_shell import resolve_viewer

    viewer = resolve_viewer()
    if not viewer.may_open(page):
        st.error("This page is not available for your role.")
        st.stop()
    return viewer


def page_context(page: str) -> PageContext:
    viewer = require_page(page)
    con = connection()
    cutoff = latest_cutoff(con)
    choices = period_choices(con, cutoff)
    label = st.sidebar.selectbox(
        "Period",
        list(choices),
        key="period",
        help="Quarters, years, or the interval between two SFP meetings.",
    )
    if viewer.entity is None:
        entities = [
            r[0] for r in con.sql("select distinct entity from cases order by 1").fetchall()
        ]
        picked = st.sidebar.selectbox("Entity", ["All entities", *entities], key="entity")
        entity = None if picked == "All entities" else picked
    else:
        entity = viewer.entity
        st.sidebar.caption(f"Entity: {entity}")
    return PageContext(viewer, con, choices[label], entity)


def count_metric(
    ctx: PageContext, label: str, value: int, previous: int | None = None, help: str = ""
) -> None:
    shown = count_label(value, ctx.viewer.exact)
    delta = None
    if previous is not None and (
        ctx.viewer.exact or (value >= ctx.k and previous >= ctx.k) or (value == 0 and previous == 0)
    ):
        delta = f"{value - previous:+,} vs previous period"
    st.metric(label, shown, delta=delta, delta_color="off", help=help or None)


def rate_metric(
    ctx: PageContext,
    label: str,
    numerator: int,
    denominator: int,
    help: str = "",
    case_based: bool = True,
) -> None:
    exact = ctx.viewer.exact or not case_based
    st.metric(label, rate_label(numerator, denominator, exact), help=help or None)
    if denominator:
        st.caption(f"{count_label(numerator, exact)} of {count_label(denominator, exact)}")


def change_metric(
    ctx: PageContext, label: str, figure: Callable[[Period], int], help: str = ""
) -> None:
    """A case count in the period, with its change against the previous period of equal length."""
    count_metric(ctx, label, figure(ctx.period), figure(ctx.period.previous()), help)


NO_PERCENTILE = object()  # the figure has no 90th percentile to show


def statistic_metric(
    ctx: PageContext,
    label: str,
    median: float | None,
    n: int,
    help: str = "",
    p90: float | None | object = NO_PERCENTILE,
) -> None:
    """A median over n cases (and its 90th percentile), hidden when n is small outside the analyst role."""
    st.metric(label, statistic_label(median, n, ctx.viewer.exact), help=help or None)
    if p90 is not NO_PERCENTILE:
        st.caption(f"90th percentile: {statistic_label(p90, n, ctx.viewer.exact)}")


def coverage_metric(ctx: PageContext) -> None:
    from psea.metrics import training

    cov = training.mandatory_coverage(ctx.con, ctx.period.end, ctx.entity).row(0, named=True)
    rate_metric(
        ctx,
        "Mandatory PSEA coverage",
        cov["covered"],
        cov["active"],
        training.definition("mandatory_coverage"),
        case_based=False,
    )


def _show_table(published: pl.DataFrame, category: str, column: str) -> None:
    st.dataframe(published.select(pl.col(category), pl.col("shown").alias(column)), hide_index=True)


def breakdown_table(
    ctx: PageContext, table: pl.DataFrame, category: str, column: str, by_count: bool = False
) -> pl.DataFrame:
    """A case breakdown as a table, published for the viewer's role (ordered as breakdown_chart)."""
    published = suppress_breakdown(table, exact=ctx.viewer.exact, by_count=by_count)
    _show_table(published, category, column)
    return published


def breakdown_chart(
    ctx: PageContext,
    table: pl.DataFrame,
    category: str,
    title: str,
    definition: str | None = None,
    table_column: str | None = None,
    by_count: bool = False,
) -> pl.DataFrame:
    """A case breakdown as a chart (and, with `table_column`, a table of the same published
    figures), suppressed for the viewer's role, with how it is counted; `by_count` orders the
    bars by the published counts (psea.privacy.suppress_breakdown)."""
    published = suppress_breakdown(table, exact=ctx.viewer.exact, by_count=by_count)
    st.altair_chart(
        charts.breakdown_bars(published, category, title=title, k=ctx.k), width="stretch"
    )
    if table_column:
        _show_table(published, category, table_column)
    if definition:
        st.caption("How is this counted: " + definition)
    return published

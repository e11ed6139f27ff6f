"""What every page shares: the viewer, the connection, the period and entity pickers, and the
display of figures through the suppression function for the viewer's role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from psea import charts
from psea.app.access import Viewer
from psea.app.session import connection, open_connection
from psea.app.shell import resolve_viewer
from psea.disclosure.privacy import count_label, rate_label, statistic_label, suppress_breakdown
from psea.metrics import Period, last_complete_quarters
from psea.settings import suppression_k


@dataclass
class PageContext:
    viewer: Viewer
    con: duckdb.DuckDBPyConnection
    period: Period
    entity: str | None
    page: str = ""
    # what the page showed, for its bundle download: name -> published table / chart
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)

    @property
    def suppression_note(self) -> str:
        if self.viewer.exact:
            return "exact figures (analyst role)"
        return (
            f"case counts of 1 to {self.k - 1} shown as <{self.k}, with complementary suppression; "
            f"rates, medians and shares withheld when their numerator or denominator is below {self.k}"
        )

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
    return PageContext(viewer, con, choices[label], entity, page)


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


def _table_view(published: pl.DataFrame, category: str, column: str) -> pl.DataFrame:
    """What a published breakdown looks like on screen and in its downloads: labels only."""
    return published.select(pl.col(category), pl.col("shown").alias(column))


def breakdown_table(
    ctx: PageContext, table: pl.DataFrame, category: str, column: str, by_count: bool = False
) -> pl.DataFrame:
    """A case breakdown as a table, published for the viewer's role (ordered as breakdown_chart)."""
    published = suppress_breakdown(table, exact=ctx.viewer.exact, by_count=by_count)
    show_table(ctx, _table_view(published, category, column), f"{column} by {category}")
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
    bars by the published counts (psea.disclosure.privacy.suppress_breakdown)."""
    published = suppress_breakdown(table, exact=ctx.viewer.exact, by_count=by_count)
    show_chart(ctx, charts.breakdown_bars(published, category, title=title, k=ctx.k), title)
    ctx.tables[title] = _table_view(published, category, table_column or "count")
    if table_column:
        show_table(ctx, ctx.tables[title], title)
    if definition:
        st.caption("How is this counted: " + definition)
    return published


def audited(viewer: Viewer, produce: Callable[[], bytes | str], **detail) -> Callable[[], bytes]:
    """A download button's data: produced when the user clicks and recorded in the audit log then.
    Both happen in the download's own thread, with no page rerun (a rerun's timing could swallow
    the user's next click); Streamlit commands cannot run there, so the connection is looked up
    directly."""
    warehouse = st.session_state["warehouse"]

    def run() -> bytes:
        from pipelines.audit import record

        data = produce()
        cursor = open_connection(warehouse).cursor()
        try:
            record(cursor, viewer.identity, viewer.role, "export", **detail)
        finally:
            cursor.close()
        return data.encode("utf-8") if isinstance(data, str) else data

    return run


def _export_detail(ctx: PageContext, what: str, fmt: str) -> dict:
    return {
        "page": ctx.page,
        "what": what,
        "format": fmt,
        "period": ctx.period.label,
        "cutoff": ctx.period.end,
        "entity": ctx.entity,
    }


def download_table(ctx: PageContext, frame: pl.DataFrame, name: str) -> None:
    """CSV, XLSX and Parquet of a table as published for the viewer (audit-logged)."""
    from psea import exports

    ctx.tables[name] = frame
    cols = st.columns(len(exports.TABLE_FORMATS))
    for col, (fmt, mime) in zip(cols, exports.TABLE_FORMATS.items(), strict=True):
        col.download_button(
            fmt.upper(),
            data=audited(
                ctx.viewer,
                lambda fmt=fmt: exports.table_bytes(frame, fmt, name),
                **_export_detail(ctx, name, fmt),
            ),
            file_name=f"{exports.slug(name)}_{ctx.period.end.isoformat()}.{fmt}",
            mime=mime,
            key=f"dl-table-{exports.slug(name)}-{fmt}",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


def show_chart(ctx: PageContext, chart: alt.TopLevelMixin, name: str) -> None:
    """A chart with its PNG (print resolution), SVG and PDF downloads (audit-logged)."""
    from psea import exports

    ctx.charts[name] = chart
    st.altair_chart(chart, width="stretch")
    with st.popover("Download chart", icon=":material/download:"):
        for fmt, mime in exports.CHART_FORMATS.items():
            st.download_button(
                fmt.upper(),
                data=audited(
                    ctx.viewer,
                    lambda fmt=fmt: exports.chart_bytes(chart, fmt),
                    **_export_detail(ctx, name, fmt),
                ),
                file_name=f"{exports.slug(name)}_{ctx.period.end.isoformat()}.{fmt}",
                mime=mime,
                key=f"dl-chart-{exports.slug(name)}-{fmt}",
                on_click="ignore",
            )


def bundle_download(ctx: PageContext, title: str, filters: dict | None = None) -> None:
    """Everything the page showed (charts and tables) with a README, as one ZIP."""
    from psea import exports

    readme = exports.bundle_readme(
        title,
        ctx.period.end,
        ctx.period.label,
        "all entities" if ctx.entity is None else f"entity {ctx.entity}",
        ctx.suppression_note,
        filters or {},
    )
    tables, charts_ = dict(ctx.tables), dict(ctx.charts)
    st.divider()
    st.download_button(
        "Download this page (charts, tables, README) as ZIP",
        data=audited(
            ctx.viewer,
            lambda: exports.bundle(title, readme, tables, charts_),
            **_export_detail(ctx, "page bundle", "zip"),
        ),
        file_name=f"{exports.slug(title)}_{ctx.period.end.isoformat()}.zip",
        mime="application/zip",
        key=f"dl-bundle-{ctx.page}",
        on_click="ignore",
        icon=":material/folder_zip:",
    )


def dataframe(frame: pl.DataFrame, **kwargs) -> None:
    """st.dataframe with dates shown as dates (YYYY-MM-DD), not as midnight timestamps."""
    st.dataframe(frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")), **kwargs)


def show_table(ctx: PageContext, frame: pl.DataFrame, name: str, percent: tuple = ()) -> None:
    """A table as shown (fractions in `percent` as percentages) with its CSV/XLSX/Parquet downloads."""
    dataframe(
        frame,
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="percent") for c in percent},
    )
    download_table(ctx, frame, name)

"""What every page shares: published figures as metrics, charts and tables, with their downloads
(audit-logged) and the page's bundle. The figures come from the page's context (psea.app.context)."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import polars as pl
import streamlit as st

from psea import charts
from psea.app.access import Viewer
from psea.app.context import PageContext, page_context, period_choices, require_page
from psea.app.session import open_connection
from psea.disclosure.figures import Shown, Statistic, rate
from psea.labels import label, labelled


def figure_metric(
    ctx: PageContext, label: str, now: Shown, before: Shown | None = None, help: str = ""
) -> None:
    """A case count as published, with its change against the previous grid period when both
    are published (a change is never shown against a suppressed or unreported figure)."""
    delta = None
    if before is not None and now.published and before.published:
        delta = f"{now.value - before.value:+,} vs previous period"
    elif before is not None and not before.published:
        delta = f"previous period: {before.label}"
    st.metric(label, now.label, delta=delta, delta_color="off", help=help or None)


def share_metric(ctx: PageContext, label: str, part: Shown, whole: Shown, help: str = "") -> None:
    """A case share with its numerator and denominator (all three published, or none)."""
    st.metric(label, rate(part, whole), help=help or None)
    if whole.published and whole.value:
        st.caption(
            f"{part.label} of {whole.label}"
            if part.published
            else f"{part.label}, out of {whole.label}"
        )


def rate_metric(
    ctx: PageContext, label: str, numerator: int, denominator: int, help: str = ""
) -> None:
    """A personnel share (not suppressed: personnel figures, docs/indicators.md)."""
    st.metric(
        label,
        f"{100 * numerator / denominator:.0f}%" if denominator else "no data",
        help=help or None,
    )
    if denominator:
        st.caption(f"{numerator:,} of {denominator:,}")


def statistic_metric(
    ctx: PageContext, label: str, stat: Statistic, help: str = "", p90: bool = False
) -> None:
    """A median over n cases (and its 90th percentile), withheld when n is below K."""
    st.metric(label, stat.label("median"), help=help or None)
    if p90:
        st.caption(f"90th percentile: {stat.label('p90')}")


def coverage_metric(ctx: PageContext) -> None:
    from psea.metrics import training

    cov = training.mandatory_coverage(ctx.con, ctx.period.end, ctx.entity).row(0, named=True)
    rate_metric(
        ctx,
        "Mandatory PSEA coverage",
        cov["covered"],
        cov["active"],
        training.definition("mandatory_coverage"),
    )


def _table_view(published: pl.DataFrame, category: str, column: str) -> pl.DataFrame:
    """What a published breakdown looks like on screen and in its downloads: labels only."""
    view = published.select(pl.col("group").alias(category), pl.col("shown").alias(column))
    return labelled(view, [category])  # plain words on screen and in downloads


def _ordered(published: pl.DataFrame, by_count: bool) -> pl.DataFrame:
    """By published count, largest first, the suppressed rows last by name: the order never ranks
    a hidden value."""
    if not by_count:
        return published
    return published.sort(
        ["suppressed", "count", "group"], descending=[False, True, False], nulls_last=True
    )


def breakdown_table(
    ctx: PageContext, published: pl.DataFrame, category: str, column: str, by_count: bool = False
) -> pl.DataFrame:
    """A published case breakdown as a table with its downloads."""
    published = _ordered(published, by_count)
    show_table(ctx, _table_view(published, category, column), f"{column} by {category}")
    return published


def breakdown_chart(
    ctx: PageContext,
    published: pl.DataFrame,
    category: str,
    title: str,
    definition: str | None = None,
    table_column: str | None = None,
    by_count: bool = False,
) -> pl.DataFrame:
    """A published case breakdown as a chart (and, with `table_column`, a table of the same
    figures), with how it is counted."""
    if published.is_empty():
        st.info(
            f"{title}: not broken down for this period (too few allegations to break down without "
            "letting a small figure be worked out); years and meeting periods are broken down."
        )
        return published
    published = _ordered(published, by_count)
    frame = published.rename({"group": category})
    show_chart(ctx, charts.breakdown_bars(frame, category, title=title, k=ctx.k), title)
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
        "period": ctx.period_label,
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
        column_config={  # headers in plain words (psea.labels), as in the downloads
            c: st.column_config.NumberColumn(label(c), format="percent")
            if c in percent
            else st.column_config.Column(label(c))
            for c in frame.columns
        },
    )
    download_table(ctx, frame, name)


__all__ = [  # the context's entry points, re-exported for the pages
    "PageContext",
    "page_context",
    "period_choices",
    "require_page",
]

"""What every page shares: published figures as metrics, charts and tables, with their downloads
(audit-logged) and the page's bundle. The figures come from the page's context (psea.app.context)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable

import altair as alt
import polars as pl
import streamlit as st

from psea.app.access import Viewer
from psea.app.context import PageContext, page_context, period_choices, require_page
from psea.app.session import open_connection, warehouse_cursor
from psea.disclosure.figures import Shown, Statistic, rate
from psea.present import charts
from psea.present.comparison import Comparison
from psea.present.labels import label, labelled


def figure_metric(
    ctx: PageContext,
    label: str,
    now: Shown,
    comparison: Comparison | None = None,
    help: str = "",
) -> None:
    """A case count as published, per quarter against the previous grid period and against the
    same quarters a year earlier (psea.present.comparison: never against a hidden or unreported
    figure; "not compared" says why); an all-entities figure says which entities it sums."""
    value = comparison.value_text() if comparison is not None else now.label
    delta, arrow = None, "off"
    if comparison is not None and comparison.previous is not None:
        delta = f"previous period: {comparison.previous_text()}"
        arrow = "auto" if comparison.change_previous else "off"  # none beside an unchanged figure
    st.metric(label, value, delta=delta, delta_color="off", delta_arrow=arrow, help=help or None)
    lines = [now.note] if now.note else []
    if comparison is not None and comparison.year_earlier is not None:
        lines.append(f"Same quarters a year earlier: {comparison.year_earlier_text()}")
    for line in lines:
        st.caption(line)


def share_metric(ctx: PageContext, label: str, part: Shown, whole: Shown, help: str = "") -> None:
    """A case share with its numerator and denominator (all three published, or none)."""
    st.metric(label, rate(part, whole), help=help or None)
    if whole.published and whole.value:
        st.caption(
            f"{part.label} of {whole.label}"
            if part.published
            else f"{part.label}, out of {whole.label}"
        )
    note = part.note or whole.note  # all entities: the entities the figure sums
    if note:
        st.caption(note)


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
    if stat.note:  # all entities: the entities that send case rows
        st.caption(stat.note)


@st.cache_data(max_entries=64, show_spinner=False)
def _personnel(key: tuple, figure: str, on, entity: str | None) -> pl.DataFrame:
    from psea.metrics import personnel as headcounts
    from psea.metrics import training

    cursor = warehouse_cursor(key[0])
    try:
        if figure == "headcount":  # every entity's personnel (the rates' denominators)
            return headcounts.personnel(cursor, on)
        return getattr(training, figure)(cursor, on, entity)
    finally:
        cursor.close()


def personnel(ctx: PageContext, figure: str) -> pl.DataFrame:
    """A personnel figure at the period's end (psea.metrics.training's mandatory coverage or audit
    risk, or psea.metrics.personnel's headcount per entity), computed once per page key (warehouse state, role, entity, period: ctx.cache_key)."""
    return _personnel(ctx.cache_key, figure, ctx.period.end, ctx.entity)


def coverage_metric(ctx: PageContext) -> None:
    from psea.metrics import training

    cov = personnel(ctx, "mandatory_coverage").row(0, named=True)
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
    view = _table_view(published, category, table_column or "count")
    show_chart(
        ctx,
        lambda: charts.breakdown_bars(frame, category, title=title, k=ctx.k),
        title,
        key=("breakdown_bars", category, ctx.k, digest(frame)),
        table=None if table_column else view,
    )
    ctx.tables[title] = view
    if table_column:
        show_table(ctx, view, title)
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
    from psea.present import exports

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


def digest(*frames: pl.DataFrame) -> str:
    """A fingerprint of the data a chart is drawn from, for its cache key."""
    sha = hashlib.sha256()
    for frame in frames:
        sha.update(frame.write_ipc(None).getvalue())
    return sha.hexdigest()


@st.cache_resource(max_entries=512, show_spinner=False)
def _drawn(key: tuple, _build: Callable[[], alt.TopLevelMixin]) -> tuple:
    """A chart and its Vega-Lite spec, built once per key: building an Altair chart and turning
    it into a spec (schema validation) is most of a warm rerun. The spec is made by Streamlit's
    own conversion (under its lock on Altair's global data transformer and theme), so it is the
    one st.altair_chart would send; it is kept as JSON with its Arrow datasets, nothing mutable
    shared between sessions."""
    from streamlit.elements import vega_charts

    chart = _build()
    spec = vega_charts._convert_altair_to_vega_lite_spec(chart)
    datasets = spec.pop("datasets", {})
    return chart, json.dumps(spec), dict(datasets)


def draw_chart(key: tuple | None, build: Callable[[], alt.TopLevelMixin]) -> alt.TopLevelMixin:
    """Draw a chart; with a key (which must hold everything the chart rests on: the viewer's
    page key and a digest of its data), built and converted once per key."""
    from streamlit.elements import vega_charts

    if key is None or not hasattr(vega_charts, "_convert_altair_to_vega_lite_spec"):
        chart = build()  # without a key, or Streamlit's conversion moved: drawn plainly
        st.altair_chart(chart, width="stretch")
        return chart
    chart, spec, datasets = _drawn(key, build)
    st.vega_lite_chart(spec={**json.loads(spec), "datasets": dict(datasets)}, width="stretch")
    return chart


def show_chart(
    ctx: PageContext,
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin],
    name: str,
    key: tuple[Hashable, ...] | None = None,
    table: pl.DataFrame | None = None,
    percent: tuple = (),
) -> None:
    """A chart with its PNG (print resolution), SVG and PDF downloads (audit-logged), and with
    `table` its figures as a table one click away (shown beside the chart's downloads, and in the
    page's bundle). `chart` is a chart, or a function building it; with `key` (what the chart
    rests on beyond the page's key: its kind and a digest of its data) it is built and converted
    once per page key."""
    from psea.present import exports

    build = chart if callable(chart) else lambda built=chart: built
    chart = draw_chart(None if key is None else (*ctx.cache_key, name, *key), build)
    ctx.charts[name] = chart
    if table is not None:
        ctx.tables[name] = table
    downloads, figures = st.columns([1, 3]) if table is not None else (st.container(), None)
    if figures is not None:
        with figures.expander("The figures of this chart as a table", icon=":material/table:"):
            dataframe(
                table,
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(label(c), format="percent") for c in percent
                },
            )
    with downloads.popover("Download chart", icon=":material/download:"):
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
    from psea.present import exports

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


PAGE_WIDTH = 940  # the main column's width in pixels in a 1400-px window, sidebar open
CHAR_PX, CELL_PADDING, NARROWEST, WIDEST = 7.5, 26, 64, 520


def column_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Each column as wide as its header's words or its longest cell (within bounds): no cell
    cut to "not brok", no header to "Investigat…"."""
    widths = {}
    for column in frame.columns:
        cells = frame[column].cast(pl.String).drop_nulls().str.len_chars().max() or 0
        chars = max(len(label(column)), int(cells))
        widths[column] = int(min(max(CHAR_PX * chars + CELL_PADDING, NARROWEST), WIDEST))
    return widths


def dataframe(frame: pl.DataFrame, **kwargs) -> None:
    """st.dataframe as a reader meets it: codes and headers in plain words (psea.present.labels;
    a header given in `column_config` is kept), an empty text cell empty (not "None"), dates as
    dates (YYYY-MM-DD), not as midnight timestamps. Handed over as an Arrow table (the oldest
    Arrow layout, which every Streamlit frontend reads), so Streamlit serialises it directly
    instead of through pandas."""
    shown = labelled(frame).with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"), pl.col(pl.String).fill_null("")
    )
    config = dict(kwargs.pop("column_config", None) or {})
    widths = column_widths(shown)
    wide = sum(widths.values()) > PAGE_WIDTH
    for i, column in enumerate(shown.columns):
        given = config.get(column)
        entry = dict(st.column_config.Column(label(column)) if given is None else given)
        entry.setdefault("label", label(column))
        entry["label"] = entry["label"] or label(column)
        entry.setdefault("width", widths[column])
        if wide and i == 0:
            entry.setdefault("pinned", True)  # the row's name stays in view when scrolled
        config[column] = entry
    st.dataframe(
        shown.to_arrow(compat_level=pl.CompatLevel.oldest()), column_config=config, **kwargs
    )


def show_table(ctx: PageContext, frame: pl.DataFrame, name: str, percent: tuple = ()) -> None:
    """A table as shown (fractions in `percent` as percentages) with its CSV/XLSX/Parquet downloads."""
    dataframe(
        frame,
        hide_index=True,
        column_config={  # headers in plain words (psea.present.labels), as in the downloads
            c: st.column_config.NumberColumn(label(c), format="percent") for c in percent
        },
    )
    download_table(ctx, frame, name)


__all__ = [  # the context's entry points, re-exported for the pages
    "PageContext",
    "page_context",
    "period_choices",
    "require_page",
]

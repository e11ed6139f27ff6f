"""Allegations: per quarter over three years, by the fixed breakdowns and the reporting delay."""

import polars as pl
import streamlit as st

from psea.app.page import breakdown_chart, bundle_download, digest, page_context, show_chart
from psea.metrics import cases, catalog
from psea.present import charts

ctx = page_context("allegations")
st.title("Allegations")
ctx.cutoff_note()

trend = ctx.figures.trend("allegations", 12)
show_chart(
    ctx,
    lambda: charts.quarterly_trend(
        trend,
        catalog.milestones(ctx.con),
        title="Allegations received per quarter, last 3 years",
        k=ctx.k,
    ),
    "Allegations per quarter",
    key=("quarterly_trend", ctx.k, digest(trend)),  # milestones: the warehouse state's
    table=trend.select(
        pl.col("label").alias("quarter"),
        pl.when(pl.col("not_reported"))
        .then(pl.lit(charts.NOT_REPORTED))
        .when(pl.col("suppressed"))
        .then(pl.lit(charts.SUPPRESSED))
        .otherwise(pl.col("count").cast(pl.String))
        .alias("allegations"),
    ),
)
st.caption("How is this counted: " + cases.DEFINITIONS["allegations_received"])

BREAKDOWN_LABELS = {
    "category": "Category",
    "personnel_group": "Personnel group",
    "reporting_channel": "Reporting channel",
    "region": "Region",
    "incident_year": "Year of incident",
}
by = st.sidebar.selectbox(
    "Breakdown", list(BREAKDOWN_LABELS), format_func=BREAKDOWN_LABELS.get, key="breakdown"
)
breakdown_chart(
    ctx,
    ctx.figures.breakdown("allegations", by),
    by,
    f"Allegations received in the period by {BREAKDOWN_LABELS[by].lower()}",
    table_column="allegations",
    by_count=True,
)
breakdown_chart(
    ctx,
    ctx.figures.breakdown("allegations", "delay"),
    "delay",
    "Reporting delay (incident month to month received)",
    cases.DEFINITIONS["reporting_delay"],
)

bundle_download(ctx, "Allegations", {"breakdown": BREAKDOWN_LABELS[by]})

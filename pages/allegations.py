"""Allegations: per quarter, by the fixed breakdowns, year of incident and reporting delay."""

import polars as pl
import streamlit as st

from psea import charts
from psea.app.page import breakdown_chart, bundle_download, page_context, show_chart
from psea.disclosure.privacy import suppress_breakdown
from psea.metrics import Period, cases, years_before

ctx = page_context("allegations")
st.title("Allegations")
ctx.cutoff_note()

trend_period = Period(years_before(ctx.period.end, 3), ctx.period.end)
by_quarter = suppress_breakdown(
    cases.allegations_by_quarter(ctx.con, trend_period, ctx.entity), exact=ctx.viewer.exact
)
milestones = ctx.con.sql("select date, label from ref_milestones").pl()
show_chart(
    ctx,
    charts.quarterly_trend(
        by_quarter, milestones, title="Allegations received per quarter, last 3 years", k=ctx.k
    ),
    "Allegations per quarter",
)
ctx.tables["Allegations per quarter"] = by_quarter.select(
    pl.col("quarter").cast(pl.Date), pl.col("shown").alias("allegations")
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
    cases.allegations_received(ctx.con, ctx.period, ctx.entity, by=by),
    by,
    f"Allegations received in the period by {BREAKDOWN_LABELS[by].lower()}",
    table_column="allegations",
    by_count=True,
)
breakdown_chart(
    ctx,
    cases.reporting_delay(ctx.con, ctx.period, ctx.entity),
    "delay",
    "Reporting delay (incident month to month received)",
    cases.DEFINITIONS["reporting_delay"],
)

bundle_download(ctx, "Allegations", {"breakdown": BREAKDOWN_LABELS[by]})

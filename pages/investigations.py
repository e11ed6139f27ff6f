"""Investigations: status, funnel, days to assessment, duration against 90/180 days, outcomes."""

import polars as pl
import streamlit as st

from psea import charts
from psea.metrics import cases
from psea.privacy import statistic_label, suppress_breakdown
from psea.ui import count_metric, page_context, rate_metric

ctx = page_context("investigations")
st.title("Investigations")
ctx.cutoff_note()

c1, c2, c3, c4 = st.columns(4)
assessment = cases.days_to_assessment(ctx.con, ctx.period, ctx.entity)
duration = cases.investigation_duration(ctx.con, ctx.period, ctx.entity)
with c1:
    st.metric(
        "Median days to assessment",
        statistic_label(assessment["median_days"], assessment["n"], ctx.viewer.exact),
        help=cases.DEFINITIONS["days_to_assessment"],
    )
    st.caption(
        f"90th percentile: {statistic_label(assessment['p90_days'], assessment['n'], ctx.viewer.exact)}"
    )
with c2:
    st.metric(
        "Median investigation duration",
        statistic_label(duration["median_days"], duration["n"], ctx.viewer.exact),
        help=cases.DEFINITIONS["investigation_duration"],
    )
    st.caption(
        f"90th percentile: {statistic_label(duration['p90_days'], duration['n'], ctx.viewer.exact)}"
    )
with c3:
    rate_metric(
        ctx,
        "Completed within 90 days",
        duration["within_90"],
        duration["n"],
        cases.DEFINITIONS["investigation_duration"],
    )
with c4:
    rate_metric(
        ctx,
        "Completed within 180 days",
        duration["within_180"],
        duration["n"],
        cases.DEFINITIONS["investigation_duration"],
    )

count_metric(
    ctx,
    "Overdue investigations (open > 180 days)",
    cases.overdue_investigations(ctx.con, ctx.period.end, ctx.entity),
    help=cases.DEFINITIONS["overdue"],
)

funnel = suppress_breakdown(cases.funnel(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact)
st.altair_chart(
    charts.breakdown_bars(
        funnel,
        "stage",
        title="From allegation to action, allegations received in the period",
        k=ctx.k,
    ),
    width="stretch",
)
st.caption("How is this counted: " + cases.DEFINITIONS["funnel"])

status = suppress_breakdown(
    cases.status_counts(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact
)
st.altair_chart(
    charts.breakdown_bars(
        status,
        "status",
        title="Status at the cut-off of allegations received in the period",
        k=ctx.k,
    ),
    width="stretch",
)

actions = suppress_breakdown(
    cases.actions_on_substantiated(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact
)
if actions.height:
    st.subheader("Actions on subjects of substantiated cases")
    st.dataframe(actions.select("action", pl.col("shown").alias("subjects")), hide_index=True)
    st.caption("How is this counted: " + cases.DEFINITIONS["actions"])

ref = cases.referrals(ctx.con, ctx.period, ctx.entity)
c1, c2 = st.columns(2)
with c1:
    rate_metric(
        ctx,
        "Referred to national authorities",
        ref["referred"],
        ref["received"],
        cases.DEFINITIONS["referrals"],
    )
with c2:
    rate_metric(
        ctx,
        "Interim measures taken",
        ref["interim_measures"],
        ref["received"],
        cases.DEFINITIONS["referrals"],
    )

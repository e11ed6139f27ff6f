"""Investigations: status, funnel, days to assessment, duration against 90/180 days, outcomes."""

import streamlit as st

from psea.app.page import (
    breakdown_chart,
    breakdown_table,
    bundle_download,
    count_metric,
    page_context,
    rate_metric,
    statistic_metric,
)
from psea.metrics import cases

ctx = page_context("investigations")
st.title("Investigations")
ctx.cutoff_note()

c1, c2, c3, c4 = st.columns(4)
assessment = cases.days_to_assessment(ctx.con, ctx.period, ctx.entity)
duration = cases.investigation_duration(ctx.con, ctx.period, ctx.entity)
with c1:
    statistic_metric(
        ctx,
        "Median days to assessment",
        assessment["median_days"],
        assessment["n"],
        cases.DEFINITIONS["days_to_assessment"],
        p90=assessment["p90_days"],
    )
with c2:
    statistic_metric(
        ctx,
        "Median investigation duration",
        duration["median_days"],
        duration["n"],
        cases.DEFINITIONS["investigation_duration"],
        p90=duration["p90_days"],
    )
for column, days in ((c3, 90), (c4, 180)):
    with column:
        rate_metric(
            ctx,
            f"Completed within {days} days",
            duration[f"within_{days}"],
            duration["n"],
            cases.DEFINITIONS["investigation_duration"],
        )

count_metric(
    ctx,
    "Overdue investigations (open > 180 days)",
    cases.overdue_investigations(ctx.con, ctx.period.end, ctx.entity),
    help=cases.DEFINITIONS["overdue"],
)

breakdown_chart(
    ctx,
    cases.funnel(ctx.con, ctx.period, ctx.entity),
    "stage",
    "From allegation to action, allegations received in the period",
    cases.DEFINITIONS["funnel"],
)
breakdown_chart(
    ctx,
    cases.status_counts(ctx.con, ctx.period, ctx.entity),
    "status",
    "Status at the cut-off of allegations received in the period",
)

actions = cases.actions_on_substantiated(ctx.con, ctx.period, ctx.entity)
if actions.height:
    st.subheader("Actions on subjects of substantiated cases")
    breakdown_table(ctx, actions, "action", "subjects", by_count=True)
    st.caption("How is this counted: " + cases.DEFINITIONS["actions"])

ref = cases.referrals(ctx.con, ctx.period, ctx.entity)
c1, c2 = st.columns(2)
for column, label, key in (
    (c1, "Referred to national authorities", "referred"),
    (c2, "Interim measures taken", "interim_measures"),
):
    with column:
        rate_metric(ctx, label, ref[key], ref["received"], cases.DEFINITIONS["referrals"])

bundle_download(ctx, "Investigations")

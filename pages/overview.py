"""Overview: the headline figures of the period against the previous period of equal length."""

import streamlit as st

from psea.app.page import change_metric, count_metric, coverage_metric, page_context, rate_metric
from psea.metrics import cases, training

ctx = page_context("overview")
st.title("Overview")
ctx.cutoff_note()
period, con, entity = ctx.period, ctx.con, ctx.entity

c1, c2, c3, c4 = st.columns(4)
with c1:
    change_metric(
        ctx,
        "Allegations received",
        lambda p: cases.allegations_received(con, p, entity).item(),
        cases.DEFINITIONS["allegations_received"],
    )
with c2:
    change_metric(
        ctx,
        "Child victims",
        lambda p: cases.child_victims(con, p, entity),
        cases.DEFINITIONS["child_victims"],
    )
with c3:
    change_metric(
        ctx,
        "Investigations opened",
        lambda p: cases.investigations_opened(con, p, entity),
        "Investigations opened in the period.",
    )
with c4:
    count_metric(
        ctx,
        "Overdue investigations",
        cases.overdue_investigations(con, period.end, entity),
        help=cases.DEFINITIONS["overdue"],
    )

c1, c2, c3, c4 = st.columns(4)
with c1:
    s = cases.substantiation(con, period, entity)
    count_metric(
        ctx,
        "Investigations completed",
        s["completed"],
        cases.substantiation(con, period.previous(), entity)["completed"],
        "Investigations completed (a finding reached) in the period.",
    )
with c2:
    rate_metric(
        ctx,
        "Substantiation rate",
        s["substantiated"],
        s["completed"],
        cases.DEFINITIONS["substantiation_rate"],
    )
with c3:
    change_metric(
        ctx,
        "Victims assisted",
        lambda p: cases.victim_assistance(con, p, entity)["victims_assisted"],
        cases.DEFINITIONS["victims_assisted"],
    )
with c4:
    coverage_metric(ctx)

flagged = training.audit_risk(con, period.end, entity)
st.metric(
    "Missions flagged as audit risks",
    f"{int(flagged['flagged'].sum())} of {flagged.height}",
    help=training.definition("audit_risk"),
)

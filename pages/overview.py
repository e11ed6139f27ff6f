"""Overview: the headline figures of the period against the previous period of equal length."""

import streamlit as st

from psea.metrics import cases, training
from psea.ui import count_metric, page_context, rate_metric

ctx = page_context("overview")
st.title("Overview")
ctx.cutoff_note()
period, previous = ctx.period, ctx.period.previous()

c1, c2, c3, c4 = st.columns(4)
with c1:
    now, before = (
        cases.allegations_received(ctx.con, p, ctx.entity).item() for p in (period, previous)
    )
    count_metric(
        ctx, "Allegations received", now, before, cases.DEFINITIONS["allegations_received"]
    )
with c2:
    now, before = (cases.child_victims(ctx.con, p, ctx.entity) for p in (period, previous))
    count_metric(ctx, "Child victims", now, before, cases.DEFINITIONS["child_victims"])
with c3:
    now, before = (cases.investigations_opened(ctx.con, p, ctx.entity) for p in (period, previous))
    count_metric(ctx, "Investigations opened", now, before, "Investigations opened in the period.")
with c4:
    count_metric(
        ctx,
        "Overdue investigations",
        cases.overdue_investigations(ctx.con, period.end, ctx.entity),
        help=cases.DEFINITIONS["overdue"],
    )

c1, c2, c3, c4 = st.columns(4)
with c1:
    s = cases.substantiation(ctx.con, period, ctx.entity)
    count_metric(
        ctx,
        "Investigations completed",
        s["completed"],
        cases.substantiation(ctx.con, previous, ctx.entity)["completed"],
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
    va = cases.victim_assistance(ctx.con, period, ctx.entity)
    count_metric(
        ctx,
        "Victims assisted",
        va["victims_assisted"],
        cases.victim_assistance(ctx.con, previous, ctx.entity)["victims_assisted"],
        cases.DEFINITIONS["victims_assisted"],
    )
with c4:
    cov = training.mandatory_coverage(ctx.con, period.end, ctx.entity).row(0, named=True)
    rate_metric(
        ctx,
        "Mandatory PSEA coverage",
        cov["covered"],
        cov["active"],
        training.definition("mandatory_coverage"),
        case_based=False,
    )

flagged = training.audit_risk(ctx.con, period.end, ctx.entity)
st.metric(
    "Missions flagged as audit risks",
    f"{int(flagged['flagged'].sum())} of {flagged.height}",
    help=training.definition("audit_risk"),
)

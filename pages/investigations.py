"""Investigations: status, funnel, days to assessment, duration against 90/180 days, outcomes."""

import streamlit as st

from psea.app.page import (
    breakdown_chart,
    breakdown_table,
    bundle_download,
    figure_metric,
    page_context,
    share_metric,
    statistic_metric,
)
from psea.disclosure.figures import funnel
from psea.metrics import cases
from psea.settings import settings

ctx = page_context("investigations")
st.title("Investigations")
ctx.cutoff_note()
figures = ctx.figures
short, long = settings()["investigations"]["aims_days"]

c1, c2, c3, c4 = st.columns(4)
completed = figures.count("findings")
within_short = figures.count("findings", "duration", f"within_{short}_days")
with c1:
    statistic_metric(
        ctx,
        "Median days to assessment",
        figures.statistic("days_to_assessment"),
        cases.DEFINITIONS["days_to_assessment"],
        p90=True,
    )
with c2:
    statistic_metric(
        ctx,
        "Median investigation duration",
        figures.statistic("investigation_duration"),
        cases.DEFINITIONS["investigation_duration"],
        p90=True,
    )
with c3:
    share_metric(
        ctx,
        f"Completed within {short} days",
        within_short,
        completed,
        cases.DEFINITIONS["investigation_duration"],
    )
with c4:
    over = figures.count("findings", "duration", f"over_{long}_days")
    share_metric(
        ctx,
        f"Completed after more than {long} days",
        over,
        completed,
        cases.DEFINITIONS["investigation_duration"],
    )

figure_metric(
    ctx,
    f"Overdue investigations (open > {settings()['investigations']['overdue_after_days']} days)",
    figures.overdue(),
    help=cases.DEFINITIONS["overdue"],
)

breakdown_chart(
    ctx,
    funnel(figures),
    "stage",
    "From allegation to action, allegations received in the period",
    cases.DEFINITIONS["funnel"],
)
breakdown_chart(
    ctx,
    figures.breakdown("allegations", "status"),
    "status",
    "Status at the cut-off of allegations received in the period",
    cases.DEFINITIONS["status"],
)

actions = figures.breakdown("actions", "action")
if not actions.is_empty():
    st.subheader("Actions on alleged perpetrators of substantiated cases")
    breakdown_table(ctx, actions, "action", "subjects", by_count=True)
    st.caption("How is this counted: " + cases.DEFINITIONS["actions"])

received = figures.count("allegations")
c1, c2 = st.columns(2)
with c1:
    share_metric(
        ctx,
        "Referred to national authorities",
        figures.count("allegations", "referred", "yes"),
        received,
        cases.DEFINITIONS["referrals"],
    )
with c2:
    share_metric(
        ctx,
        "Interim measures taken",
        figures.count("allegations", "interim_measures", "yes"),
        received,
        cases.DEFINITIONS["referrals"],
    )

bundle_download(ctx, "Investigations")

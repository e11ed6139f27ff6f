"""Victims and assistance: UN victim groups, child victims, assistance with its denominators,
days to needs assessment, services, alleged perpetrators."""

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
from psea.metrics import cases, timeliness

ctx = page_context("victims")
st.title("Victims and assistance")
ctx.cutoff_note()
figures = ctx.figures
victims = figures.count("victims")

c1, c2, c3, c4 = st.columns(4)
with c1:
    figure_metric(ctx, "Victims", victims, help=cases.DEFINITIONS["victims"])
with c2:
    share_metric(
        ctx,
        "Child victims",
        figures.count("victims", "child", "child"),
        victims,
        cases.DEFINITIONS["child_victims"],
    )
with c3:
    share_metric(
        ctx,
        "Victims assisted",
        figures.count("victims", "assisted", "yes"),
        victims,
        cases.DEFINITIONS["victims_assisted"],
    )
with c4:
    statistic_metric(
        ctx,
        "Median days to needs assessment",
        figures.statistic("days_to_needs_assessment"),
        cases.DEFINITIONS["days_to_needs_assessment"],
    )
c1, c2, c3, c4 = st.columns(4)
with c1:
    share_metric(
        ctx,
        "Needs assessed",
        figures.count("victims", "needs_assessed", "yes"),
        victims,
        cases.DEFINITIONS["days_to_needs_assessment"],
    )
with c2:
    share_metric(
        ctx,
        "Declined a service",
        figures.count("victims", "declined", "yes"),
        victims,
        cases.DEFINITIONS["victims_assisted"],
    )
with c3:
    share_metric(
        ctx,
        "Awaiting assessment",
        figures.count("victims", "needs_assessed", "no"),
        victims,
        timeliness.definition("victim_assistance"),
    )
with c4:
    statistic_metric(
        ctx,
        "Median days waiting",
        figures.statistic("days_waiting_for_needs_assessment"),
        timeliness.definition("victim_assistance"),
    )

breakdown_chart(
    ctx,
    figures.breakdown("victims", "un_group"),
    "un_group",
    "Victims of allegations received in the period, UN groups",
    cases.DEFINITIONS["victims"],
)
breakdown_chart(
    ctx,
    figures.breakdown("services", "service"),
    "service",
    "Assistance services referred in the period",
    cases.DEFINITIONS["services"],
    by_count=True,
)
st.subheader("Alleged perpetrators by gender")
breakdown_table(ctx, figures.breakdown("subjects", "gender"), "gender", "subjects")

bundle_download(ctx, "Victims and assistance")

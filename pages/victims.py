"""Victims and assistance: UN victim groups, child victims, services, days to needs assessment."""

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
from psea.settings import settings

ctx = page_context("victims")
st.title("Victims and assistance")
ctx.cutoff_note()
target = settings()["victim_assistance"]["needs_assessment_target_days"]

va = cases.victim_assistance(ctx.con, ctx.period, ctx.entity)
c1, c2, c3, c4 = st.columns(4)
with c1:
    count_metric(
        ctx,
        "Child victims",
        cases.child_victims(ctx.con, ctx.period, ctx.entity),
        help=cases.DEFINITIONS["child_victims"],
    )
with c2:
    count_metric(
        ctx, "Victims assisted", va["victims_assisted"], help=cases.DEFINITIONS["victims_assisted"]
    )
with c3:
    statistic_metric(
        ctx,
        "Median days to needs assessment",
        va["median_days_to_needs_assessment"],
        va["needs_assessed"],
        cases.DEFINITIONS["days_to_needs_assessment"],
    )
with c4:
    rate_metric(
        ctx,
        f"Needs assessed within {target} days",
        va["needs_within_target"],
        va["needs_assessed"],
        cases.DEFINITIONS["days_to_needs_assessment"],
    )

breakdown_chart(
    ctx,
    cases.victims_by_un_group(ctx.con, ctx.period, ctx.entity),
    "un_group",
    "Victims of allegations received in the period, UN groups",
    cases.DEFINITIONS["victims"],
)
breakdown_chart(
    ctx,
    cases.services_by_type(ctx.con, ctx.period, ctx.entity),
    "service",
    "Assistance services referred in the period",
    cases.DEFINITIONS["services"],
    by_count=True,
)
st.subheader("Alleged perpetrators by gender")
breakdown_table(
    ctx, cases.subjects_by_gender(ctx.con, ctx.period, ctx.entity), "gender", "subjects"
)

bundle_download(ctx, "Victims and assistance")

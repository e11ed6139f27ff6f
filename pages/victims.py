"""Victims and assistance: UN victim groups, child victims, services, days to needs assessment."""

import polars as pl
import streamlit as st

from psea import charts
from psea.metrics import cases
from psea.privacy import statistic_label, suppress_breakdown
from psea.settings import settings
from psea.ui import count_metric, page_context, rate_metric

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
    st.metric(
        "Median days to needs assessment",
        statistic_label(
            va["median_days_to_needs_assessment"], va["needs_assessed"], ctx.viewer.exact
        ),
        help=cases.DEFINITIONS["days_to_needs_assessment"],
    )
with c4:
    rate_metric(
        ctx,
        f"Needs assessed within {target} days",
        va["needs_within_target"],
        va["needs_assessed"],
        cases.DEFINITIONS["days_to_needs_assessment"],
    )

groups = suppress_breakdown(
    cases.victims_by_un_group(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact
)
st.altair_chart(
    charts.breakdown_bars(
        groups,
        "un_group",
        title="Victims of allegations received in the period, UN groups",
        k=ctx.k,
    ),
    width="stretch",
)
st.caption("How is this counted: " + cases.DEFINITIONS["victims"])

services = suppress_breakdown(
    cases.services_by_type(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact
)
st.altair_chart(
    charts.breakdown_bars(
        services, "service", title="Assistance services referred in the period", k=ctx.k
    ),
    width="stretch",
)
st.caption("How is this counted: " + cases.DEFINITIONS["services"])

subjects = suppress_breakdown(
    cases.subjects_by_gender(ctx.con, ctx.period, ctx.entity), exact=ctx.viewer.exact
)
st.subheader("Alleged perpetrators by gender")
st.dataframe(subjects.select("gender", pl.col("shown").alias("subjects")), hide_index=True)

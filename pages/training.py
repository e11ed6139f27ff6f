"""Training and awareness: coverage over time and by region/mission, completions, audit-risk list."""

import polars as pl
import streamlit as st

from psea.app.audit_lists import audit_risk_tables
from psea.app.page import (
    bundle_download,
    coverage_metric,
    digest,
    download_table,
    page_context,
    rate_metric,
    show_chart,
    show_table,
)
from psea.app.session import connection, data_version
from psea.metrics import training
from psea.present import charts

ctx = page_context("training")
st.title("Training and awareness")
ctx.cutoff_note()
end = ctx.period.end

ind = training.induction_within_window(ctx.con, ctx.period, ctx.entity).row(0, named=True)
c1, c2, c3 = st.columns(3)
with c1:
    coverage_metric(ctx)
with c2:
    rate_metric(
        ctx,
        "Induction within 30 days",
        ind["inducted"],
        ind["joiners"],
        training.definition("induction_30d"),
    )
with c3:
    st.metric(
        "The Values we Share, cumulative",
        f"{training.values_we_share_cumulative(ctx.con, end, ctx.entity):,}",
        help=training.definition("values_we_share_cumulative"),
    )

dates = training.year_ends(end)


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage_over_time(warehouse: str, version: str, dates: tuple, entity):
    return training.coverage_over_time(connection(), list(dates), entity)


over_time = _coverage_over_time(
    st.session_state["warehouse"], data_version(ctx.con), tuple(dates), ctx.entity
)
show_chart(
    ctx,
    lambda: charts.coverage_line(over_time, "Mandatory PSEA coverage at each year end"),
    "Coverage over time",
    key=("coverage_line", digest(over_time)),
    table=over_time,
    percent=("coverage",),
)
st.caption("How is this counted: " + training.definition("mandatory_coverage"))
st.caption(training.coverage_bounds().sentence)

by_region = training.mandatory_coverage(ctx.con, end, ctx.entity, by="region")
show_chart(
    ctx,
    lambda: charts.breakdown_bars(
        by_region.rename({"coverage": "coverage_share"}),
        "region",
        "coverage_share",
        title="Mandatory coverage by region",
    ),
    "Coverage by region",
    key=("breakdown_bars", digest(by_region)),
)
show_table(ctx, by_region, "Coverage by region", percent=("coverage",))
by_mission = training.mandatory_coverage(ctx.con, end, ctx.entity, by=("region", "mission"))
st.subheader("Coverage by mission")
region_pick = st.selectbox(
    "Region", sorted(by_mission["region"].drop_nulls().unique()), key="training_region"
)
missions = by_mission.filter(pl.col("region") == region_pick)
show_chart(
    ctx,
    lambda: charts.breakdown_bars(
        missions.rename({"coverage": "coverage_share"}),
        "mission",
        "coverage_share",
        title=f"Mandatory coverage by mission, {region_pick}",
    ),
    "Coverage by mission",
    key=("breakdown_bars", region_pick, digest(missions)),
    table=missions,
    percent=("coverage",),
)
download_table(ctx, missions, "Coverage by mission")
st.subheader("Completions in the period by course")
completions = training.completions_by_course(ctx.con, ctx.period, ctx.entity)
show_table(ctx, completions, "Completions by course")

st.subheader("Missions flagged as audit risks")
audit_risk_tables(ctx, training.audit_risk(ctx.con, end, ctx.entity))

bundle_download(ctx, "Training and awareness", {"region": region_pick})

"""Manager PSEA performance indicators: the evidence behind each manager's appraisal indicator,
entity -> mission -> manager, and the missions auditors would flag."""

import polars as pl
import streamlit as st

from psea.app.audit_lists import audit_risk_tables
from psea.app.page import (
    bundle_download,
    dataframe,
    digest,
    download_table,
    page_context,
    show_chart,
)
from psea.app.session import connection, data_version
from psea.metrics import managers, training
from psea.present import charts
from psea.present import managers as manager_view
from psea.present.labels import label

ctx = page_context("managers")
st.title("Manager PSEA performance indicators")
ctx.cutoff_note()
on = ctx.period.end
limits = managers.thresholds()
st.caption(
    f"Indicators at the cut-off {on.isoformat()}. Managers appear under their pseudonymous reference only. "
    + (
        "Exact figures for every team (analyst)."
        if ctx.viewer.exact
        else f"Teams and reporting lines of fewer than {limits['minimum_team_size']} people: "
        "team too small to report."
    )
)

with st.expander("Thresholds in force and how each indicator is counted"):
    st.markdown("\n".join(manager_view.definitions()))


@st.cache_data(show_spinner="Computing the indicators…", max_entries=16)
def _scorecard(warehouse: str, data_version: str, on, entity, exact: bool):
    """The scorecard as the role may see it (managers.publish: exact, or small teams withheld),
    cached per warehouse state, cut-off, entity and that view."""
    return managers.publish(managers.scorecard(connection(), on, entity), exact)


published = _scorecard(
    st.session_state["warehouse"], data_version(ctx.con), on, ctx.entity, ctx.viewer.exact
)
if published.is_empty():
    st.info("No manager is active at this cut-off in the roster.")
    st.stop()

# entity -> region -> mission drill-down (personnel figures: any mission may be chosen)
c1, c2 = st.columns(2)
regions = sorted(published["region"].unique().to_list())
region = c1.selectbox("Region", ["All regions", *regions], key="mgr_region")
scope = published if region == "All regions" else published.filter(pl.col("region") == region)
missions = sorted(scope["mission"].unique().to_list())
mission = c2.selectbox("Mission", ["All missions", *missions], key="mgr_mission")
if mission != "All missions":
    scope = scope.filter(pl.col("mission") == mission)
where = " · ".join(x for x in (ctx.entity or "all entities", region, mission) if "All" not in x)

for column, (name, value, caption, definition) in zip(
    st.columns(4), manager_view.summary(scope), strict=True
):
    column.metric(name, value, help=definition)
    if caption:
        column.caption(caption)

st.subheader("Status colours per indicator")
colours = managers.colour_counts(scope)
show_chart(
    ctx,
    lambda: charts.status_bars(colours, title=f"Managers per colour, {where}"),
    "Managers per colour",
    key=("status_bars", where, digest(colours)),
    table=colours,
)
if mission == "All missions":
    by = "region" if region == "All regions" else "mission"
    team_cov = managers.colour_counts(scope, by=by).filter(
        pl.col("indicator") == managers.INDICATORS["team_coverage"]
    )
    show_chart(
        ctx,
        lambda: charts.status_bars(team_cov, y=by, title=f"Team mandatory coverage per {by}"),
        f"Team coverage per {by}",
        key=("status_bars", by, digest(team_cov)),
        table=team_cov,
    )

st.subheader("Scorecard")
st.caption("Click a column header to sort by that indicator.")
table = manager_view.scorecard_table(scope)
percent = st.column_config.NumberColumn(format="percent")
dataframe(
    table,
    hide_index=True,
    column_config={
        **dict.fromkeys(manager_view.PERCENT_COLUMNS, percent),
        "appraisal_year": st.column_config.NumberColumn(format="%d"),
    },
)
download_table(ctx, table, "Manager scorecard")

st.subheader("Appraisal rating against the evidence")
st.caption(
    "Managers rated 'met' with red evidence, and managers rated 'not met' whose evidence is green: "
    "the cases an appraisal reviewer looks at first."
)
mismatch = table.filter(scope["rating_vs_evidence"])
dataframe(
    mismatch.select(
        "mission", "person_ref", "role", "appraisal_year", "appraisal_rating", "evidence_note"
    ),
    hide_index=True,
)

st.subheader("Missions flagged as audit risks")
risk_table = training.audit_risk(ctx.con, on, ctx.entity)
if region != "All regions":
    risk_table = risk_table.filter(pl.col("region") == region)
if mission != "All missions":
    risk_table = risk_table.filter(pl.col("mission") == mission)
audit_risk_tables(ctx, risk_table)

st.subheader("A manager's card")
labels = manager_view.manager_choices(scope)
person = st.selectbox(
    "Manager (pseudonymous reference)", list(labels), key="mgr_person", format_func=labels.get
)
row = scope.filter(pl.col("person_ref") == person).row(0, named=True)
st.caption(
    f"{label(row['role'])} · mission {row['mission']} ({row['region']}) · {row['evidence_note']}"
)


cards = st.columns(3)
for i, (name, value, detail, definition) in enumerate(manager_view.card(row)):
    with cards[i % 3]:
        st.metric(name, value, help=definition)
        st.caption(detail)

dates = manager_view.year_ends(on)


@st.cache_data(show_spinner=False, max_entries=64)
def _trend(warehouse: str, data_version_: str, person: str, entity: str, dates: tuple, exact):
    """The manager's figures at each date, as the role may see them."""
    history = managers.trend(connection(), person, entity, list(dates))
    return history if history.is_empty() else managers.publish(history, exact)


history = _trend(
    st.session_state["warehouse"],
    data_version(ctx.con),
    person,
    row["entity"],
    tuple(dates),
    ctx.viewer.exact,
)
if not history.is_empty():
    if (
        history["team_coverage"].is_not_null().any()
        or history["team_induction_30d"].is_not_null().any()
    ):
        show_chart(
            ctx,
            lambda: charts.indicator_trend(
                history, f"Team indicators of {person} at each year end"
            ),
            "Manager trend",
            key=("indicator_trend", person, digest(history)),
        )
    else:
        st.caption(
            "No team figure to chart over the last years (no team, or team too small to report)."
        )
    dataframe(
        history.select(
            "date",
            "team_size",
            "team_coverage",
            "team_induction_30d",
            "own_training_current",
            "appraisal_year",
            "appraisal_rating",
        ),
        hide_index=True,
        column_config={"team_coverage": percent, "team_induction_30d": percent},
    )

bundle_download(ctx, "Manager PSEA performance indicators", {"region": region, "mission": mission})

"""Manager PSEA performance indicators: the evidence behind each manager's appraisal indicator,
entity -> mission -> manager, and the missions auditors would flag."""

import datetime as dt

import polars as pl
import streamlit as st

from psea.app.page import (
    bundle_download,
    dataframe,
    download_table,
    page_context,
    show_chart,
    show_table,
)
from psea.app.session import connection, data_version
from psea.metrics import managers, training
from psea.present import charts

STATUS_MARK = {
    "green": "green",
    "amber": "amber",
    "red": "red",
    "too small": "team too small to report",
    "no data": "no data",
    "not applicable": "not applicable",
}

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

with st.expander("Thresholds in force (config/settings.yaml) and how each indicator is counted"):
    st.markdown(f"- **Team**: {managers.definition('team')}")
    st.markdown(f"- **Reporting line**: {managers.definition('line')}")
    for name, label in managers.INDICATORS.items():
        st.markdown(f"- **{label}**: {managers.definition(name)}")
        if name == "team_coverage":
            st.markdown(f"- **{managers.LINE_COVERAGE}**: {managers.definition('line_coverage')}")
    st.markdown(
        f"- **Minimum team size** for roles without exact figures: {limits['minimum_team_size']}."
    )


@st.cache_data(show_spinner="Computing the indicators…", max_entries=16)
def _scorecard(warehouse: str, data_version: str, on, entity):
    """Exact figures, cached per warehouse state, cut-off and entity (the role's view of them is
    made below, by managers.publish, on every run)."""
    return managers.scorecard(connection(), on, entity)


published = managers.publish(
    _scorecard(st.session_state["warehouse"], data_version(ctx.con), on, ctx.entity),
    ctx.viewer.exact,
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

chiefs = scope.filter(pl.col("role") == "chief_of_mission")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Managers", f"{scope.height:,}", help=managers.definition("team"))
m2.metric("Chiefs of mission", f"{chiefs.height:,}")
own = scope["own_training_current"].sum()
m3.metric(
    "Own training current",
    f"{own / scope.height:.0%}",
    help=managers.definition("own_training_current"),
)
m3.caption(f"{own:,} of {scope.height:,}")
m4.metric(
    "Rated met, evidence red",
    f"{scope.filter(pl.col('appraisal_rating') == 'met').filter(pl.col('rating_vs_evidence')).height:,}",
    help="Managers rated 'met' whose team coverage, induction, own training, mission sessions or "
    "contract clauses are red.",
)

st.subheader("Status colours per indicator")
show_chart(
    ctx,
    charts.status_bars(managers.colour_counts(scope), title=f"Managers per colour, {where}"),
    "Managers per colour",
)
if mission == "All missions":
    by = "region" if region == "All regions" else "mission"
    team_cov = managers.colour_counts(scope, by=by).filter(
        pl.col("indicator") == managers.INDICATORS["team_coverage"]
    )
    show_chart(
        ctx,
        charts.status_bars(team_cov, y=by, title=f"Team mandatory coverage per {by}"),
        f"Team coverage per {by}",
    )

st.subheader("Scorecard")
st.caption("Click a column header to sort by that indicator.")
table = scope.select(
    "entity",
    "mission",
    "person_ref",
    "role",
    "team_size",
    pl.col("team_coverage"),
    pl.col("team_coverage_status").replace_strict(STATUS_MARK).alias("team coverage status"),
    "line_size",
    pl.col("line_coverage"),
    pl.col("line_coverage_status").replace_strict(STATUS_MARK).alias("line coverage status"),
    pl.col("team_induction_30d"),
    pl.col("team_induction_30d_status").replace_strict(STATUS_MARK).alias("induction status"),
    "own_training_current",
    "mission_staff_sessions",
    pl.col("mission_staff_sessions_status").replace_strict(STATUS_MARK).alias("sessions status"),
    "contract_clause_rate",
    pl.col("contract_clause_rate_status").replace_strict(STATUS_MARK).alias("clauses status"),
    "appraisal_year",
    "appraisal_rating",
    "evidence_note",
)
percent = st.column_config.NumberColumn(format="percent")
dataframe(
    table,
    hide_index=True,
    column_config={
        "team_coverage": percent,
        "line_coverage": percent,
        "team_induction_30d": percent,
        "contract_clause_rate": percent,
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
st.caption(training.definition("audit_risk"))
risk_table = training.audit_risk_list(ctx.con, on, ctx.entity)
if region != "All regions":
    risk_table = risk_table.filter(pl.col("region") == region)
if mission != "All missions":
    risk_table = risk_table.filter(pl.col("mission") == mission)
show_table(ctx, risk_table, "Audit-risk missions", percent=("coverage",))

st.subheader("A manager's card")
ordered = scope.sort("role", "mission", "person_ref")
labels = {
    r: f"{r} · {role.replace('_', ' ')} · {m}"
    for r, role, m in ordered.select("person_ref", "role", "mission").iter_rows()
}
person = st.selectbox(
    "Manager (pseudonymous reference)", list(labels), key="mgr_person", format_func=labels.get
)
row = scope.filter(pl.col("person_ref") == person).row(0, named=True)
st.caption(
    f"{row['role'].replace('_', ' ')} · mission {row['mission']} ({row['region']}) · {row['evidence_note']}"
)


def _rate(value, num, den, empty: str) -> tuple[str, str]:
    if value is None:
        return "no data", empty
    return f"{value:.0%}", f"{num:,} of {den:,}"


cards = st.columns(3)
small = row["team_too_small"]
figures = {
    "team_coverage": (
        (managers.TOO_SMALL, "")
        if small
        else _rate(row["team_coverage"], row["team_covered"], row["team_size"], "no team")
    ),
    "line_coverage": (
        (managers.TOO_SMALL, "")
        if row["line_too_small"]
        else _rate(row["line_coverage"], row["line_covered"], row["line_size"], "no one below")
    ),
    "team_induction_30d": (
        (managers.TOO_SMALL, "")
        if small
        else _rate(
            row["team_induction_30d"],
            row["team_inducted"],
            row["team_joiners"],
            "no joiner in the 12 months",
        )
    ),
    "own_training_current": ("yes" if row["own_training_current"] else "no", ""),
    "mission_staff_sessions": (
        ("not applicable", "")
        if row["mission_staff_sessions"] is None
        else (f"{row['mission_staff_sessions']:,}", row["mission_risk_reason"] or "not flagged")
    ),
    "contract_clause_rate": (
        ("not applicable", "")
        if row["role"] != "chief_of_mission"
        else _rate(
            row["contract_clause_rate"],
            row["contracts_with_clause"],
            row["contracts_signed"],
            "no contract signed in the 12 months",
        )
    ),
    "appraisal_rating": (
        ("no appraisal on record", "")
        if row["appraisal_rating"] is None
        else (row["appraisal_rating"].replace("_", " "), f"appraisal of {row['appraisal_year']}")
    ),
}
for i, (name, (value, detail)) in enumerate(figures.items()):
    with cards[i % 3]:
        label = managers.INDICATORS.get(name, managers.LINE_COVERAGE)
        st.metric(label, value, help=managers.definition(name))
        st.caption(" · ".join(x for x in (STATUS_MARK[row[f"{name}_status"]], detail) if x))

dates = [dt.date(y, 12, 31) for y in range(on.year - 4, on.year) if dt.date(y, 12, 31) < on] + [on]


@st.cache_data(show_spinner=False, max_entries=64)
def _trend(warehouse: str, data_version_: str, person: str, entity: str, dates: tuple):
    return managers.trend(connection(), person, entity, list(dates))


history = _trend(
    st.session_state["warehouse"], data_version(ctx.con), person, row["entity"], tuple(dates)
)
if not history.is_empty():
    history = managers.publish(history, ctx.viewer.exact)
    if (
        history["team_coverage"].is_not_null().any()
        or history["team_induction_30d"].is_not_null().any()
    ):
        show_chart(
            ctx,
            charts.indicator_trend(history, f"Team indicators of {person} at each year end"),
            "Manager trend",
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

"""Data quality (analysts, administrators): freshness of each extract, the load history with each
load's contract results, the contract suites, and the rows loaded over time. An analyst sees the
loads of their own entity only; files no entity is known of, only the administrator."""

import json

import polars as pl
import streamlit as st

from data_contracts import contract_for, contracts
from psea.app.page import audited, dataframe, digest, draw_chart, require_page
from psea.app.session import connection
from psea.metrics import status
from psea.metrics.snapshots import snapshot_history
from psea.metrics.status import freshness
from psea.present import data_quality as dq_view
from psea.present import exports

viewer = require_page("data_quality")
con = connection()
st.title("Data quality")

st.subheader("Freshness")
st.caption(
    "Extracts are expected every quarter: the latest as_of of each extract and entity should be "
    "the last quarter end before today."
)
fresh = freshness(con)
if viewer.entity is not None:
    fresh = fresh.filter(pl.col("entity") == viewer.entity)
late = fresh.filter(pl.col("quarters_behind") > 0)
c1, c2, c3 = st.columns(3)
accepted, rejected = status.load_counts(con, viewer.entity)
c1.metric("Accepted loads", f"{accepted:,}")
c2.metric("Rejected loads", f"{rejected:,}")
c3.metric("Extracts late", f"{late.height:,} of {fresh.height:,}")
dataframe(fresh, hide_index=True)

st.subheader("Load history")
history = status.load_history(con, viewer.entity)
status_filter = st.multiselect(
    "Status",
    ["accepted", "superseded", "rejected"],
    default=["accepted", "superseded", "rejected"],
    key="dq_status",
)
shown = history.filter(pl.col("status").is_in(status_filter))
dataframe(shown, hide_index=True)
st.download_button(
    "Download the load history (CSV)",
    audited(viewer, lambda: exports.table_bytes(shown, "csv"), what="load_history"),
    file_name="load_history.csv",
    mime="text/csv",
    key="dl-history",
    on_click="ignore",
)

st.subheader("Store snapshots")
st.caption(
    "Each committed write to the store is a snapshot: a load (with its manifest and audit "
    "entry), a release, a saved report. Releases, briefs and UN submissions record the snapshot "
    "they read, so that each can be rebuilt from exactly that state (`psea brief --at-snapshot`)."
)
dataframe(snapshot_history(con, viewer.entity), hide_index=True)

st.subheader("Contract results of a load")
if history.is_empty():
    st.info("Nothing loaded yet.")
else:
    load_id = st.selectbox(
        "Load",
        history["load_id"].to_list(),
        key="dq_load",
        format_func=lambda i: " · ".join(
            str(v)
            for v in history.filter(pl.col("load_id") == i)
            .select("file_name", "status", "as_of")
            .row(0)
        ),
    )
    outcome, kind, gx_result, message = status.load_outcome(con, load_id, viewer.entity)
    if outcome == "rejected":
        st.error("Rejected: nothing of this file was loaded. Why, and the problems by row:")
        st.text(message or "")  # plain text: an older warehouse's message may quote a file
        problems = status.load_problems(con, load_id, viewer.entity)
        dataframe(problems, hide_index=True)
        st.download_button(
            "Download the problems (CSV)",
            audited(
                viewer,
                lambda: exports.table_bytes(problems, "csv"),
                what="load_problems",
                load_id=load_id,
            ),
            file_name=f"problems_{load_id}.csv",
            mime="text/csv",
            key="dl-problems",
            on_click="ignore",
        )
    else:
        st.success("Every rule of the contract passed on every row (the row engine).")
    result = json.loads(gx_result) if gx_result else None
    if result:
        st.markdown(
            f"**Great Expectations suite** `{result.get('suite', kind)}`: "
            f"{'passed' if result['success'] else 'failed'}, {result['evaluated']} expectations on "
            f"{result['rows_validated']:,} rows."
        )
        if result.get("expectations"):
            dataframe(pl.DataFrame(result["expectations"]), hide_index=True)
        validation = status.gx_validation(con, load_id)
        if validation:

            def render_docs() -> str:  # GX's renderer, run when the page is asked for
                from data_contracts.gx_suite import data_docs

                return data_docs(validation)

            st.download_button(
                "Great Expectations Data Docs of this load (HTML)",
                audited(viewer, render_docs, what="data_docs", load_id=load_id),
                file_name=f"data_docs_{load_id}.html",
                mime="text/html",
                key="dl-data-docs",
                on_click="ignore",
            )
            st.caption(
                "GX's own page for this validation: counts only, no data values; self-contained "
                "(it loads nothing from the internet). Open it in a browser."
            )
    elif outcome != "rejected":
        st.caption(
            "No Great Expectations run is recorded for this load (the bundled demo is built "
            "without it); every file loaded through this page or `psea ingest` records one."
        )

st.subheader("The contracts (the suites' documentation)")
kind = st.selectbox("Extract", sorted(contracts()), key="dq_contract")
contract = contract_for(kind)
st.caption(f"data_contracts/{kind}.yaml · version {contract.version}")
st.markdown(contract.purpose)
dataframe(dq_view.contract_columns(contract), hide_index=True)
if contract.rules:
    st.markdown("**Table rules**")
    dataframe(dq_view.contract_rules(contract), hide_index=True)
# a toggle, not an expander: an expander's body runs even when closed, and GX takes ~2.5 s to import
if st.toggle("Show the Great Expectations suite built from this contract", key="dq_suite"):
    import datetime as dt

    from data_contracts.gx_suite import expectations_for, suite_data_docs

    expectations = expectations_for(contract, dt.date.today())
    st.download_button(
        "Data Docs of this suite (HTML)",
        suite_data_docs(contract, dt.date.today()),
        file_name=f"data_docs_{kind}_suite.html",
        mime="text/html",
        key="dl-suite-docs",
    )
    st.caption(
        f"Suite `{kind}_contract_v{contract.version}`: {len(expectations)} expectations; the row engine "
        "checks every rule on every row first, the suite is the safety net."
    )
    dataframe(dq_view.suite_table(expectations), hide_index=True)

st.subheader("Rows loaded over time")
over_time = status.rows_loaded_over_time(con, viewer.entity)
if over_time.height:
    draw_chart(("rows_loaded", digest(over_time)), lambda: dq_view.rows_loaded_chart(over_time))

st.subheader("The protected release of case figures")
st.caption(
    "Every case figure a role without exact access sees comes from this release: built after each "
    "load of case data, audited (a linear program per connected group of hidden cells proves that "
    "none can be worked out), and published only when the audit passes."
)
from psea.cli.release import describe  # noqa: E402 - the same summary as `psea release`

info = describe(con)
if info is None:
    st.info("No release is published yet.")
else:
    figures, lines = dq_view.release_lines(info)
    for column, (label, value, help_text) in zip(st.columns(4), figures, strict=True):
        column.metric(label, value, help=help_text)
    for line in lines:
        st.text(line)

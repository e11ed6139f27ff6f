"""The UN quarterly submission (analysts): exact figures, each production audit-logged."""

import streamlit as st

from pipelines.audit import record
from psea import exports
from psea.app.page import audited, dataframe, require_page
from psea.app.session import connection
from psea.metrics import un_quarterly

viewer = require_page("un_quarterly")
con = connection()
st.title("UN quarterly submission")
st.caption(
    "Exact figures for the organization's submission to the UN system-wide data. Every production is recorded in the audit log."
)
quarters = [f"{y}Q{q}" for y in range(2026, 2011, -1) for q in (4, 3, 2, 1)]
entities = [r[0] for r in con.sql("select distinct entity from cases order by 1").fetchall()]
entity = viewer.entity or st.sidebar.selectbox("Entity", entities, key="uq_entity")
quarter = st.sidebar.selectbox(
    "Quarter", quarters, index=quarters.index("2018Q2"), key="uq_quarter"
)
period = un_quarterly.parse_quarter(quarter)
rows = un_quarterly.allegations(con, entity, period)
totals = un_quarterly.totals(rows)
st.caption(f"Allegations received {period.label} · data as of {period.end} · entity {entity}")
st.subheader("Totals")
dataframe(totals, hide_index=True)
st.subheader("Allegations")
dataframe(rows.drop("case_ref"), hide_index=True)
key = (entity, quarter)
if st.session_state.get("uq_logged") != key:
    record(
        con,
        viewer.identity,
        viewer.role,
        "produce_exact_figures",
        report="un_quarterly",
        entity=entity,
        quarter=quarter,
    )
    st.session_state["uq_logged"] = key
st.download_button(
    "Download totals.csv",
    audited(
        viewer,
        lambda: exports.table_bytes(totals, "csv"),
        what="un_quarterly_totals",
        entity=entity,
        quarter=quarter,
    ),
    file_name=f"un_quarterly_{entity}_{quarter}_totals.csv",
    mime="text/csv",
    on_click="ignore",
)
st.download_button(
    "Download allegations.csv",
    audited(
        viewer,
        lambda: exports.table_bytes(rows.drop("case_ref"), "csv"),
        what="un_quarterly_allegations",
        entity=entity,
        quarter=quarter,
    ),
    file_name=f"un_quarterly_{entity}_{quarter}_allegations.csv",
    mime="text/csv",
    on_click="ignore",
)

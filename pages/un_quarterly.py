"""The UN quarterly submission (analysts): exact figures, each production audit-logged."""

import datetime as dt

import streamlit as st

from pipelines.audit import record
from psea.app.page import audited, dataframe, require_page
from psea.app.session import connection
from psea.metrics import un_quarterly
from psea.metrics.catalog import case_row_entities
from psea.present import exports

viewer = require_page("un_quarterly")
con = connection()
st.title("UN quarterly submission")
st.caption(
    "Exact figures for the organization's submission to the UN system-wide data. Every production is recorded in the audit log."
)
entity = viewer.entity or st.sidebar.selectbox("Entity", case_row_entities(con), key="uq_entity")
quarters = un_quarterly.submission_quarters(con, entity, dt.date.today()) if entity else []
if not quarters:
    st.info(f"No case data of {entity or 'any entity'} yet: nothing to submit.")
    st.stop()
default = un_quarterly.latest_reported_quarter(con, entity, quarters) or quarters[0]
quarter = st.sidebar.selectbox("Quarter", quarters, index=quarters.index(default), key="uq_quarter")
period = un_quarterly.parse_quarter(quarter)
try:
    sent = un_quarterly.submission(con, entity, period)
except un_quarterly.NotYetReported as refusal:
    st.warning(f"{quarter}: {refusal}. The submission is produced once they reach {period.end}.")
    st.stop()
st.caption(
    f"Allegations received {period.label} · data as of {sent.as_of} (the latest case snapshot) · "
    f"entity {entity} · each allegation under its UN reference, assigned once and kept"
)
TABLES = {
    "totals": (sent.totals, "Totals by each dimension."),
    "allegations": (sent.allegations, "One row per allegation received in the quarter."),
    "updates": (
        sent.updates,
        "Allegations of earlier submissions whose status, action or referral changed in the quarter "
        "(the data as of the previous quarter's end against this quarter's end).",
    ),
}
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
        as_of=sent.as_of,
    )
    st.session_state["uq_logged"] = key
for name, (table, note) in TABLES.items():
    st.subheader(name.capitalize())
    st.caption(note)
    if table.is_empty():
        st.caption(f"No {name} in {quarter}.")
    else:
        dataframe(table, hide_index=True)
    st.download_button(
        f"Download {name}.csv",
        audited(
            viewer,
            lambda table=table: exports.table_bytes(table, "csv", plain_words=False),
            what=f"un_quarterly_{name}",
            entity=entity,
            quarter=quarter,
        ),
        file_name=f"un_quarterly_{entity}_{quarter}_{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"uq_download_{name}",
    )

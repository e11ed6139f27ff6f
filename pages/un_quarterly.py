"""The UN quarterly submission (analysts): exact figures, a ledger of every production."""

import datetime as dt

import streamlit as st

from pipelines.audit import record
from psea.app.page import dataframe, require_page
from psea.app.session import connection
from psea.app.un_ledger import ledger_view, show_outstanding, show_productions
from psea.metrics import un_quarterly
from psea.metrics.catalog import case_row_entities
from psea.metrics.un_production import produce
from psea.metrics.un_terms import entity_kind

viewer = require_page("un_quarterly")
con = connection()
st.title("UN quarterly submission")
st.caption(
    "Exact figures for the organization's submission to the UN system-wide data: every allegation "
    "goes out once as new, whenever it was entered, and every later change once as an update. "
    "Every production is recorded, with its files exactly as produced."
)
entity = viewer.entity or st.sidebar.selectbox("Entity", case_row_entities(con), key="uq_entity")
quarters = un_quarterly.submission_quarters(con, entity, dt.date.today()) if entity else []
if not quarters:
    st.info(f"No case data of {entity or 'any entity'} yet: nothing to submit.")
    st.stop()
default = un_quarterly.latest_reported_quarter(con, entity, quarters) or quarters[0]
quarter = st.sidebar.selectbox("Quarter", quarters, index=quarters.index(default), key="uq_quarter")
period = un_quarterly.parse_quarter(quarter)
ledger = ledger_view(con, entity)
sent = ledger.submissions.get(quarter)
if sent is None:
    refusal = un_quarterly.not_yet_reported(con, entity, period)
    st.warning(f"{quarter}: {refusal}. The submission is produced once they reach {period.end}.")
if sent is not None:
    st.caption(
        f"{quarter} · {entity}, an {entity_kind(entity)} · case data as of {sent.as_of} (the "
        "snapshot for the quarter's end) · each allegation under its UN reference, kept for good"
    )
    for note in sent.notes():
        st.warning(note)
    if st.session_state.get("uq_logged") != (entity, quarter):
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
        st.session_state["uq_logged"] = (entity, quarter)
    if st.button(f"Produce {quarter} for the UN", key="uq_produce", type="primary"):
        made = produce(con, entity, period, viewer.identity, viewer.role)
        st.success("\n\n".join(made.summary()))
        ledger = ledger_view(con, entity)  # the ledger now holds it
    TABLES = {
        "totals": (sent.totals, "Totals by each dimension, over the new allegations."),
        "allegations": (
            sent.allegations,
            "New allegations: received in the quarter, or received earlier and entered late "
            "(`reported_late`).",
        ),
        "updates": (
            sent.updates,
            "Changes of allegations sent before, between the snapshots of the previous quarter's "
            "end and this quarter's end; `withdrawn` for one gone from the data.",
        ),
    }
    for name, (table, note) in TABLES.items():
        st.subheader(name.capitalize())
        st.caption(note)
        if table.is_empty():
            st.caption(f"No {name} in {quarter}.")
        else:
            dataframe(table, hide_index=True)

st.divider()
show_outstanding(ledger)
st.divider()
show_productions(con, viewer, entity)

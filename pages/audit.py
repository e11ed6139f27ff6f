"""The append-only audit log (administrators): sign-ins, loads, exports, exact-figure productions
and calendar changes, with filters and a download."""

import datetime as dt

import streamlit as st

from pipelines import audit as audit_log
from psea.app.page import audited, dataframe, require_page
from psea.app.session import connection
from psea.present import exports

viewer = require_page("audit")
con = connection()
st.title("Audit log")
st.caption(
    "Every sign-in, load, export, production of exact figures and meeting added: who, when, what, "
    "with which filters. The application only ever appends to this log."
)
actions = audit_log.actions(con)
first = audit_log.first_day(con) or dt.date.today()
c1, c2, c3 = st.columns(3)
chosen = c1.multiselect("Actions", actions, default=actions, key="audit_actions")
who = c2.text_input("Actor contains", key="audit_actor")
days = c3.date_input(
    "Between", value=(first, dt.date.today()), key="audit_days", format="YYYY-MM-DD"
)
start, end = (days[0], days[-1]) if isinstance(days, tuple) and days else (first, dt.date.today())
log = audit_log.entries(con, chosen, start, end, who)
st.caption(f"{log.height:,} entries")
dataframe(log, hide_index=True)
st.download_button(
    "Download these entries (CSV)",
    audited(
        viewer,
        lambda: exports.table_bytes(log, "csv"),
        what="audit_log",
        actions=chosen,
        actor_filter=who,
        start=start,
        end=end,
    ),
    file_name=f"audit_log_{start}_{end}.csv",
    mime="text/csv",
    key="dl-audit",
    on_click="ignore",
)

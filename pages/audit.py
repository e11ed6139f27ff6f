"""The append-only audit log (administrators)."""

import streamlit as st

from psea import exports
from psea.ui import connection, dataframe, require_page

require_page("audit")
con = connection()
st.title("Audit log")
actions = [r[0] for r in con.sql("select distinct action from audit_log order by 1").fetchall()]
chosen = st.sidebar.multiselect("Actions", actions, default=actions, key="audit_actions")
log = con.sql(
    "select logged_at, actor, role, action, detail from audit_log where list_contains($a, action) order by logged_at desc",
    params={"a": chosen or [""]},
).pl()
dataframe(log, hide_index=True)
st.download_button(
    "Download the audit log (CSV)",
    exports.table_bytes(log, "csv"),
    file_name="audit_log.csv",
    mime="text/csv",
)

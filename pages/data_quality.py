"""Data quality: the load history from the manifest and what each extract holds."""

import streamlit as st

from psea.status import warehouse_status
from psea.ui import connection, require_page

require_page("data_quality")
con = connection()
st.title("Data quality")
report = warehouse_status(con)
st.subheader("Extracts")
st.dataframe([{"extract": k, **v} for k, v in report["extracts"].items()], hide_index=True)
st.subheader("Load history")
st.dataframe(
    con.sql("""select load_id, file_name, kind, as_of, status, rows_in, rows_loaded, rows_rejected, message, finished_at
               from load_manifest order by finished_at desc limit 500""").pl(),
    hide_index=True,
)

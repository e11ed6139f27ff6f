"""PSEA Oversight: the dashboard's entry point (navigation over the pages a role may use)."""

import streamlit as st

from psea.app.shell import run

st.set_page_config(page_title="PSEA Oversight", page_icon=":material/shield:", layout="wide")
run()

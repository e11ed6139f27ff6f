"""The app shell: which warehouse, who is signed in, which pages they may open."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

DEMO_WAREHOUSE = Path(os.environ.get("PSEA_DEMO_WAREHOUSE", "data/demo.duckdb"))


@st.cache_resource(show_spinner="Building the synthetic demo warehouse (first start only)…")
def demo_warehouse() -> str:
    from pipelines.demo_build import build_demo

    if not DEMO_WAREHOUSE.exists():
        build_demo(DEMO_WAREHOUSE)
    return str(DEMO_WAREHOUSE)


def run() -> None:
    path = demo_warehouse()
    st.title("PSEA Oversight")
    st.info("Demo mode: every figure here comes from bundled synthetic data. Nothing is real.")
    st.caption(f"Warehouse: {path}")

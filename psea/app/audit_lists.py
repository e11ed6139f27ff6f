"""The audit-risk missions on the Training and Manager pages: the same rule and order as the brief
(psea.metrics.training.audit_risk, psea.present.audit_risk), the small missions listed apart."""

from __future__ import annotations

import polars as pl
import streamlit as st

from psea.app.page import show_table
from psea.metrics import training
from psea.present.audit_risk import at_risk, small_missions

COLUMNS = (
    "entity",
    "mission",
    "region",
    "active",
    "coverage",
    "staff_sessions",
    "last_staff_session",
    "to_reach",
    "reason",
)


def audit_risk_tables(ctx, risk: pl.DataFrame) -> None:
    """`risk`: training.audit_risk's frame (every mission), filtered as the page needs."""
    st.caption(training.definition("audit_risk"))
    larger, small = at_risk(risk), small_missions(risk)
    show_table(ctx, larger.select(COLUMNS), "Audit-risk missions", percent=("coverage",))
    minimum = training.coverage_bounds().minimum_headcount
    st.markdown(f"**Missions of fewer than {minimum} personnel, listed apart** ({small.height})")
    show_table(
        ctx, small.select(COLUMNS), "Audit-risk missions below the minimum headcount", ("coverage",)
    )

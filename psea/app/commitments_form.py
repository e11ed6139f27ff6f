"""The Commitments tab of the meeting workspace: the focal point sets, for the entity, a status and
one line for the Minimum Operating Standards on PSEA and each of the Secretary-General's four
pillars. A change is a new version with who and when, audit-logged (pipelines.commitments)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from pipelines.commitments import COMMITMENTS, STATUSES, save_commitment
from pipelines.progress import MAX_CHARS, TextRefused
from psea.app.access import Viewer
from psea.metrics.commitments import DEFINITION, STATUS_WORDS, TITLES


def commitments_form(con, viewer: Viewer, meeting: dt.date, current: pl.DataFrame) -> str | None:
    """The form; returns what was saved (for the caller's message), or None."""
    st.caption(DEFINITION)
    now = {r["commitment"]: r for r in current.iter_rows(named=True)}
    with st.form("ws-commitments"):
        picked = {}
        for commitment in COMMITMENTS:
            row = now.get(commitment, {})
            left, right = st.columns([1, 3])
            status = left.selectbox(
                TITLES[commitment],
                STATUSES,
                index=STATUSES.index(row["status"]) if row else None,
                format_func=STATUS_WORDS.get,
                placeholder="Not set",
                key=f"ws-cm-status-{commitment}-{meeting}",
            )
            line = right.text_input(
                "Where it stands, in one line",
                row.get("line", ""),
                max_chars=MAX_CHARS,
                key=f"ws-cm-line-{commitment}-{meeting}",
            )
            picked[commitment] = (status, line)
        if not st.form_submit_button("Save the commitments"):
            return None
    saved = 0
    for commitment, (status, line) in picked.items():
        if status is None:
            if line.strip():
                st.error(f"{TITLES[commitment]}: pick a status for the line; nothing was saved.")
                return None
            continue
        try:
            before = now.get(commitment)
            save_commitment(
                con, meeting, viewer.entity, commitment, status, line, viewer.identity, viewer.role
            )
        except TextRefused as err:
            st.error(f"{TITLES[commitment]}: {str(err)}.")
            return None
        saved += before is None or (before["status"], before["line"]) != (
            status,
            " ".join(line.split()),
        )
    return f"Commitments saved ({saved} changed)."

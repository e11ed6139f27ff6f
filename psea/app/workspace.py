"""The meeting workspace on the Briefs page: the focal point (or an analyst) writes the entity's
progress report for a meeting — key messages (prefilled with the figures' suggestions),
accomplishments, challenges, requests to the IASC Principals — and keeps its action points.

Every save is a new version with who and when, audit-logged (pipelines.progress); text that looks
like a direct identifier is refused with its line and rule, never repeated back.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_contracts.free_text import GUIDANCE
from pipelines.progress import (
    ACTION_STATUSES,
    MAX_CHARS,
    MAX_LINES,
    TextRefused,
    add_action_point,
    save_part,
    update_action_point,
)
from psea.app.access import Viewer
from psea.app.commitments_form import commitments_form
from psea.app.page import dataframe
from psea.app.session import data_version, warehouse_cursor
from psea.brief.chapters import action_point_table
from psea.metrics import commitments, progress
from psea.present.labels import label

HELP = {
    "key_messages": "3 to 5 short messages for the meeting, one per line. Until you save, the "
    "field holds suggestions generated from the brief's published figures, each with its figure.",
    "accomplishments": "Notable accomplishments since the previous meeting, one per line.",
    "challenges": "Key challenges, one per line.",
    "requests": "What the Champion should convey to the IASC Principals, one per line.",
}


def _save(con, viewer: Viewer, meeting: dt.date, part: str, text: str) -> None:
    try:
        version = save_part(
            con, meeting, viewer.entity, part, text.splitlines(), viewer.identity, viewer.role
        )
    except TextRefused as err:
        st.error(str(err).capitalize() + ".")
        return
    _done(f"Saved ({progress.PART_TITLES[part].lower()}, version {version}).")


def _done(message: str) -> None:
    """Rerun so that the brief below reads what was just saved; the message survives the rerun."""
    st.session_state["ws-flash"] = message
    st.rerun()


@st.cache_data(max_entries=32, show_spinner=False)
def _state(warehouse: str, version: str, meeting: dt.date, entity: str) -> tuple:
    """The report, the parts written, the history, the action points and the commitments of an
    entity's meeting, read once per warehouse state (the version changes with every save)."""
    cursor = warehouse_cursor(warehouse)
    try:
        return (
            *progress.reports(cursor, meeting, [entity])[entity],
            progress.history(cursor, meeting, entity),
            progress.action_points(cursor, meeting, entity),
            commitments.in_force(cursor, meeting, entity),
        )
    finally:
        cursor.close()


def meeting_workspace(con, viewer: Viewer, meeting: dt.date, suggestions: list[str]) -> None:
    """The workspace of `viewer.entity` for the meeting (the caller checks the role)."""
    entity = viewer.entity
    report, written, history, points, committed = _state(
        st.session_state["warehouse"], data_version(con), meeting, entity
    )
    st.subheader(f"Meeting workspace: {entity}'s progress report")
    if "ws-flash" in st.session_state:
        st.success(st.session_state.pop("ws-flash"))
    st.caption(GUIDANCE + " Every save is kept with who and when, and recorded in the audit log.")
    tabs = st.tabs([*progress.PART_TITLES.values(), "Action points", "Commitments", "History"])
    for tab, part in zip(tabs, progress.PART_TITLES, strict=False):
        with tab, st.form(f"ws-{part}"):
            lines = report[part]
            if part == "key_messages" and part not in written:
                lines = suggestions
                st.info("Suggested from the figures; edit, then save to use them in the brief.")
            text = st.text_area(
                progress.PART_TITLES[part],
                "\n".join(lines),
                height=160,
                max_chars=(MAX_CHARS + 1) * MAX_LINES[part],
                help=HELP[part],
                key=f"ws-text-{part}-{meeting}",
            )
            if st.form_submit_button(f"Save {progress.PART_TITLES[part].lower()}"):
                _save(con, viewer, meeting, part, text)
    with tabs[4]:
        _action_points(con, viewer, meeting, points)
    with tabs[5]:
        saved = commitments_form(con, viewer, meeting, committed)
        if saved:
            _done(saved)
    with tabs[6]:
        if history.is_empty():
            st.text("Nothing written for this meeting yet.")
        else:
            dataframe(history, hide_index=True)


def _action_points(con, viewer: Viewer, meeting: dt.date, points: pl.DataFrame) -> None:
    shown = points.filter(~pl.col("status").is_in(progress.CLOSED) | pl.col("closed_here"))
    st.caption(
        "Open points of earlier meetings are carried into every later brief until closed. The "
        "owner is a role or a unit, never a person's name."
    )
    if shown.is_empty():
        st.text("No open action point.")
    else:
        dataframe(action_point_table(shown), hide_index=True)
    left, right = st.columns(2)
    with left, st.form("ws-raise", clear_on_submit=True):
        st.markdown("**Raise an action point at this meeting**")
        action = st.text_input("Action", max_chars=MAX_CHARS, key="ws-action")
        owner = st.text_input("Owner (a role or a unit)", max_chars=80, key="ws-owner")
        due = st.date_input("Due", value=None, key="ws-due")
        if st.form_submit_button("Raise"):
            try:
                add_action_point(
                    con, meeting, viewer.entity, action, owner, due, viewer.identity, viewer.role
                )
            except ValueError as err:  # TextRefused included: its line and rule, not the text
                st.error(str(err).capitalize() + ".")
            else:
                _done("Action point raised.")
    if shown.is_empty():
        return
    with right, st.form("ws-update"):
        st.markdown("**Change a point's status**")
        ids = shown["point_id"].to_list()
        titles = dict(zip(ids, shown["action"].to_list(), strict=True))
        point = st.selectbox(
            "Action point", ids, format_func=lambda i: titles[i][:80], key="ws-point"
        )
        status = st.selectbox("Status", ACTION_STATUSES, format_func=label, key="ws-status")
        due = st.date_input("New due date (optional)", value=None, key="ws-new-due")
        if st.form_submit_button("Update"):
            try:
                update_action_point(
                    con,
                    point,
                    viewer.entity,
                    meeting,
                    viewer.identity,
                    viewer.role,
                    status=status,
                    due=due,
                )
            except ValueError as err:
                st.error(str(err).capitalize() + ".")
            else:
                _done("Action point updated.")

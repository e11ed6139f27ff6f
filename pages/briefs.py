"""Briefs for the PSEA Senior Focal Point meetings: pick a meeting, write the entity's progress report
in the meeting workspace, preview the brief, download it as DOCX (to edit), PDF or Markdown; the
administrator keeps the meeting calendar."""

import datetime as dt

import streamlit as st

from psea.app import briefs as brief_view
from psea.app.page import require_page
from psea.app.session import connection, data_version
from psea.app.workspace import meeting_workspace
from psea.brief import build_brief, meetings
from psea.brief.build import NoCaseData
from psea.disclosure.published import ReleaseRefused
from psea.metrics.catalog import case_entities

viewer = require_page("briefs")
con = connection()
st.title("Briefs for the SFP meetings")
calendar = meetings(con)

if viewer.role != "admin":
    st.caption(
        "The brief for a meeting covers the quarters ending after the previous meeting, counted on "
        "the latest data not after the meeting (its release). Every case figure comes from that "
        "published release: a brief is circulated beyond the analysts."
    )
    AD_HOC = "Another date (ad-hoc meeting)"
    options = [d.isoformat() for d in reversed(calendar["meeting_date"].to_list())] + [AD_HOC]
    titles = dict(zip(options, reversed(calendar["title"].to_list()), strict=False))
    c1, c2 = st.columns(2)
    picked = c1.selectbox(
        "Meeting",
        options,
        key="brief_meeting",
        format_func=lambda o: o if o == AD_HOC else f"{o} · {titles[o]}",
    )
    if picked == AD_HOC:
        meeting = c1.date_input("Meeting date", value=dt.date.today(), key="brief_date")
    else:
        meeting = dt.date.fromisoformat(picked)
    if viewer.entity is None:
        entities = case_entities(con)
        choice = c2.selectbox(
            "Scope", ["All entities, side by side", *entities], key="brief_entity"
        )
        entity = None if choice.startswith("All") else choice
    else:
        entity = viewer.entity
        c2.text_input("Entity", entity, disabled=True)

    @st.cache_data(show_spinner="Preparing the brief…", max_entries=16)
    def _brief(warehouse: str, version: str, role: str, own_entity, meeting, entity):
        return build_brief(connection(), meeting, entity, viewer.identity, viewer.role)

    # keyed by the warehouse state, the viewer's role and entity, the meeting and the scope
    brief_key = (
        st.session_state["warehouse"],
        data_version(con),
        viewer.role,
        viewer.entity,
        meeting,
        entity,
    )
    try:
        brief = _brief(*brief_key)
    except NoCaseData as missing:  # a meeting before the warehouse's first case snapshot
        st.info(
            f"{str(missing).capitalize()}. The briefs rest on the releases of the case "
            "snapshots loaded, which begin later: pick a later meeting."
        )
        st.stop()
    except ReleaseRefused as refused:
        st.error(str(refused).capitalize() + ".")
        st.stop()
    if viewer.role in ("focal_point", "analyst") and viewer.entity is not None:
        meeting_workspace(con, viewer, meeting, list(brief.points))
        st.divider()

    brief_view.downloads(viewer, brief, meeting, entity)
    brief_view.preview(brief, brief_key)
    st.divider()
    brief_view.handed_out(viewer, con)

st.divider()
brief_view.meeting_calendar(viewer, con, calendar)

"""Briefs for the PSEA Senior Focal Point meetings: pick a meeting, write the entity's progress report
in the meeting workspace, preview the brief, download it as DOCX (to edit), PDF or Markdown; the
administrator keeps the meeting calendar."""

import datetime as dt
import io
import zipfile

import polars as pl
import streamlit as st

from pipelines.archive import archive_brief, archived_file
from pipelines.meetings import remove_meeting
from psea import brief_render
from psea.app.page import audited, dataframe, draw_chart, require_page
from psea.app.session import connection, data_version, open_connection
from psea.app.workspace import meeting_workspace
from psea.brief import add_meeting, build_brief, meetings
from psea.brief.chapters import chapters
from psea.metrics.catalog import archived_briefs, case_entities

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
    except ValueError as missing:  # a meeting before the warehouse's first case snapshot
        st.info(
            f"{str(missing).capitalize()}. The briefs rest on the releases of the case "
            "snapshots loaded, which begin later: pick a later meeting."
        )
        st.stop()
    stem = brief_render.file_stem(brief)
    if viewer.role in ("focal_point", "analyst") and viewer.entity is not None:
        meeting_workspace(con, viewer, meeting, list(brief.points))
        st.divider()

    warehouse = st.session_state["warehouse"]
    suffix = {"docx": ".docx", "pdf": ".pdf", "md": "_markdown.zip"}

    def _logged(fmt: str, produce):
        """Produced on click, archived as handed out (pipelines.archive) and audit-logged."""

        def archived() -> bytes:
            data = produce()
            cursor = open_connection(warehouse).cursor()
            try:
                archive_brief(
                    cursor,
                    meeting,
                    entity,
                    brief.release_id,
                    {stem + suffix[fmt]: data},
                    viewer.identity,
                    viewer.role,
                )
            finally:
                cursor.close()
            return data

        return audited(
            viewer, archived, what="sfp_brief", meeting=meeting, entity=entity, format=fmt
        )

    def _markdown_zip() -> bytes:
        text, pngs = brief_render.to_markdown(brief)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{stem}.md", text)
            for name, data in pngs.items():
                z.writestr(name, data)
        return buffer.getvalue()

    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Word (DOCX, to edit)",
        data=_logged("docx", lambda: brief_render.to_docx(brief)),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="dl-brief-docx",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
        type="primary",
    )
    d2.download_button(
        "PDF",
        data=_logged("pdf", lambda: brief_render.to_pdf(brief)),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="dl-brief-pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        width="stretch",
    )
    d3.download_button(
        "Markdown and charts (ZIP)",
        data=_logged("md", _markdown_zip),
        file_name=f"{stem}_markdown.zip",
        mime="application/zip",
        key="dl-brief-md",
        on_click="ignore",
        icon=":material/folder_zip:",
        width="stretch",
    )

    st.header(brief.title)
    dataframe(
        pl.DataFrame(brief.front_matter, schema=["item", "detail"], orient="row"),
        hide_index=True,
    )
    for section in chapters(brief):
        (st.subheader if section.level == 1 else st.markdown)(
            section.title if section.level == 1 else f"**{section.title}**"
        )
        for text in section.paragraphs:
            st.caption(text)
        items = section.items
        if not (section.paragraphs or items or section.tables or section.figures) and section.empty:
            st.text(section.empty)
        if items:
            st.text(
                "\n".join(
                    f"{i}. {t}" if section.numbered else f"• {t}" for i, t in enumerate(items, 1)
                )
            )
        for i, fig in enumerate(section.figures):
            draw_chart((*brief_key, brief.release_id, section.title, i), lambda c=fig.chart: c)
        for table in section.tables:
            if table.caption:
                st.markdown(f"**{table.caption}**")
            if table.frame.is_empty():
                st.text("None.")
            else:
                dataframe(table.frame, hide_index=True)
        for text in section.notes:
            st.caption(text)

    st.divider()
    st.subheader("Briefs handed out")
    st.caption(
        "Every brief downloaded here or written by `psea brief` is kept as it was handed out, with "
        "the release it read and each file's SHA-256."
    )
    archive = archived_briefs(con, viewer.entity)
    if archive.is_empty():
        st.text("No brief has been handed out yet.")
    else:
        dataframe(archive.drop("sha256"), hide_index=True)
        picked_id = st.selectbox("Brief", archive["archive_id"].to_list(), key="archive_pick")
        for name in archive.filter(pl.col("archive_id") == picked_id)["files"][0].split(", "):
            st.download_button(
                f"Download {name} as handed out",
                data=audited(
                    viewer,
                    lambda name=name: archived_file(
                        open_connection(warehouse).cursor(), picked_id, name
                    ),
                    what="archived_brief",
                    archive_id=picked_id,
                    file=name,
                ),
                file_name=name,
                key=f"dl-archive-{name}",
                on_click="ignore",
            )

st.divider()
st.subheader("Meeting calendar")
dataframe(
    calendar.select(
        "meeting_date", "title", "notes", pl.col("source").replace({"seed": "seed (history)"})
    ).sort("meeting_date", descending=True),
    hide_index=True,
)
if viewer.role == "admin":  # docs/access.md: only the administrator changes the calendar
    add, undo = st.columns(2)
    with add, st.form("add_meeting", clear_on_submit=True):
        st.markdown("**Add a meeting** (recorded in the audit log)")
        day = st.date_input("Date", value=None, key="new_meeting_date")
        title = st.text_input("Title", max_chars=200, key="new_meeting_title")
        notes = st.text_area("Agenda notes (optional)", max_chars=2000, key="new_meeting_notes")
        if st.form_submit_button("Add to the calendar"):
            if day is None:
                st.error("Give the meeting's date.")
            else:
                try:
                    add_meeting(con, day, title, notes, viewer.identity, viewer.role)
                    st.success(f"Added the meeting of {day.isoformat()}.")
                except ValueError as err:
                    st.error(str(err).capitalize() + ".")
    added = calendar.filter(pl.col("source") == "added")["meeting_date"].to_list()
    if added:
        with undo, st.form("remove_meeting"):
            st.markdown("**Undo an addition** (recorded in the audit log)")
            gone = st.selectbox("Added meeting", added, key="remove_meeting_date")
            if st.form_submit_button("Remove from the calendar"):
                remove_meeting(con, gone, viewer.identity, viewer.role)
                st.success(f"Removed the meeting of {gone.isoformat()}.")

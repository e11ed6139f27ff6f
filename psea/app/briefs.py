"""The Briefs page's parts: the brief's downloads (archived as handed out and audit-logged), its
preview in the page, the briefs handed out, and the meeting calendar the administrator keeps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import polars as pl
import streamlit as st

from pipelines.archive import archive_brief, archived_file
from pipelines.meetings import remove_meeting
from psea.app.access import Viewer
from psea.app.page import audited, dataframe, draw_chart
from psea.app.session import open_connection
from psea.brief import Brief, add_meeting
from psea.brief import render as brief_render
from psea.brief.chapters import chapters
from psea.metrics.catalog import archived_briefs

CALENDAR_SOURCES = {"seed": "Meeting history", "added": "Added by the administrator"}


def downloads(viewer: Viewer, brief: Brief, meeting: dt.date, entity: str | None) -> None:
    """DOCX, PDF and Markdown, each produced on click, archived as handed out and audit-logged."""
    stem = brief_render.file_stem(brief)
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


def preview(brief: Brief, key: tuple) -> None:
    """The brief in the page, chapter by chapter, as the documents have it."""
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
            draw_chart((*key, brief.release_id, section.title, i), lambda c=fig.chart: c)
        for table in section.tables:
            if table.caption:
                st.markdown(f"**{table.caption}**")
            if table.frame.is_empty():
                st.text("Nothing to list for this period.")
            else:
                dataframe(table.frame, hide_index=True)
        for text in section.notes:
            st.caption(text)


def handed_out(viewer: Viewer, con) -> None:
    """Every brief handed out, each file downloadable exactly as it was."""
    warehouse = st.session_state["warehouse"]
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


def meeting_calendar(viewer: Viewer, con, calendar: pl.DataFrame) -> None:
    """The calendar; the administrator adds meetings and undoes additions (docs/access.md)."""
    st.subheader("Meeting calendar")
    dataframe(
        calendar.select(
            "meeting_date", "title", "notes", pl.col("source").replace(CALENDAR_SOURCES)
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

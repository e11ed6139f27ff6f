"""The brief as DOCX (python-docx): real headings, tables and images, for focal points to edit."""

from __future__ import annotations

import io

import polars as pl

from psea.brief import Brief
from psea.brief.chapters import chapters
from psea.brief.render.layout import (
    CONFIDENTIAL,
    DOCX_TABLE_CHARS,
    chart_images,
    column_weights,
    empty_lines,
    footer_text,
    text_table,
)


def to_docx(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from docx import Document
    from docx.shared import Inches, Pt

    from psea.brief.render.docx_page import (
        a4_with_notice,
        full_width,
        repeat_as_header,
        table_of_contents,
    )

    images = images if images is not None else chart_images(brief)
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    text_width = a4_with_notice(doc, CONFIDENTIAL, footer_text(brief))

    def table(header: list[str] | None, rows: list[list[str]]) -> None:
        t = doc.add_table(rows=0, cols=len(header or rows[0]))
        t.style = "Light Grid Accent 1"
        t.autofit = False
        full_width(t)
        weights = column_weights(header, rows, DOCX_TABLE_CHARS)
        widths = [Inches(text_width * w / sum(weights)) for w in weights]
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width  # the grid (LibreOffice reads it), and each cell below (Word)
        for texts in ([header] if header is not None else []) + rows:
            row = t.add_row()
            for cell, text, width in zip(row.cells, texts, widths, strict=True):
                cell.width = width
                cell.paragraphs[0].add_run(text).font.size = Pt(9)
        if header is not None:
            repeat_as_header(t.rows[0])
        doc.add_paragraph()

    def frame_table(frame: pl.DataFrame) -> None:
        table(*text_table(frame))

    doc.add_heading(brief.title, 0)
    table(None, [[k, v] for k, v in brief.front_matter])
    parts = chapters(brief)
    table_of_contents(
        doc, [("    " if c.level == 2 else "") + c.title for c in parts if c.level <= 2]
    )
    for section in parts:
        heading = doc.add_heading(section.title, section.level)
        # a new page with the chapter, not a break paragraph that may spill onto an empty page
        heading.paragraph_format.page_break_before = section.new_page
        for text in section.paragraphs + empty_lines(section):
            doc.add_paragraph(text)
        for text in section.items:
            doc.add_paragraph(text, style="List Number" if section.numbered else "List Bullet")
        for fig in section.figures:
            doc.add_picture(io.BytesIO(images[fig.caption]), width=Inches(text_width))
            doc.add_paragraph(fig.caption, style="Caption")
        for tab in section.tables:
            if tab.caption:
                doc.add_heading(tab.caption, min(section.level + 1, 4))
            if tab.frame.is_empty():
                doc.add_paragraph("None.")
            else:
                frame_table(tab.frame)
        for text in section.notes:
            doc.add_paragraph().add_run(text).font.size = Pt(8.5)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

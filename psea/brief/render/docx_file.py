"""The brief as DOCX (python-docx): real headings, tables and images, for focal points to edit; text
at 9 pt or more, a contents page with page numbers, headings kept with what follows them, tables
that repeat their header row and never split a row across pages."""

from __future__ import annotations

import io

from psea.brief import Brief
from psea.brief.chapters import chapters
from psea.brief.render.layout import (
    BODY_PT,
    CONFIDENTIAL,
    DOCX_TABLE_CHARS,
    LANDSCAPE,
    TABLE_PT,
    WHOLE_TABLE_ROWS,
    chart_images,
    column_weights,
    empty_lines,
    footer_text,
    image_width_pt,
    landscape,
    text_table,
)


def to_docx(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from docx import Document
    from docx.shared import Inches, Pt

    from psea.brief.render.docx_page import (
        a4_with_notice,
        bookmark,
        contents,
        full_width,
        keep_whole,
        repeat_as_header,
        turn_page,
    )

    images = images if images is not None else chart_images(brief)
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.styles["Caption"].font.size = Pt(TABLE_PT)
    text_width = a4_with_notice(doc, CONFIDENTIAL, footer_text(brief))

    def table(header: list[str] | None, rows: list[list[str]], wide: bool = False) -> None:
        t = doc.add_table(rows=0, cols=len(header or rows[0]))
        t.style = "Light Grid Accent 1"
        t.autofit = False
        full_width(t)
        across = text_width * (LANDSCAPE if wide else 1)
        weights = column_weights(header, rows, DOCX_TABLE_CHARS * (LANDSCAPE if wide else 1))
        widths = [Inches(across * w / sum(weights)) for w in weights]
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width  # the grid (LibreOffice reads it), and each cell below (Word)
        for texts in ([header] if header is not None else []) + rows:
            row = t.add_row()
            keep_whole(row)
            for cell, text, width in zip(row.cells, texts, widths, strict=True):
                cell.width = width
                cell.paragraphs[0].add_run(text).font.size = Pt(TABLE_PT)
        if header is not None:
            repeat_as_header(t.rows[0])
        if len(rows) <= WHOLE_TABLE_ROWS:  # a short table moves whole to the next page
            for row in t.rows[:-1]:
                for cell in row.cells:
                    cell.paragraphs[0].paragraph_format.keep_with_next = True
        doc.add_paragraph()

    doc.add_heading(brief.title, 0)
    table(None, [[k, v] for k, v in brief.front_matter])
    parts = chapters(brief)
    marks = {i: f"_TocChapter{i}" for i, c in enumerate(parts) if c.level <= 2}
    contents(doc, [(parts[i].level, parts[i].title, name) for i, name in marks.items()], text_width)
    for i, section in enumerate(parts):
        tables = [text_table(t.frame) for t in section.tables]
        wide = [bool(rows) and landscape(h, rows, DOCX_TABLE_CHARS) for h, rows in tables]
        turned = (
            bool(wide) and wide[0] and not (section.paragraphs or section.items or section.figures)
        )
        if turned:  # the heading goes with its table onto the landscape page
            turn_page(doc, landscape=True)
        heading = doc.add_heading(section.title, section.level)
        if i in marks:
            bookmark(heading, marks[i], i)
        # a new page with the chapter (the first after the contents), never a break paragraph
        heading.paragraph_format.page_break_before = (section.new_page or i == 0) and not turned
        for text in section.paragraphs + empty_lines(section):
            doc.add_paragraph(text)
        for text in section.items:
            doc.add_paragraph(text, style="List Number" if section.numbered else "List Bullet")
        if section.figures and len(section.paragraphs) <= 2 and not section.items:
            for paragraph in doc.paragraphs[-len(section.paragraphs) - 1 :]:
                paragraph.paragraph_format.keep_with_next = True  # heading, text and chart
        for fig in section.figures:
            png = images[fig.caption]
            doc.add_picture(io.BytesIO(png), width=Inches(image_width_pt(png) / 72))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the chart with its caption
            doc.add_paragraph(fig.caption, style="Caption")
        for n, (tab, (header, rows)) in enumerate(zip(section.tables, tables, strict=True)):
            if wide[n] and not (turned and n == 0):  # on a landscape page of its own
                turn_page(doc, landscape=True)
            if tab.caption:
                doc.add_heading(tab.caption, min(section.level + 1, 4))
            if tab.frame.is_empty():
                doc.add_paragraph("None.")
            else:
                table(header, rows, wide[n])
            if wide[n]:
                turn_page(doc, landscape=False)
        for text in section.notes:
            doc.add_paragraph().add_run(text).font.size = Pt(TABLE_PT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

"""The brief as PDF (fpdf2, pure Python): text, not images of text."""

from __future__ import annotations

import io

import polars as pl

from psea.brief import Brief
from psea.brief.chapters import chapters
from psea.brief.render.layout import (
    CONFIDENTIAL,
    PDF_TABLE_CHARS,
    chart_images,
    column_weights,
    empty_lines,
    footer_text,
    text_table,
)

_LATIN1 = str.maketrans(
    {
        "−": "-",
        "–": "-",
        "—": "-",
        "≤": "<=",
        "≥": ">=",
        "…": "...",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "→": "->",
    }
)


def _pdf_text(text: str) -> str:
    """The PDF uses the core Helvetica font (no font files to ship): Latin-1 text only."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    images = images if images is not None else chart_images(brief)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_pdf_text(brief.title))
    pdf.set_author("PSEA Oversight")
    pdf.alias_nb_pages()  # "{nb}": the number of pages, filled in when the document closes
    notice, footer = _pdf_text(CONFIDENTIAL), _pdf_text(footer_text(brief))

    def header() -> None:
        pdf.set_font("Helvetica", "I", 8)
        pdf.set_text_color(68)
        pdf.cell(0, 5, notice, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.ln(3)

    def page_footer() -> None:
        pdf.set_y(-12)
        pdf.set_font("Helvetica", "I", 8)
        pdf.set_text_color(68)
        pdf.cell(0, 8, f"{footer}{pdf.page_no()} of {{nb}}", align="C")
        pdf.set_text_color(0)

    pdf.header, pdf.footer = header, page_footer  # type: ignore[method-assign]
    width = pdf.epw

    def heading(text: str, size: float, outline: bool = False) -> None:
        if outline:  # a chapter or a part of one: a bookmark in the PDF's outline
            pdf.start_section(_pdf_text(text), level=0 if size >= 13 else 1)
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, size * 0.55, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def para(text: str, size: float = 9.5) -> None:
        pdf.set_font("Helvetica", "", size)
        pdf.multi_cell(width, size * 0.5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def table(
        header: list[str] | None, rows: list[list[str]], size: float = 8.5, widths=None
    ) -> None:
        pdf.set_font("Helvetica", "", size)
        with pdf.table(
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
            first_row_as_headings=header is not None,
            line_height=size * 0.5,
            text_align="LEFT",
            width=width,  # every table spans the text width
            col_widths=widths or column_weights(header, rows, PDF_TABLE_CHARS),
        ) as t:
            if header is not None:
                r = t.row()
                for text in header:
                    r.cell(_pdf_text(text))
            for row in rows:
                r = t.row()
                for text in row:
                    r.cell(_pdf_text(text))
        pdf.ln(3)

    def frame_table(frame: pl.DataFrame) -> None:
        table(*text_table(frame))

    pdf.add_page()
    heading(brief.title, 16)
    pdf.ln(2)
    table(None, [[k, v] for k, v in brief.front_matter], size=9.5, widths=(1, 3))
    sizes = {1: 13, 2: 12, 3: 10.5}
    for section in chapters(brief):
        if section.new_page:
            pdf.add_page()
        heading(section.title, sizes[section.level], outline=section.level <= 2)
        for text in section.paragraphs + empty_lines(section):
            para(text)
        for i, text in enumerate(section.items, 1):
            para(f"{i}. {text}" if section.numbered else f"- {text}")
        for fig in section.figures:
            pdf.image(io.BytesIO(images[fig.caption]), w=width)
            para(fig.caption, 8)
        for tab in section.tables:
            if tab.caption:
                heading(tab.caption, 10, outline=False)
            if tab.frame.is_empty():
                para("None.")
            else:
                frame_table(tab.frame)
        for text in section.notes:
            para(text, 8)
    return bytes(pdf.output())

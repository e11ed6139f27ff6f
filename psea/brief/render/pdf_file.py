"""The brief as PDF (fpdf2, pure Python): text, not images of text, at 9 pt or more; a contents page
with page numbers; no heading left alone at the foot of a page; tables that span the text width and
repeat their header row on every page they run onto."""

from __future__ import annotations

import io

from psea.brief import Brief
from psea.brief.chapters import chapters
from psea.brief.render.layout import (
    BODY_PT,
    CONFIDENTIAL,
    PDF_TABLE_CHARS,
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
MM_PER_PT = 25.4 / 72
PORTRAIT_EPW_MM = 190  # A4 less the default 10 mm margins: what PDF_TABLE_CHARS spans
HEADING_PT = {0: 16, 1: 13, 2: 11.5, 3: 10.5}  # the title, chapters, parts, tables' captions
KEEP_MM = 28  # a heading needs this much room below it (its first lines, a table's first rows)


def _pdf_text(text: str) -> str:
    """The PDF uses the core Helvetica font (no font files to ship): Latin-1 text only."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _contents(pdf, outline) -> None:
    """The contents page: each chapter and part with its page, linked."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font("Helvetica", "B", HEADING_PT[1])
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for section in outline:
        size = BODY_PT if section.level == 0 else TABLE_PT + 0.5
        pdf.set_font("Helvetica", "B" if section.level == 0 else "", size)
        indent = 6 * section.level
        link = pdf.add_link(page=section.page_number)
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(pdf.epw - indent - 12, size * 0.55, section.name, link=link)
        pdf.cell(12, size * 0.55, str(section.page_number), align="R", link=link)
        pdf.ln(size * 0.55 + (1.2 if section.level == 0 else 0.4))


def _para(doc, text: str, size: float = BODY_PT, style: str = "") -> None:
    doc.set_font("Helvetica", style, size)
    doc.multi_cell(doc.epw, size * 0.5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    doc.ln(1.5)


def _heading(doc, text: str, size: float) -> None:
    doc.set_font("Helvetica", "B", size)
    doc.multi_cell(doc.epw, size * 0.55, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    doc.ln(1.5)


def _lines_at_most(doc, text: str, width: float) -> int:
    """How many lines `text` takes in a cell `width` mm wide, in the current font, wrapped word by
    word as fpdf2 does (a word wider than the line cut where it reaches the end), counted on the
    wide side: each line holds its words and a space after each."""
    space = doc.get_string_width(" ")
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        filled = 0.0
        for word in paragraph.split(" "):
            size = doc.get_string_width(word)
            if filled and filled + size > width:
                lines, filled = lines + 1, 0.0
            while size > width:  # cut: a line of it at a time
                lines, size = lines + 1, size - width + doc.get_string_width("W")
            filled += size + space
    return lines


def _fits(doc, caption: str, header: list[str] | None, rows: list[list[str]]) -> bool:
    """Whether the caption and the table fit below the current position, measured on the wide
    side: each cell's text in bold (wider than regular) against its column less 4 mm, each row
    2 mm more than its lines, and 10% on top. True: the table is drawn at once (a trial rendering
    would find that it fits, at twice the cost); False: the trial decides."""
    table = ([header] if header is not None else []) + rows
    weights = column_weights(header, rows, round(PDF_TABLE_CHARS * doc.epw / PORTRAIT_EPW_MM))
    widths = [doc.epw * w / sum(weights) - 4 for w in weights]
    if min(widths) <= 0:
        return False
    doc.set_font("Helvetica", "B", HEADING_PT[3])
    height = 3 + 1.5 + HEADING_PT[3] * 0.55 * _lines_at_most(doc, _pdf_text(caption), doc.epw - 4)
    doc.set_font("Helvetica", "B", TABLE_PT)
    for texts in table:
        most = max(
            _lines_at_most(doc, _pdf_text(str(t)), w) for t, w in zip(texts, widths, strict=True)
        )
        height += most * TABLE_PT * 0.5 + 2
    return doc.get_y() + 1.1 * height <= doc.page_break_trigger


def _table(doc, header: list[str] | None, rows: list[list[str]], size=TABLE_PT, widths=None):
    from fpdf.fonts import FontFace

    doc.set_font("Helvetica", "", size)
    with doc.table(
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
        first_row_as_headings=header is not None,
        repeat_headings=1,  # the header row on top of every page the table runs onto
        line_height=size * 0.5,
        text_align="LEFT",
        width=doc.epw,  # every table spans the text width
        col_widths=widths
        or column_weights(header, rows, round(PDF_TABLE_CHARS * doc.epw / PORTRAIT_EPW_MM)),
    ) as t:
        for texts in ([header] if header is not None else []) + rows:
            r = t.row()
            for text in texts:
                r.cell(_pdf_text(text))
    doc.ln(3)


def to_pdf(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from fpdf import FPDF

    images = images if images is not None else chart_images(brief)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_pdf_text(brief.title))
    pdf.set_author("PSEA Oversight")
    pdf.alias_nb_pages()  # "{nb}": the number of pages, filled in when the document closes
    notice, footer = _pdf_text(CONFIDENTIAL), _pdf_text(footer_text(brief))

    def header() -> None:
        pdf.set_font("Helvetica", "I", TABLE_PT)
        pdf.set_text_color(68)
        pdf.cell(0, 5, notice, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.ln(3)

    def page_footer() -> None:
        pdf.set_y(-12)
        pdf.set_font("Helvetica", "I", TABLE_PT)
        pdf.set_text_color(68)
        pdf.cell(0, 8, f"{footer}{pdf.page_no()} of {{nb}}", align="C")
        pdf.set_text_color(0)

    pdf.header, pdf.footer = header, page_footer  # type: ignore[method-assign]

    def keep(room_mm: float) -> None:
        """A new page unless `room_mm` fits below: a heading stays with what follows it."""
        if pdf.get_y() + room_mm > pdf.page_break_trigger:
            pdf.add_page()

    def heading(text: str, size: float, outline_level: int | None, room_mm: float) -> None:
        keep(size * 0.55 + room_mm)
        if outline_level is not None:  # a chapter or a part: in the contents and the outline
            pdf.start_section(_pdf_text(text), level=outline_level)
        _heading(pdf, text, size)

    def para(text: str, size: float = BODY_PT, style: str = "") -> None:
        _para(pdf, text, size, style)

    def captioned_table(
        caption: str, header: list[str] | None, rows: list[list[str]], turned: bool = False
    ) -> None:
        """A small table starts on a new page rather than split; a long one keeps its caption
        with its first rows, and repeats its header row on every page; one too wide for the page
        gets a landscape page of its own (`turned`: the section's heading already started it)."""
        if landscape(header, rows, PDF_TABLE_CHARS):
            if not turned:
                pdf.add_page(orientation="L")
            if caption:
                _heading(pdf, caption, HEADING_PT[3])
            _table(pdf, header, rows)
            pdf.add_page(orientation="P")
            return
        if len(rows) <= WHOLE_TABLE_ROWS and not _fits(pdf, caption, header, rows):
            with pdf.offset_rendering() as trial:
                if caption:
                    _heading(trial, caption, HEADING_PT[3])
                _table(trial, header, rows)
            if trial.page_break_triggered and pdf.get_y() > pdf.t_margin + 10:
                pdf.add_page()
        if caption:
            keep(HEADING_PT[3] * 0.55 + KEEP_MM)
            _heading(pdf, caption, HEADING_PT[3])
        _table(pdf, header, rows)

    def figure(png: bytes, caption: str) -> None:
        w_mm = image_width_pt(png) * MM_PER_PT
        h_mm = w_mm * _png_ratio(png)
        keep(h_mm + 8)  # the chart and its caption together
        pdf.image(io.BytesIO(png), w=w_mm)
        para(caption, TABLE_PT, "I")

    pdf.add_page()
    heading(brief.title, HEADING_PT[0], None, 20)
    pdf.ln(2)
    _table(pdf, None, [[k, v] for k, v in brief.front_matter], BODY_PT - 0.5, (1, 3))
    pdf.ln(2)
    pdf.insert_toc_placeholder(_contents, pages=1, allow_extra_pages=True)
    for section in chapters(brief):
        if section.new_page and pdf.get_y() > pdf.t_margin + 10:
            pdf.add_page()
        room = KEEP_MM
        if section.figures and len(section.paragraphs) <= 2 and not section.items:
            png = images[section.figures[0].caption]  # the heading, its text and its chart together
            with pdf.offset_rendering() as trial:
                for text in section.paragraphs:
                    _para(trial, text)
            text_mm = trial.y - pdf.y + (trial.page - pdf.page) * pdf.eph
            room = text_mm + image_width_pt(png) * MM_PER_PT * _png_ratio(png) + 8
        tables = [text_table(t.frame) for t in section.tables]
        turned = _wide_first(section, tables, PDF_TABLE_CHARS)
        if turned:  # the heading goes with its table onto the landscape page
            pdf.add_page(orientation="L")
        heading(
            section.title,
            HEADING_PT[min(section.level, 3)],
            section.level - 1 if section.level <= 2 else None,
            room,
        )
        for text in section.paragraphs + empty_lines(section):
            para(text)
        for i, text in enumerate(section.items, 1):
            para(f"{i}. {text}" if section.numbered else f"- {text}")
        for fig in section.figures:
            figure(images[fig.caption], fig.caption)
        for i, (tab, (header, rows)) in enumerate(zip(section.tables, tables, strict=True)):
            if tab.frame.is_empty():
                if tab.caption:
                    heading(tab.caption, HEADING_PT[3], None, 10)
                para("None.")
            else:
                captioned_table(tab.caption, header, rows, turned and i == 0)
        for text in section.notes:
            para(text, TABLE_PT)
    return bytes(pdf.output())


def _wide_first(section, tables: list, capacity: int) -> bool:
    """Whether the section opens on a table too wide for a portrait page (nothing before it)."""
    if section.paragraphs or section.items or section.figures or not tables:
        return False
    header, rows = tables[0]
    return bool(rows) and landscape(header, rows, capacity)


def _png_ratio(png: bytes) -> float:
    """Height over width of a PNG (IHDR: width at byte 16, height at byte 20)."""
    return int.from_bytes(png[20:24], "big") / int.from_bytes(png[16:20], "big")

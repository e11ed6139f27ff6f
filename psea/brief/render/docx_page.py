"""Word's page furniture for the briefs (python-docx has no API for it): fields that Word and
LibreOffice compute (PAGE, NUMPAGES, PAGEREF), the contents with their page numbers, the notice in
every header and footer, tables that span the text width, repeat their header row on each page and
never split a row."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Inches, Pt, RGBColor


def field(paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) with the text shown until Word or LibreOffice updates it."""

    def char(kind: str) -> None:
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(mark)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def a4_with_notice(doc, notice: str, footer_text: str) -> float:
    """A4, the notice in every page's header, and the footer text followed by "page N of M" in
    every page's footer; returns the text width in inches (what a full-width table spans)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(notice)
    footer.add_run(footer_text)
    field(footer, "PAGE", "1")
    footer.add_run(" of ")
    field(footer, "NUMPAGES", "1")
    for run in (*header.runs, *footer.runs):
        run.font.size, run.font.color.rgb = Pt(9), RGBColor(0x44, 0x44, 0x44)
    return Emu(section.page_width - section.left_margin - section.right_margin).inches


def bookmark(paragraph, name: str, number: int) -> None:
    """A bookmark around the paragraph (a heading), for the contents' page references."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def contents(doc, entries: list[tuple[int, str, str]], text_width: float) -> None:
    """The table of contents: each chapter (level 1) and part (level 2) linked to its heading's
    bookmark, with its page number as a PAGEREF field. Word and LibreOffice compute those from the
    laid-out pages when they open or print the document (a TOC field's page numbers would stay
    blank in LibreOffice until updated by hand); Word is asked to update them on opening."""
    doc.add_paragraph("Contents", style="TOC Heading")
    for level, title, name in entries:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        paragraph.paragraph_format.space_after = Pt(2 if level > 1 else 4)
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            Inches(text_width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), name)
        run = paragraph.add_run(title)
        run.bold = level == 1
        link.append(run._r)
        paragraph._p.append(link)
        paragraph.add_run("\t")
        field(paragraph, f"PAGEREF {name} \\h", "")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def full_width(table) -> None:
    """The table spans the text width: 100% in its properties (Word), fixed layout (LibreOffice)."""
    props = table._tbl.tblPr
    for tag, attrs in (
        ("w:tblW", {"w:type": "pct", "w:w": "5000"}),
        ("w:tblLayout", {"w:type": "fixed"}),
    ):
        element = props.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            props.append(element)
        for key, value in attrs.items():
            element.set(qn(key), value)


def repeat_as_header(row) -> None:
    """The row is repeated at the top of each page the table runs onto."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def keep_whole(row) -> None:
    """The row is never split across two pages."""
    mark = OxmlElement("w:cantSplit")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def turn_page(doc, landscape: bool) -> float:
    """A new section on a new page, landscape or portrait (the header and footer carry on);
    returns its text width in inches."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    previous = doc.sections[-1]
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    short, long = (
        min(previous.page_width, previous.page_height),
        max(previous.page_width, previous.page_height),
    )
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    return Emu(section.page_width - section.left_margin - section.right_margin).inches

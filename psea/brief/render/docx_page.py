"""Word's page furniture for the briefs (python-docx has no API for it): fields that Word and
LibreOffice compute (PAGE, NUMPAGES, TOC), the notice in every header and footer, tables that span
the text width and repeat their header row on each page."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor


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
        run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x44, 0x44, 0x44)
    return Emu(section.page_width - section.left_margin - section.right_margin).inches


def table_of_contents(doc, chapters: list[str]) -> None:
    """A table of contents field over the headings; until it is updated (Word asks on opening,
    LibreOffice under Tools > Update) it lists the chapters without their pages."""
    doc.add_paragraph().add_run("Contents").bold = True  # not a heading: not in its own list
    field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "\n".join(chapters))
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

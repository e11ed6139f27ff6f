"""The SFP brief written as DOCX (python-docx: real headings, tables and images, for focal points to
edit), PDF (fpdf2, pure Python, text not images) and Markdown (charts as linked PNG files).

All three walk the same `Brief` in the same order: front page, headline figures, the entities side
by side (the Champion's office variant), points for the meeting, then the sections.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from psea.brief import Brief
from psea.exports import chart_bytes, slug
from psea.labels import label, labelled

FORMATS = ("docx", "pdf", "md")
CHART_PPI = 200
CONFIDENTIAL = "Confidential — contains PSEA case statistics"

BY_ENTITY_NOTE = (
    "Figures of the period per entity, suppressed together with their total. Rates per 1,000 "
    "personnel: allegations received over the entity's personnel at the period's end (its "
    "return's, else its roster's). More reports can mean better reporting, not more abuse."
)


def file_stem(brief: Brief) -> str:
    return f"sfp_brief_{brief.meeting.isoformat()}_{slug(brief.scope)}"


def chart_images(brief: Brief) -> dict[str, bytes]:
    """Every figure as a print-resolution PNG, rendered once for all formats."""
    return {
        f.caption: chart_bytes(f.chart, "png", CHART_PPI)
        for section in brief.sections
        for f in section.figures
    }


DOCX_TABLE_CHARS = 85  # characters across the text width at 9 pt (DejaVu, wider than Calibri)
PDF_TABLE_CHARS = 105  # the same at 8.5 pt Helvetica


def column_weights(
    header: list[str] | None, rows: list[list[str]], capacity: int = DOCX_TABLE_CHARS
) -> list[float]:
    """Relative column widths for DOCX and PDF: each column as wide as its longest text (a bold
    header a little wider) when the page holds them all; else the short columns whole and the long
    ones cut to one level, never below their longest word (of up to 16 letters), so numbers, dates
    and words never break."""
    table = ([header] if header is not None else []) + rows
    columns = list(zip(*table, strict=True))
    pad = 2 if header is None else 3  # the cell's own padding; a bold header is a little wider
    natural = [max(len(str(c)) for c in col) + pad for col in columns]
    words = [
        max((min(len(w), 16) for c in col for w in str(c).split()), default=0) for col in columns
    ]
    lows = [w + pad for w in words]  # a file name or a load id may break; a word may not
    if sum(natural) <= capacity or sum(lows) >= capacity:
        return natural if sum(natural) <= capacity else lows
    low, high = 0.0, float(max(natural))
    for _ in range(50):  # the level at which the clipped widths fill the capacity
        level = (low + high) / 2
        fill = sum(max(lw, min(n, level)) for lw, n in zip(lows, natural, strict=True))
        low, high = (level, high) if fill <= capacity else (low, level)
    return [max(lw, min(n, low)) for lw, n in zip(lows, natural, strict=True)]


def text_table(frame: pl.DataFrame) -> tuple[list[str], list[list[str]]]:
    """A frame as a reader sees it: headers and code cells in plain words (psea.labels), every
    cell as text, an empty cell for a missing one."""
    frame = labelled(frame)
    rows = [["" if v is None else str(v) for v in row] for row in frame.rows()]
    return [label(c) for c in frame.columns], rows


def _footer_text(brief: Brief) -> str:
    return f"{CONFIDENTIAL} · {brief.scope} · data as of {brief.period.end.isoformat()} · page "


def _headline_rows(brief: Brief) -> list[list[str]]:
    return [[h.label, h.value, h.previous, h.change] for h in brief.headlines]


HEADLINE_HEADER = ["Figure", "This period", "Previous period", "Change"]


# --- DOCX ---------------------------------------------------------------------------------------


def to_docx(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from docx import Document
    from docx.shared import Inches, Pt

    from psea.docx_page import a4_with_notice, full_width, repeat_as_header, table_of_contents

    images = images if images is not None else chart_images(brief)
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    text_width = a4_with_notice(doc, CONFIDENTIAL, _footer_text(brief))

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
    chapters = [
        "Headline figures",
        *(["Each entity side by side"] if brief.by_entity is not None else []),
        "Points for the meeting",
        *(s.title for s in brief.sections),
    ]
    table_of_contents(doc, chapters)
    doc.add_heading("Data used", 2)
    doc.add_paragraph("The loads (extract files) whose snapshots this brief reads at the cut-off:")
    frame_table(brief.loads.select(pl.all().cast(pl.String)))
    doc.add_heading("Suppression rule in force", 2)
    doc.add_paragraph(brief.suppression_rule)
    # a new page with the chapter, not a break paragraph that may spill onto an empty page
    doc.add_heading("Headline figures", 1).paragraph_format.page_break_before = True
    table(HEADLINE_HEADER, _headline_rows(brief))
    for h in brief.headlines:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(h.label + ": ").bold = True
        p.add_run(h.definition)
    if brief.by_entity is not None:
        doc.add_heading("Each entity side by side", 1)
        doc.add_paragraph(BY_ENTITY_NOTE)
        frame_table(brief.by_entity)
    doc.add_heading("Points for the meeting", 1)
    for point in brief.points or ["No change large enough to raise."]:
        doc.add_paragraph(point, style="List Number")
    for section in brief.sections:
        doc.add_heading(section.title, 1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for fig in section.figures:
            doc.add_picture(io.BytesIO(images[fig.caption]), width=Inches(text_width))
            doc.add_paragraph(fig.caption, style="Caption")
        for tab in section.tables:
            doc.add_heading(tab.caption, 3)
            if tab.frame.is_empty():
                doc.add_paragraph("None.")
            else:
                frame_table(tab.frame)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------

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
    notice, footer = _pdf_text(CONFIDENTIAL), _pdf_text(_footer_text(brief))

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

    def heading(text: str, size: int) -> None:
        if size >= 13:  # a chapter: a bookmark in the PDF's outline
            pdf.start_section(_pdf_text(text))
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
    heading("Data used", 11)
    para("The loads (extract files) whose snapshots this brief reads at the cut-off:")
    frame_table(brief.loads.select(pl.all().cast(pl.String)))
    heading("Suppression rule in force", 11)
    para(brief.suppression_rule)

    pdf.add_page()
    heading("Headline figures", 13)
    table(HEADLINE_HEADER, _headline_rows(brief))
    for h in brief.headlines:
        para(f"{h.label}: {h.definition}", 8)
    if brief.by_entity is not None:
        heading("Each entity side by side", 13)
        para(BY_ENTITY_NOTE)
        frame_table(brief.by_entity)
    heading("Points for the meeting", 13)
    for i, point in enumerate(brief.points or ["No change large enough to raise."], 1):
        para(f"{i}. {point}")
    for section in brief.sections:
        pdf.add_page()
        heading(section.title, 13)
        for text in section.paragraphs:
            para(text)
        for fig in section.figures:
            pdf.image(io.BytesIO(images[fig.caption]), w=width)
            para(fig.caption, 8)
        for tab in section.tables:
            heading(tab.caption, 10)
            if tab.frame.is_empty():
                para("None.")
            else:
                frame_table(tab.frame)
    return bytes(pdf.output())


# --- Markdown -----------------------------------------------------------------------------------


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _md_frame(frame: pl.DataFrame) -> str:
    return _md_table(*text_table(frame))


def to_markdown(
    brief: Brief, images: dict[str, bytes] | None = None
) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and its PNG files (relative path -> bytes)."""
    images = images if images is not None else chart_images(brief)
    stem = file_stem(brief)
    files = {f"{stem}_charts/{slug(caption)}.png": png for caption, png in images.items()}
    link = {caption: f"{stem}_charts/{slug(caption)}.png" for caption in images}
    out = [f"*{CONFIDENTIAL}*\n", f"# {brief.title}\n"]
    out.append(_md_table(["", ""], [[f"**{k}**", v] for k, v in brief.front_matter]))
    out.append(
        "## Data used\n\nThe loads (extract files) whose snapshots this brief reads at the cut-off:\n"
    )
    out.append(_md_frame(brief.loads.select(pl.all().cast(pl.String))))
    out.append(f"## Suppression rule in force\n\n{brief.suppression_rule}\n")
    out.append("## Headline figures\n")
    out.append(_md_table(HEADLINE_HEADER, _headline_rows(brief)))
    out.append("\n".join(f"- **{h.label}**: {h.definition}" for h in brief.headlines) + "\n")
    if brief.by_entity is not None:
        out.append(f"## Each entity side by side\n\n{BY_ENTITY_NOTE}\n")
        out.append(_md_frame(brief.by_entity))
    out.append("## Points for the meeting\n")
    out.append(
        "\n".join(
            f"{i}. {p}"
            for i, p in enumerate(brief.points or ["No change large enough to raise."], 1)
        )
        + "\n"
    )
    for section in brief.sections:
        out.append(f"## {section.title}\n")
        out.extend(f"{text}\n" for text in section.paragraphs)
        out.extend(
            f"![{fig.caption}]({link[fig.caption]})\n\n*{fig.caption}*\n" for fig in section.figures
        )
        for tab in section.tables:
            out.append(f"### {tab.caption}\n")
            out.append("None.\n" if tab.frame.is_empty() else _md_frame(tab.frame))
    out.append(f"*{CONFIDENTIAL}*\n")
    return "\n".join(out), files


def render(brief: Brief, formats=FORMATS) -> dict[str, bytes]:
    """File name -> bytes for each requested format (Markdown with its chart PNGs)."""
    images = chart_images(brief)
    stem = file_stem(brief)
    files: dict[str, bytes] = {}
    if "docx" in formats:
        files[f"{stem}.docx"] = to_docx(brief, images)
    if "pdf" in formats:
        files[f"{stem}.pdf"] = to_pdf(brief, images)
    if "md" in formats:
        text, pngs = to_markdown(brief, images)
        files[f"{stem}.md"] = text.encode("utf-8")
        files.update(pngs)
    return files


def write(brief: Brief, folder: Path, formats=FORMATS) -> list[Path]:
    return write_files(render(brief, formats), folder)


def write_files(files: dict[str, bytes], folder: Path) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths

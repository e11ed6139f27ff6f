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

FORMATS = ("docx", "pdf", "md")
CHART_PPI = 200


def file_stem(brief: Brief) -> str:
    return f"sfp_brief_{brief.meeting.isoformat()}_{slug(brief.scope)}"


def chart_images(brief: Brief) -> dict[str, bytes]:
    """Every figure as a print-resolution PNG, rendered once for all formats."""
    return {
        f.caption: chart_bytes(f.chart, "png", CHART_PPI)
        for section in brief.sections
        for f in section.figures
    }


PAGE_WIDTH_INCHES = 6.3


def column_weights(header: list[str] | None, rows: list[list[str]]) -> list[int]:
    """Relative column widths from the longest text of each column (bounded), for DOCX and PDF."""
    width = len(header) if header is not None else len(rows[0])
    longest = [max((len(str(r[i])) for r in rows), default=0) for i in range(width)]
    if header is not None:  # a bold header needs a little more room than its letters
        longest = [max(n, len(h) + 2) for n, h in zip(longest, header, strict=True)]
    return [max(7, min(40, n)) for n in longest]


def _headline_rows(brief: Brief) -> list[list[str]]:
    return [[h.label, h.value, h.previous, h.change] for h in brief.headlines]


HEADLINE_HEADER = ["Figure", "This period", "Previous period", "Change"]


# --- DOCX ---------------------------------------------------------------------------------------


def to_docx(brief: Brief, images: dict[str, bytes] | None = None) -> bytes:
    from docx import Document
    from docx.shared import Inches, Pt

    images = images if images is not None else chart_images(brief)
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)

    def table(header: list[str] | None, rows: list[list[str]]) -> None:
        t = doc.add_table(rows=0, cols=len(header or rows[0]))
        t.style = "Light Grid Accent 1"
        t.autofit = False
        weights = column_weights(header, rows)
        widths = [Inches(PAGE_WIDTH_INCHES * w / sum(weights)) for w in weights]
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width  # the grid (LibreOffice reads it), and each cell below (Word)
        for texts in ([header] if header is not None else []) + rows:
            cells = t.add_row().cells
            for cell, text, width in zip(cells, texts, widths, strict=True):
                cell.text = text
                cell.width = width
        doc.add_paragraph()

    def frame_table(frame: pl.DataFrame) -> None:
        table(frame.columns, [[str(v) if v is not None else "" for v in r] for r in frame.rows()])

    doc.add_heading(brief.title, 0)
    table(None, [[k, v] for k, v in brief.front_matter])
    doc.add_heading("Data used", 2)
    doc.add_paragraph("The loads (extract files) whose snapshots this brief reads at the cut-off:")
    frame_table(brief.loads.select(pl.all().cast(pl.String)))
    doc.add_heading("Suppression rule in force", 2)
    doc.add_paragraph(brief.suppression_rule)
    doc.add_page_break()

    doc.add_heading("Headline figures", 1)
    table(HEADLINE_HEADER, _headline_rows(brief))
    for h in brief.headlines:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(h.label + ": ").bold = True
        p.add_run(h.definition)
    if brief.by_entity is not None:
        doc.add_heading("Each entity side by side", 1)
        doc.add_paragraph("Figures of the period per entity, suppressed together with their total.")
        frame_table(brief.by_entity)
    doc.add_heading("Points for the meeting", 1)
    for point in brief.points or ["No change large enough to raise."]:
        doc.add_paragraph(point, style="List Number")
    for section in brief.sections:
        doc.add_heading(section.title, 1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for fig in section.figures:
            doc.add_picture(io.BytesIO(images[fig.caption]), width=Inches(6.3))
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
    footer = _pdf_text(f"{brief.scope} - data as of {brief.period.end.isoformat()} - page ")
    pdf.footer = lambda: (  # type: ignore[method-assign]
        pdf.set_y(-12),
        pdf.set_font("Helvetica", "I", 8),
        pdf.cell(0, 8, footer + str(pdf.page_no()), align="C"),
    )
    width = pdf.epw

    def heading(text: str, size: int) -> None:
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
            col_widths=widths or column_weights(header, rows),
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
        table(frame.columns, [[str(v) if v is not None else "" for v in r] for r in frame.rows()])

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
        para("Figures of the period per entity, suppressed together with their total.")
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
    return _md_table(frame.columns, [[v if v is not None else "" for v in r] for r in frame.rows()])


def to_markdown(
    brief: Brief, images: dict[str, bytes] | None = None
) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and its PNG files (relative path -> bytes)."""
    images = images if images is not None else chart_images(brief)
    stem = file_stem(brief)
    files = {f"{stem}_charts/{slug(caption)}.png": png for caption, png in images.items()}
    link = {caption: f"{stem}_charts/{slug(caption)}.png" for caption in images}
    out = [f"# {brief.title}\n"]
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
        out.append(
            "## Each entity side by side\n\nFigures of the period per entity, suppressed together with their total.\n"
        )
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

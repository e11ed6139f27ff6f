"""What the brief's three formats share: the file name, the chart images (rendered once for all
formats), the tables as text with their column widths, the confidentiality notice and footer, and
what an empty section says."""

from __future__ import annotations

import polars as pl

from psea.brief import Brief
from psea.brief.model import Section
from psea.present.exports import chart_bytes, slug
from psea.present.labels import label, labelled

FORMATS = ("docx", "pdf", "md")
CHART_PPI = 200
CONFIDENTIAL = "Confidential — contains PSEA case statistics"


def file_stem(brief: Brief) -> str:
    return f"sfp_brief_{brief.meeting.isoformat()}_{slug(brief.scope)}"


# Print sizes (points): nothing a reader reads is below MIN_PT, in the PDF or the DOCX
MIN_PT = 9
BODY_PT = 10  # paragraphs and lists
TABLE_PT = 9  # table cells, notes, captions, the page header and footer
PRINT_WIDTH_PT = 470  # the DOCX text width (A4, 2.2 cm margins); the PDF's is wider
WHOLE_TABLE_ROWS = 15  # a table this short moves whole to the next page rather than split
MIN_PLOT_WIDTH = 240  # a chart's plot area is never narrowed below this to fit the print width


def png_width_pt(png: bytes, ppi: int = CHART_PPI) -> float:
    """A PNG's width in points at the resolution it was rendered for (IHDR: width at byte 16)."""
    return int.from_bytes(png[16:20], "big") * 72 / ppi


def print_chart(chart) -> bytes:
    """The chart as a PNG the width of the printed text, drawn so that one of its points is one
    printed point: its labels print at the size the chart gives them (Vega's 10 to 13 px), not
    shrunk to fit. Where its labels leave too little plot, it is scaled down to fit."""
    png = chart_bytes(chart, "png", CHART_PPI, width=PRINT_WIDTH_PT)
    spare = png_width_pt(png) - PRINT_WIDTH_PT
    if spare > 1:  # the labels and legend take `spare` points beside the plot: narrow the plot
        png = chart_bytes(
            chart, "png", CHART_PPI, width=max(MIN_PLOT_WIDTH, round(PRINT_WIDTH_PT - spare))
        )
    return png


def chart_images(brief: Brief) -> dict[str, bytes]:
    """Every figure as a print-resolution PNG, rendered once for all formats."""
    return {f.caption: print_chart(f.chart) for section in brief.sections for f in section.figures}


def image_width_pt(png: bytes) -> float:
    """The width to place a chart at: its own (one point per point), never wider than the text."""
    return min(png_width_pt(png), PRINT_WIDTH_PT)


DOCX_TABLE_CHARS = 78  # characters across the text width at 9 pt (DejaVu bold, wider than Calibri)
PDF_TABLE_CHARS = 99  # the same at 9 pt Helvetica
SHORT_TEXT = 18  # a column whose longest text is this short is kept on one line when it can be
LANDSCAPE = 29.7 / 21  # a landscape page holds this many times the characters across


def landscape(header: list[str] | None, rows: list[list[str]], capacity: int) -> bool:
    """Whether the table needs a landscape page: its longest words do not fit across portrait at
    9 pt (the side-by-side table of six entities and all entities)."""
    return sum(_lows(header, rows)) > capacity


def _lows(header: list[str] | None, rows: list[list[str]]) -> list[int]:
    table = ([header] if header is not None else []) + rows
    pad = 2 if header is None else 3
    return [
        max((min(len(w), 16) for c in col for w in str(c).split()), default=0) + pad
        for col in zip(*table, strict=True)
    ]


def column_weights(
    header: list[str] | None, rows: list[list[str]], capacity: int = DOCX_TABLE_CHARS
) -> list[float]:
    """Relative column widths for DOCX and PDF: each column as wide as its longest text (a bold
    header a little wider) when the page holds them all; else each column in proportion to the
    text it holds (its average cell), between its longest word (of up to 16 letters: numbers,
    dates and words never break) and its longest text, so a column of long labels is not cut to
    the width of a column of short counts."""
    table = ([header] if header is not None else []) + rows
    columns = list(zip(*table, strict=True))
    pad = 2 if header is None else 3  # the cell's own padding; a bold header is a little wider
    natural = [max(len(str(c)) for c in col) + pad for col in columns]
    lows = _lows(header, rows)  # a file name or a load id may break; a word may not
    if sum(natural) <= capacity or sum(lows) >= capacity:
        return natural if sum(natural) <= capacity else lows
    whole = [max(lw, min(n, SHORT_TEXT)) for lw, n in zip(lows, natural, strict=True)]
    if sum(whole) < capacity:  # short labels ("Case data as of", "2018-03-31") stay on one line
        lows = whole
    body = [col[1:] if header is not None else col for col in columns] if rows else columns
    volume = [sum(len(str(c)) for c in col) / max(len(col), 1) + pad for col in body]

    def widths(level: float) -> list[float]:
        return [max(lw, min(n, level * v)) for lw, n, v in zip(lows, natural, volume, strict=True)]

    low, high = 0.0, float(max(natural))
    for _ in range(60):  # the level at which the widths fill the capacity
        level = (low + high) / 2
        low, high = (level, high) if sum(widths(level)) <= capacity else (low, level)
    return widths(low)


def text_table(frame: pl.DataFrame) -> tuple[list[str], list[list[str]]]:
    """A frame as a reader sees it: headers and code cells in plain words (psea.present.labels), every
    cell as text, an empty cell for a missing one."""
    frame = labelled(frame)
    rows = [["" if v is None else str(v) for v in row] for row in frame.rows()]
    return [label(c) for c in frame.columns], rows


def footer_text(brief: Brief) -> str:
    return f"{CONFIDENTIAL} · {brief.scope} · data as of {brief.period.end.isoformat()} · page "


def empty_lines(section: Section) -> list[str]:
    """What a section that holds nothing says ("None recorded.")."""
    body = section.paragraphs or section.items or section.tables or section.figures
    return [section.empty] if section.empty and not body else []
